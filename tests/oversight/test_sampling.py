import pytest

from oversight import services
from oversight.enums import CheckResult, SampleSize
from oversight.models import SpotCheckSample
from tests import factories as F

from .helpers import notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    notices = []
    for i in range(12):
        notices.append(notice(F.institution(name=f"普陀单位{i}"), sme="10", small="7"))
    for i in range(6):
        notices.append(
            notice(F.institution(name=f"青浦单位{i}", district_code="310118"), sme="10", small="7")
        )
    return notices


def _ids(sample):
    return list(sample.items.order_by("position").values_list("announcement_id", flat=True))


def test_same_seed_gives_the_same_sample(world, published):
    draw = dict(actor=world.supervisor, year=2025, size_mode=SampleSize.COUNT, size_value=5, seed=424242)
    first = services.spot_check_sample_draw(**draw)
    second = services.spot_check_sample_draw(**draw)
    assert _ids(first) == _ids(second)
    assert len(_ids(first)) == 5
    assert services.spot_check_sample_verify(sample=first) is True
    other = services.spot_check_sample_draw(**{**draw, "seed": 1})
    assert _ids(other) != _ids(first)


def test_draw_is_a_pure_function_of_population_and_seed():
    population = [(i, 1 if i < 8 else 2) for i in range(1, 13)]
    a = services.spot_check_draw(population, seed=7, size_mode="count", size_value=4, stratified=False)
    b = services.spot_check_draw(list(population), seed=7, size_mode="count", size_value=4, stratified=False)
    assert a == b and len(set(a)) == 4


def test_stratified_percentage_draws_from_each_district(world, published):
    sample = services.spot_check_sample_draw(
        actor=world.supervisor,
        year=2025,
        size_mode=SampleSize.PERCENT,
        size_value=25,
        stratified=True,
        seed=3,
    )
    districts = [
        a.district.code
        for a in (i.announcement for i in sample.items.select_related("announcement__district"))
    ]
    # ceil(12 × 25%) = 3 from 普陀区, ceil(6 × 25%) = 2 from 青浦区.
    assert sorted(districts) == ["310107"] * 3 + ["310118"] * 2


def test_stratified_count_is_split_in_proportion(world, published):
    sample = services.spot_check_sample_draw(
        actor=world.supervisor, year=2025, size_mode=SampleSize.COUNT, size_value=6, stratified=True, seed=3
    )
    codes = sorted(
        i.announcement.district.code for i in sample.items.select_related("announcement__district")
    )
    assert codes == ["310107"] * 4 + ["310118"] * 2


def test_population_change_is_reported_instead_of_a_false_redraw(world, published):
    sample = services.spot_check_sample_draw(
        actor=world.supervisor, year=2025, size_mode=SampleSize.COUNT, size_value=3, seed=9
    )
    notice(F.institution(name="新发布单位"))
    assert services.spot_check_sample_verify(sample=sample) is None


def test_supervisor_draws_and_records_through_the_pages(world, published, login):
    client = login(world.supervisor)
    response = client.post(
        "/console/oversight/samples/",
        {"year": "2025", "district": "", "size_mode": "count", "size_value": "4", "seed": "99"},
    )
    sample = SpotCheckSample.objects.get()
    assert response.url == f"/console/oversight/samples/{sample.pk}/"
    assert sample.seed == 99 and sample.population_size == 18 and sample.drawn_by == world.supervisor
    item = sample.items.order_by("position").first()
    url = f"/console/oversight/samples/{sample.pk}/items/{item.pk}/"
    # Not compliant without remarks is refused; nothing is saved.
    client.post(url, {f"item{item.pk}-result": CheckResult.NON_COMPLIANT, f"item{item.pk}-remarks": ""})
    item.refresh_from_db()
    assert (item.result, item.remarks, item.checked_by, item.checked_at) == ("", "", None, None)
    client.post(url, {f"item{item.pk}-result": CheckResult.RECTIFY, f"item{item.pk}-remarks": "合同链接失效"})
    item.refresh_from_db()
    assert (item.result, item.remarks, item.checked_by) == (
        CheckResult.RECTIFY,
        "合同链接失效",
        world.supervisor,
    )
    html = client.get(f"/console/oversight/samples/{sample.pk}/").content.decode()
    assert 'data-figure="progress">1 / 4<' in html
    assert 'data-figure="seed">99<' in html


def test_empty_population_shows_a_message_and_saves_nothing(world, login):
    response = login(world.supervisor).post(
        "/console/oversight/samples/", {"year": "2019", "size_mode": "count", "size_value": "4"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    response = login(world.supervisor).post(
        "/console/oversight/samples/", {"year": "2024", "size_mode": "count", "size_value": "4"}
    )
    assert response.context["form"].non_field_errors()
    assert not SpotCheckSample.objects.exists()


def test_a_refused_record_keeps_the_chosen_result_and_shows_the_reason_in_its_row(world, published, login):
    client = login(world.supervisor)
    sample = services.spot_check_sample_draw(
        actor=world.supervisor, year=2025, size_mode=SampleSize.COUNT, size_value=3, seed=5
    )
    first, second = sample.items.order_by("position")[:2]
    url = f"/console/oversight/samples/{sample.pk}/items/{second.pk}/"

    response = client.post(
        url, {f"item{second.pk}-result": CheckResult.NON_COMPLIANT, f"item{second.pk}-remarks": " "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    row = html[html.index(f'<tr id="item-{second.pk}" class="has-errors">') :]
    row = row[: row.index("</tr>")]
    assert '<option value="non_compliant" selected>' in row
    assert "请在备注中说明问题" in row
    other = html[html.index(f'<tr id="item-{first.pk}">') :]
    assert "请在备注中说明问题" not in other[: other.index("</tr>")]
    assert f'<a href="#item-{second.pk}">第2条的抽查结果未记录' in html
    second.refresh_from_db()
    assert (second.result, second.checked_by) == ("", None)


def test_a_record_without_a_result_says_so_in_its_row(world, published, login):
    client = login(world.supervisor)
    sample = services.spot_check_sample_draw(
        actor=world.supervisor, year=2025, size_mode=SampleSize.COUNT, size_value=2, seed=5
    )
    item = sample.items.order_by("position").first()
    response = client.post(
        f"/console/oversight/samples/{sample.pk}/items/{item.pk}/",
        {f"item{item.pk}-result": "", f"item{item.pk}-remarks": "已核对"},
    )
    html = response.content.decode()
    row = html[html.index(f'<tr id="item-{item.pk}" class="has-errors">') :]
    row = row[: row.index("</tr>")]
    assert "请选择结果。" in row and "已核对</textarea>" in row
