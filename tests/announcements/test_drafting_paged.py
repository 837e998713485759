"""The rows editor a page at a time, 提交 from the edit page, 已退回, 重新填报, plain messages."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from announcements import workflow
from announcements.enums import Action, PublishMode, State
from announcements.models import Announcement
from announcements.services import (
    DraftingError,
    announcement_refile,
    announcement_rows_import,
    attachment_add,
)
from reservations.paging import PAGE_SIZE
from tests import drafting_support as S
from tests.announcements import workflow_factories as WF

pytestmark = pytest.mark.django_db

DJANGO_DEFAULTS = [
    "这个字段是必填项",
    "选择一个有效的选项",
    "输入一个数字",
    "请最多提交",
    "Email",
    "This field",
]


def big_notice(user, rows=5_000):
    notice = S.draft(user)
    announcement_rows_import(
        announcement=notice,
        user=user,
        rows=[
            # A lot of 100万 worth ratio × budget, above the 200万 whole-reservation threshold:
            # only the 20% rows miss a rule (the 30% minimum).
            S.row(n, option="dedicated_lot", ratio=ratio, budget_amount=Decimal(10000) / ratio)
            for n in range(1, rows + 1)
            for ratio in [Decimal("20" if n % 1000 == 0 else "40")]
        ],
        replace=True,
    )
    notice.refresh_from_db()
    return notice


def served_fields(html: str) -> dict:
    """The edit form's fields as a browser would post them."""
    data = dict(re.findall(r'<input type="(?:text|url|hidden|number)" name="([^"]+)" value="([^"]*)"', html))
    data.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data.update(
        {
            "title": re.search(r'name="title"[^>]*value="([^"]*)"', html).group(1),
            "publish_mode": PublishMode.ON_APPROVAL,
            "report-competent_unit_name": "主管单位",
            "report-explanation": "",
        }
    )
    data.pop("csrfmiddlewaretoken", None)
    return {k: v.replace("&amp;", "&") for k, v in data.items()}


