import re
from decimal import Decimal

import pytest
from django.core import mail

from accounts.enums import Position
from announcements.enums import State
from oversight import selectors
from oversight.models import CampaignUnit, FilingCampaign, Reminder, SpotCheckSample
from tests import factories as F

from .helpers import notice

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_finance_reviewer_gets_404_on_another_districts_campaign(world, putuo, login):
    qingpu = putuo["qingpu"]
    late = F.institution(name="青浦区未填报单位", district_code="310118")
    F.user(institution=late, positions=[Position.HANDLER], email="late@example.cn")
    CampaignUnit.objects.create(campaign=qingpu, institution=late)
    client = login(world.finance)
    assert client.get(f"/console/oversight/campaigns/{qingpu.pk}/").status_code == 404
    assert client.get(f"/console/oversight/campaigns/{qingpu.pk}/export.xlsx").status_code == 404
    response = client.post(f"/console/oversight/campaigns/{qingpu.pk}/remind/")
    assert response.status_code == 404
    assert not Reminder.objects.exists()
    assert mail.outbox == []
    listing = client.get("/console/oversight/")
    assert "普陀区" in _text(listing) and "青浦区" not in _text(listing)
    # The district's own finance reviewer does remind the unit that was left alone above.
    login(world.qp_finance).post(f"/console/oversight/campaigns/{qingpu.pk}/remind/")
    assert list(Reminder.objects.values_list("institution", flat=True)) == [late.pk]


CAMPAIGN_2024 = {"year": "2024", "deadline": "2026-07-15", "remind_days_before": "7"}
SAMPLE_2025 = {"year": "2025", "district": "", "size_mode": "count", "size_value": "1", "seed": "7"}


def rows_and_mails() -> dict:
    """What a campaign, reminder or sample POST would leave behind."""
    return {
        "campaigns": FilingCampaign.objects.count(),
        "units": CampaignUnit.objects.count(),
        "reminders": Reminder.objects.count(),
        "samples": SpotCheckSample.objects.count(),
        "mails": len(mail.outbox),
    }


def test_outsiders_get_404_everywhere(world, putuo, login):
    pk = putuo["campaign"].pk
    unlisted = F.institution(name="普陀区新成立单位")
    before = rows_and_mails()
    for user in (world.handler, world.reviewer, world.admin):
        client = login(user)
        for url in (
            "/console/oversight/",
            f"/console/oversight/campaigns/{pk}/",
            "/console/oversight/samples/",
        ):
            assert client.get(url).status_code == 404, (user, url)
        # Nor may they create, remind or draw: a refused POST creates nothing.
        posts = {
            "/console/oversight/campaigns/new/": CAMPAIGN_2024,
            f"/console/oversight/campaigns/{pk}/remind/": {},
            f"/console/oversight/campaigns/{pk}/units/": {"institution": unlisted.pk},
            "/console/oversight/samples/": SAMPLE_2025,
        }
        for url, data in posts.items():
            assert client.post(url, data).status_code == 404, (user, url)
        assert rows_and_mails() == before
    # The finance reviewer follows filing but does not draw samples.
    finance = login(world.finance)
    assert finance.get("/console/oversight/samples/").status_code == 404
    assert finance.post("/console/oversight/samples/", SAMPLE_2025).status_code == 404
    assert rows_and_mails() == before
    # The same POSTs by those who may make them do leave rows behind.
    finance.post(f"/console/oversight/campaigns/{pk}/units/", {"institution": unlisted.pk})
    finance.post(f"/console/oversight/campaigns/{pk}/remind/")
    finance.post("/console/oversight/campaigns/new/", CAMPAIGN_2024)
    login(world.supervisor).post("/console/oversight/samples/", SAMPLE_2025)
    after = rows_and_mails()
    assert {k: after[k] - before[k] for k in ("campaigns", "reminders", "samples")} == {
        "campaigns": 1,
        "reminders": 1,
        "samples": 1,
    }
    assert CampaignUnit.objects.filter(campaign_id=pk, institution=unlisted).exists()


def test_supervisor_sees_every_district_and_filters_one(world, putuo, login):
    client = login(world.supervisor)
    html = client.get("/console/oversight/districts/?year=2025").content.decode()
    assert 'data-district="310107"' in html and 'data-district="310118"' in html
    qingpu_id = putuo["qingpu"].district_id
    html = client.get(f"/console/oversight/districts/?year=2025&district={qingpu_id}").content.decode()
    assert 'data-district="310118"' in html and 'data-district="310107"' not in html
    # A supervisor reads but does not edit a district's campaign.
    before = rows_and_mails()
    campaign = putuo["campaign"]
    assert client.get(f"/console/oversight/campaigns/{campaign.pk}/edit/").status_code == 404
    edit = {"deadline": "2026-08-31", "remind_days_before": "3"}
    assert client.post(f"/console/oversight/campaigns/{campaign.pk}/edit/", edit).status_code == 404
    campaign.refresh_from_db()
    assert (campaign.deadline, campaign.remind_days_before) == (putuo["campaign"].deadline, 7)
    assert client.post("/console/oversight/campaigns/new/", CAMPAIGN_2024).status_code == 404
    assert rows_and_mails() == before