def edit_url(notice, **query):
    url = reverse("announcements:edit", args=[notice.public_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_5000_row_notice_opens_a_page_and_saves_only_that_page(world, login):
    notice = big_notice(world.handler)
    client = login(world.handler)
    response = client.get(edit_url(notice, page=37))
    html = response.content.decode()
    assert len(response.content) < 500_000
    assert "第1801行" in html and "第1850行" in html and "第1851行" not in html
    assert "共5000行" in html and "第37页/共100页" in html
    before = dict(notice.report.rows.values_list("pk", "name"))

    data = served_fields(html)
    assert int(data["rows-TOTAL_FORMS"]) == PAGE_SIZE
    data["rows-0-name"] = "第1801行改过的名称"
    data["rows-1-DELETE"] = "on"
    data["rows-TOTAL_FORMS"] = str(PAGE_SIZE + 1)
    new = S.row(9999, option="whole", name="新增的项目", sme_amount="7", small_micro_amount="7")
    data.update({f"rows-{PAGE_SIZE}-{k}": "" if v is None else str(v) for k, v in new.items()})
    response = client.post(edit_url(notice), {**data, "intent": "save"})
    assert response.status_code == 302 and response.url.endswith("page=37")

    names = list(notice.report.rows.order_by("position", "id").values_list("name", flat=True))
    assert len(names) == 5000
    assert names[1800] == "第1801行改过的名称"
    assert "项目1802" not in names and names[-1] == "新增的项目"
    after = dict(notice.report.rows.values_list("pk", "name"))
    untouched = [pk for pk in before if pk in after and before[pk] == after[pk]]
    assert len(untouched) == 4998  # every row but the changed and the deleted one
    notice.report.refresh_from_db()
    assert notice.report.sme_total == Decimal("100") * 4999 + Decimal("7")


def test_preview_counts_stored_rows_plus_the_pages_unsaved_changes(world, login):
    notice = big_notice(world.handler, rows=120)
    client = login(world.handler)
    data = served_fields(client.get(edit_url(notice, page=2)).content.decode())
    data["rows-0-sme_amount"] = "200"  # row 51: 100 → 200 (its budget is 250)
    data["rows-1-DELETE"] = "on"  # row 52 gone
    page = client.post(reverse("announcements:preview", args=[notice.public_id]), data).content.decode()
    assert 'id="row-count">119<' in page
    assert 'id="sme-total">12000<' in page  # 120 × 100 + 100 − 100
    assert "另有99行" in page  # the text shows the first 20 rows of 119
    assert notice.report.rows.count() == 120  # nothing saved


def test_search_by_name_and_rows_with_warnings(world, login):
    notice = big_notice(world.handler, rows=3000)
    client = login(world.handler)
    page = client.get(edit_url(notice, q="项目2999")).content.decode()
    assert "第2999行" in page and "共3000行，符合条件1行" in page
    page = client.get(edit_url(notice, only="warnings")).content.decode()
    # rows 1000, 2000 and 3000 have a ratio of 20% (below 30%)
    assert [int(n) for n in re.findall(r'id="row-(\d+)"', page)] == [1000, 2000, 3000]
    assert "/edit/?page=20#row-1000" in page  # the warning links to the row's page


def test_too_many_rows_in_one_post_says_so_plainly(world, login):
    notice = S.draft(world.handler)
    rows = [S.row(n) for n in range(1, 160)]
    from tests.announcements.test_drafting import edit_post

    page = login(world.handler).post(edit_url(notice), edit_post(notice, rows)).content.decode()
    assert "一次最多保存150行" in page
    assert notice.report.rows.count() == 0


def test_submit_from_edit_page_saves_then_submits(world, login):
    from tests.announcements.test_drafting import edit_post

    notice = S.draft(world.handler)
    response = login(world.handler).post(
        edit_url(notice), {**edit_post(notice, [S.row(1)]), "intent": "submit"}, follow=True
    )
    notice.refresh_from_db()
    assert notice.state == State.PURCHASER_REVIEW
    assert notice.report.rows.count() == 1
    assert "已保存并提交，等待采购人初审。" in response.content.decode()


def test_refused_submit_lists_reasons_linked_to_the_field_and_rows(world, login):
    from tests.announcements.test_drafting import edit_post

    notice = S.draft(world.handler)
    rows = [S.row(n, option="dedicated_lot", ratio="40") for n in range(1, 5)]
    rows.append(S.row(5, option="consortium", ratio="20"))
    response = login(world.handler).post(edit_url(notice), {**edit_post(notice, rows), "intent": "submit"})
    assert response.status_code == 302 and "check=1" in response.url
    page = login(world.handler).get(response.url).content.decode()
    notice.refresh_from_db()
    assert notice.state == State.DRAFT and notice.report.rows.count() == 5  # saved, not submitted
    problems = page[page.index('id="submit-problems"') :]
    assert 'href="#id_report-explanation"' in problems
    assert "有项目未达到政策规定比例，提交前须填写说明。" in problems
    assert f'{edit_url(notice)}?page=1&amp;check=1#row-5"' in problems and 'id="row-5"' in page


def test_returned_notice_shows_as_returned_with_reason_and_who(world, login):
    notice = WF.notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    workflow.apply_action(
        announcement=notice, action=Action.PURCHASER_RETURN, actor=world.reviewer, comment="金额有误"
    )
    client = login(world.handler)
    listing = client.get(reverse("announcements:list") + "?tab=all").content.decode()
    assert "status-returned" in listing and "已退回" in listing
    filtered = client.get(reverse("announcements:list") + "?tab=all&state=returned").content.decode()
    assert notice.title in filtered
    drafts = client.get(reverse("announcements:list") + "?tab=all&state=draft").content.decode()
    assert notice.title not in drafts
    page = client.get(edit_url(notice)).content.decode()
    assert "该公告已被退回" in page and "金额有误" in page and "审核人甲" in page


def test_returned_notices_come_first_in_my_todo(world, login):
    returned = WF.notice(
        institution=world.unit, year=2023, state=State.PURCHASER_REVIEW, submitted_by=world.handler
    )
    workflow.apply_action(
        announcement=returned, action=Action.PURCHASER_RETURN, actor=world.reviewer, comment="请修改"
    )
    WF.notice(institution=world.unit, year=2024)  # a newer plain draft
    page = login(world.handler).get(reverse("announcements:list") + "?tab=todo").content.decode()
    assert page.index("2023年") < page.index("2024年")


def test_refile_copies_rows_explanation_and_attachments(world, login):
    notice = S.draft(world.handler)
    announcement_rows_import(announcement=notice, user=world.handler, rows=[S.row(1), S.row(2)], replace=True)
    notice.report.explanation = "第2行未达到比例的原因"
    notice.report.save()
    pdf = SimpleUploadedFile("说明材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment_add(announcement=notice, user=world.handler, files=[pdf])
    WF.set_state(notice, State.REVOKED, submitted_by=world.handler)

    response = login(world.handler).post(
        reverse("announcements:refile", args=[notice.public_id]), follow=True
    )
    new = Announcement.objects.exclude(pk=notice.pk).get(institution=world.unit)
    assert (new.state, new.year) == (State.DRAFT, notice.year)
    assert list(new.report.rows.values_list("name", flat=True)) == ["项目1", "项目2"]
    assert new.report.explanation == "第2行未达到比例的原因"
    assert [a.original_name for a in new.attachments.all()] == ["说明材料.pdf"]
    with new.attachments.get().file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 test"
    assert "已复制2行明细、说明和1个附件" in response.content.decode()
    notice.refresh_from_db()
    assert notice.state == State.REVOKED


def test_refile_refused_when_the_year_has_a_live_notice(world):
    old = WF.notice(institution=world.unit, year=2024, state=State.REVOKED, submitted_by=world.handler)
    WF.notice(institution=world.unit, year=2024)
    with pytest.raises(DraftingError):
        announcement_refile(announcement=old, user=world.handler)


def test_refile_is_404_for_another_institution(world, login):
    old = WF.notice(institution=world.unit, year=2024, state=State.REVOKED, submitted_by=world.handler)
    response = login(world.other_handler).post(reverse("announcements:refile", args=[old.public_id]))
    assert response.status_code == 404
    assert Announcement.objects.count() == 1


def test_action_messages_say_what_happened(world, login):
    notice = WF.notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    response = login(world.reviewer).post(
        reverse("announcements:action", args=[notice.public_id, "purchaser_approve"]),
        {"version": notice.version},
        follow=True,
    )
    assert "已通过采购人初审，等待财政审核。" in response.content.decode()


def test_detail_actions_ask_for_confirmation_and_revoke_says_reason_is_published(world, login):
    notice = WF.notice(institution=world.unit, state=State.PUBLISHED, submitted_by=world.handler)
    page = login(world.finance).get(reverse("announcements:detail", args=[notice.public_id])).content.decode()
    form = page[page.index('id="action-revoke"') :]
    assert "data-confirm=" in form[: form.index(">")]
    assert "撤回原因将公开" in form
    assert 'id="confirm-dialog"' in page


def test_refused_save_shows_plain_messages_and_echoes_the_bad_value(world, login):
    from tests.announcements.test_drafting import edit_post

    notice = S.draft(world.handler)
    bad = S.row(1, name="", option="nonsense", sme_amount="12,5", contract_url="")
    page = (
        login(world.handler)
        .post(edit_url(notice), {**edit_post(notice, [bad]), "title": ""})
        .content.decode()
    )
    assert "“12,5”不是数字" in page
    assert "请填写此项。" in page
    assert "请从四个预留选项中选择一项。" in page
    for default in DJANGO_DEFAULTS:
        assert default not in page
    assert 'value="12,5"' in page  # nothing typed is lost


def test_import_page_says_what_happens_to_unsaved_changes(world, login):
    notice = S.draft(world.handler)
    page = (
        login(world.handler)
        .get(reverse("announcements:import_rows", args=[notice.public_id]))
        .content.decode()
    )
    assert "编辑页面上未保存的修改不包含在导入中" in page
    edit = login(world.handler).get(edit_url(notice)).content.decode()
    assert 'type="file" name="file"' not in edit  # no import box that would discard typing
    assert 'name="intent" value="import"' in edit


def test_refused_create_says_to_choose_the_attachments_again(world, login):
    page = (
        login(world.handler)
        .post(
            reverse("announcements:create_sme"),
            {"district": world.unit.district_id, "year": "2025", "publish_mode": "scheduled"},
        )
        .content.decode()
    )
    assert "请重新选择附件" in page


def test_a_row_id_of_another_notice_is_refused_and_nothing_changes(world, login):
    from tests.announcements.test_drafting import edit_post

    mine = big_notice(world.handler, rows=2)
    theirs = big_notice(world.other_handler, rows=1)
    foreign = theirs.report.rows.get()
    data = edit_post(mine, [{**S.row(1, name="篡改"), "id": foreign.pk}])
    data["rows-INITIAL_FORMS"] = "1"
    page = login(world.handler).post(edit_url(mine), data).content.decode()
    assert "请刷新页面" in page
    foreign.refresh_from_db()
    assert foreign.name == "项目1" and foreign.report_id == theirs.report_id
    assert sorted(mine.report.rows.values_list("name", flat=True)) == ["项目1", "项目2"]