def test_campaign_create_lists_every_active_budget_unit_of_the_district(world, login):
    F.institution(name="普陀区停用单位", is_active=False)
    client = login(world.finance)
    response = client.post(
        "/console/oversight/campaigns/new/",
        {"year": "2025", "deadline": "2026-07-15", "remind_days_before": "7"},
    )
    campaign = FilingCampaign.objects.get()
    assert response.url == f"/console/oversight/campaigns/{campaign.pk}/"
    assert campaign.district.code == "310107"
    assert campaign.deadline.isoformat() == "2026-07-15T15:59:59+00:00"  # 23:59:59 in Shanghai
    names = set(CampaignUnit.objects.filter(campaign=campaign).values_list("institution__name", flat=True))
    assert names == {world.unit.name, world.other_unit.name}


def test_campaign_create_twice_for_a_year_shows_the_error_next_to_the_year(world, putuo, login):
    units_before = CampaignUnit.objects.count()
    response = login(world.finance).post(
        "/console/oversight/campaigns/new/",
        {"year": "2025", "deadline": "2026-07-15", "remind_days_before": "7"},
    )
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert list(FilingCampaign.objects.filter(district__code="310107")) == [putuo["campaign"]]
    assert CampaignUnit.objects.count() == units_before


def test_excusing_a_unit_needs_a_reason_and_removes_it_from_required(world, putuo, login):
    client = login(world.finance)
    campaign = putuo["campaign"]
    unit = campaign.units.get(institution=putuo["third"])
    client.post(f"/console/oversight/campaigns/{campaign.pk}/units/{unit.pk}/", {"reason": ""})
    unit.refresh_from_db()
    assert (unit.required, unit.excuse_reason) == (True, "")
    client.post(f"/console/oversight/campaigns/{campaign.pk}/units/{unit.pk}/", {"reason": "已合并"})
    unit.refresh_from_db()
    assert (unit.required, unit.excuse_reason) == (False, "已合并")
    [summary] = selectors.district_summaries([campaign])
    assert (summary.filed, summary.required, summary.excused) == (1, 3, 1)


def test_dashboard_shows_the_sums_over_published_notices(world, putuo, login):
    response = login(world.finance).get(f"/console/oversight/campaigns/{putuo['campaign'].pk}/")
    html = response.content.decode()
    assert re.search(r'data-figure="filed">\s*1 / 4', html)
    assert 'data-figure="sme">300<' in html
    assert 'data-figure="small">200<' in html
    assert 'data-figure="share">66.66<' in html  # 200 / 300, truncated
    assert "<svg" in html and "style=" not in html
    text = _text(response)
    assert world.unit.name in text and "普陀区第三单位" in text and world.outsider.name not in text


def test_dashboard_filters_by_status(world, putuo, login):
    client = login(world.finance)
    text = _text(client.get(f"/console/oversight/campaigns/{putuo['campaign'].pk}/?status=revoked"))
    assert "普陀区第四单位" in text and world.unit.name not in text


def test_dashboard_query_count_does_not_grow_with_units(world, putuo, login, django_assert_max_num_queries):
    client = login(world.finance)
    url = f"/console/oversight/campaigns/{putuo['campaign'].pk}/"
    client.get(url)
    # 30: the page's own nine (campaign, summaries, status counts, units, reminders) and the
    # console frame's (session, user, permissions, menu, 预警 providers, review flows). The check
    # that matters is the second: the count does not grow with the units.
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(15):
        inst = F.institution(name=f"批量单位{i}")
        CampaignUnit.objects.create(campaign=putuo["campaign"], institution=inst)
        notice(inst, sme="1", small="1")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert Decimal(re.search(r'data-figure="sme">([\d.]+)<', response.content.decode())[1]) == Decimal("315")


def test_unit_row_links_to_its_notice_when_the_detail_page_exists(world, putuo, login):
    from django.urls import reverse

    response = login(world.finance).get(f"/console/oversight/campaigns/{putuo['campaign'].pk}/")
    public_id = world.unit.announcements.get().public_id
    url = reverse("announcements:detail", args=[public_id])
    html = response.content.decode()
    assert f'href="{url}"' in html
    # A draft is not the finance reviewer's to open: no link that would end in a 404.
    draft_url = reverse("announcements:detail", args=[world.other_unit.announcements.get().public_id])
    assert f'href="{draft_url}"' not in html


def test_dashboard_sorts_by_sme_total(world, putuo, login):
    # Amounts show from finance review on (a draft's are still being typed), so sort those.
    notice(putuo["third"], state=State.FINANCE_REVIEW, sme="50", small="10")
    url = f"/console/oversight/campaigns/{putuo['campaign'].pk}/"
    html = _text(login(world.finance).get(url + "?sort=-sme_total"))
    # 300 (published) before 50 (in finance review).
    assert html.index(world.unit.name) < html.index(putuo["third"].name)
    html = _text(login(world.finance).get(url + "?sort=sme_total"))
    assert html.index(putuo["third"].name) < html.index(world.unit.name)
