"""Drafting a notice: the create flow, one live notice per year, editing rows, the preview, access."""

from decimal import Decimal

import pytest
from django.urls import reverse

from announcements.enums import Kind, PublishMode, State
from announcements.models import Announcement
from announcements.services import DraftingError, StaleEdit, announcement_content_save
from reservations.models import ReservedProject
from tests import drafting_support as S

pytestmark = pytest.mark.django_db


def edit_post(announcement, rows, **extra):
    """POST data of the edit page: notice fields, report fields, and the rows as a formset."""
    data = {
        "title": announcement.title,
        "publish_mode": PublishMode.ON_APPROVAL,
        "scheduled_at": "",
        "version": str(announcement.version),
        "report-competent_unit_name": "上海市普陀区测试主管单位",
        "report-explanation": "",
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }
    for i, r in enumerate(rows):
        for key, value in r.items():
            data[f"rows-{i}-{key}"] = "" if value is None else str(value)
        data.setdefault(f"rows-{i}-ORDER", str(i + 1))
    data.update(extra)
    return data


def test_create_choice_offers_both_kinds(world, login):
    page = login(world.handler).get(reverse("announcements:create")).content.decode()
    assert "请选择新建公告类别" in page
    assert "面向中小企业预留项目执行情况公告" in page and "手动录入公告" in page


def test_create_sme_generates_draft_with_default_title(world, login):
    client = login(world.handler)
    response = client.post(
        reverse("announcements:create_sme"),
        {"district": world.unit.district_id, "year": "2025", "publish_mode": PublishMode.ON_APPROVAL},
    )
    notice = Announcement.objects.get(institution=world.unit)
    assert response.url == reverse("announcements:edit", args=[notice.public_id])
    assert notice.state == State.DRAFT
    assert notice.title == f"{world.unit.name}2025年面向中小企业预留项目执行情况公告"
    assert notice.report.competent_unit_name == world.unit.name
    assert notice.district == world.unit.district


def test_create_sme_refuses_another_district(world, login):
    client = login(world.handler)
    page = client.post(
        reverse("announcements:create_sme"),
        {"district": world.outsider.district_id, "year": "2025", "publish_mode": PublishMode.ON_APPROVAL},
    ).content.decode()
    assert "行政区划" in page and Announcement.objects.count() == 0
    assert "本单位所在的行政区划" in page


def test_create_sme_scheduled_needs_a_future_time(world, login):
    client = login(world.handler)
    page = client.post(
        reverse("announcements:create_sme"),
        {"district": world.unit.district_id, "year": "2025", "publish_mode": PublishMode.SCHEDULED},
    ).content.decode()
    assert "定时发布的日期和时间" in page
    assert Announcement.objects.count() == 0


def test_create_sme_second_notice_same_year_refused_with_message(world, login):
    S.draft(world.handler, 2025)
    client = login(world.handler2)
    page = client.post(
        reverse("announcements:create_sme"),
        {"district": world.unit.district_id, "year": "2025", "publish_mode": PublishMode.ON_APPROVAL},
    ).content.decode()
    assert "本单位已有2025年的公告（草稿）：请打开该公告继续编辑。" in page
    assert reverse("announcements:detail", args=[Announcement.objects.get().public_id]) in page
    assert Announcement.objects.filter(institution=world.unit).count() == 1


def test_create_sme_allowed_again_after_revocation(world):
    first = S.draft(world.handler, 2025)
    Announcement.objects.filter(pk=first.pk).update(state=State.REVOKED)
    second = S.draft(world.handler, 2025)
    assert second.pk != first.pk
    assert (
        Announcement.objects.filter(institution=world.unit, year=2025).exclude(state=State.REVOKED).count()
        == 1
    )


def test_create_sme_service_refuses_duplicate(world):
    S.draft(world.handler, 2024)
    with pytest.raises(DraftingError):
        S.draft(world.handler2, 2024)


def test_create_pages_404_for_reviewer(world, login):
    client = login(world.reviewer)
    for name in ("create", "create_sme"):
        response = client.get(reverse(f"announcements:{name}"))
        assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_edit_saves_rows_and_totals(world, login):
    notice = S.draft(world.handler)
    rows = [S.row(1), S.row(2, sme_amount="12.5", small_micro_amount="0.000001"), S.row(3)]
    response = login(world.handler).post(
        reverse("announcements:edit", args=[notice.public_id]), edit_post(notice, rows)
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    report = notice.report
    assert [r.name for r in report.rows.all()] == ["项目1", "项目2", "项目3"]
    assert report.sme_total == Decimal("212.5")
    assert report.small_micro_total == Decimal("160.000001")
    assert notice.version == 2
    page = login(world.handler).get(reverse("announcements:edit", args=[notice.public_id])).content.decode()
    assert "共计212.5万元" in page and "小微企业采购160.000001万元" in page


def test_edit_order_field_reorders_and_delete_removes(world, login):
    notice = S.draft(world.handler)
    rows = [S.row(1), S.row(2), S.row(3)]
    data = edit_post(notice, rows, **{"rows-0-ORDER": "3", "rows-2-ORDER": "1", "rows-1-DELETE": "on"})
    login(world.handler).post(reverse("announcements:edit", args=[notice.public_id]), data)
    assert list(notice.report.rows.values_list("name", "position")) == [("项目3", 0), ("项目1", 1)]


def test_edit_invalid_row_saves_nothing_and_keeps_typed_values(world, login):
    notice = S.draft(world.handler)
    login(world.handler).post(
        reverse("announcements:edit", args=[notice.public_id]), edit_post(notice, [S.row(1)])
    )
    notice.refresh_from_db()
    bad = [S.row(7, name="新名字"), S.row(8, ratio="150", option="consortium", sme_amount="abc")]
    response = login(world.handler).post(
        reverse("announcements:edit", args=[notice.public_id]), edit_post(notice, bad)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "预留比例须大于0且不超过100" in page
    assert 'value="abc"' in page and 'value="新名字"' in page
    assert list(notice.report.rows.values_list("name", flat=True)) == ["项目1"]


def test_edit_whole_option_ratio_is_always_100(world, login):
    notice = S.draft(world.handler)
    data = edit_post(notice, [S.row(1, option="whole", ratio="")])
    login(world.handler).post(reverse("announcements:edit", args=[notice.public_id]), data)
    assert notice.report.rows.get().ratio == Decimal("100")


def test_edit_empty_extra_rows_are_ignored(world, login):
    notice = S.draft(world.handler)
    empty = dict.fromkeys(S.row(9), "")
    data = edit_post(notice, [S.row(1), empty])
    data["rows-1-ORDER"] = "2"
    response = login(world.handler).post(reverse("announcements:edit", args=[notice.public_id]), data)
    assert response.status_code == 302
    assert notice.report.rows.count() == 1


def test_stale_edit_after_submission_is_refused_and_nothing_overwritten(world, login):
    notice = S.draft(world.handler)
    client = login(world.handler)
    client.post(reverse("announcements:edit", args=[notice.public_id]), edit_post(notice, [S.row(1)]))
    notice.refresh_from_db()
    form_data = edit_post(notice, [S.row(5, name="晚到的修改")], title="晚到的标题")  # the form as opened
    Announcement.objects.filter(pk=notice.pk).update(state=State.PURCHASER_REVIEW)
    response = client.post(reverse("announcements:edit", args=[notice.public_id]), form_data)
    page = response.content.decode()
    assert "未保存" in page and "晚到的标题" in page  # the typed text stays on the page
    notice.refresh_from_db()
    assert notice.title != "晚到的标题"
    assert list(notice.report.rows.values_list("name", flat=True)) == ["项目1"]


def test_stale_version_refused_by_service(world):
    notice = S.draft(world.handler)
    announcement_content_save(
        announcement=notice,
        user=world.handler,
        version=1,
        title="甲",
        publish_mode=PublishMode.ON_APPROVAL,
        rows=[],
    )
    with pytest.raises(StaleEdit):
        announcement_content_save(
            announcement=notice,
            user=world.handler2,
            version=1,
            title="乙",
            publish_mode=PublishMode.ON_APPROVAL,
        )
    notice.refresh_from_db()
    assert notice.title == "甲"


def test_preview_renders_typed_rows_without_saving(world, login):
    notice = S.draft(world.handler)
    rows = [
        S.row(1, sme_amount="100", small_micro_amount="50", budget_amount="300"),
        S.row(2, sme_amount="0.1", small_micro_amount="0"),
    ]
    html = (
        login(world.handler)
        .post(reverse("announcements:preview", args=[notice.public_id]), edit_post(notice, rows))
        .content.decode()
    )
    assert '<dd id="sme-total">100.1</dd>' in html
    assert '<dd id="share">49.95</dd>' in html
    assert "第1行：预留份额中小微企业占比50.00%，低于60%的要求" in html  # the row's share warning
    assert "[" not in html  # no [年份]-style placeholder
    assert ReservedProject.objects.count() == 0


def test_preview_leaves_out_invalid_rows_and_says_so(world, login):
    notice = S.draft(world.handler)
    rows = [S.row(1), S.row(2, contract_url="https://evil.example.com/x")]
    html = (
        login(world.handler)
        .post(reverse("announcements:preview", args=[notice.public_id]), edit_post(notice, rows))
        .content.decode()
    )
    assert '<dd id="sme-total">100</dd>' in html and "1 行有错误" in html


def test_outsider_gets_404_on_draft_pages(world, login):
    notice = S.draft(world.handler)
    for user in (world.outsider_handler, world.other_handler, world.finance):
        client = login(user)
        for name in ("edit", "import_rows", "export_rows"):
            response = client.get(reverse(f"announcements:{name}", args=[notice.public_id]))
            assert response.status_code == 404 and "页面不存在" in response.content.decode()
            assert notice.title not in response.content.decode()
        for name in ("edit", "preview"):
            response = client.post(
                reverse(f"announcements:{name}", args=[notice.public_id]), edit_post(notice, [S.row(1)])
            )
            assert response.status_code == 404 and notice.title not in response.content.decode()
    assert ReservedProject.objects.count() == 0


def test_reviewer_of_same_institution_cannot_edit(world, login):
    notice = S.draft(world.handler)
    response = login(world.reviewer).post(
        reverse("announcements:edit", args=[notice.public_id]), edit_post(notice, [S.row(1)])
    )
    assert response.status_code == 404
    assert notice.report.rows.count() == 0


def test_edit_of_submitted_notice_redirects_to_detail(world, login):
    notice = S.draft(world.handler)
    Announcement.objects.filter(pk=notice.pk).update(state=State.PURCHASER_REVIEW)
    response = login(world.handler).get(reverse("announcements:edit", args=[notice.public_id]))
    assert response.url == reverse("announcements:detail", args=[notice.public_id])


def test_manual_notice_body_is_sanitised(world, login):
    client = login(world.handler)
    body = (
        '<p onclick="x()">正文<img src=x onerror="alert(1)"></p><script>alert(2)</script>'
        '<a href="javascript:alert(3)">链接</a>'
    )
    client.post(
        reverse("announcements:create_manual"),
        {
            "district": world.unit.district_id,
            "title": "其他公告",
            "body_html": body,
            "publish_mode": PublishMode.ON_APPROVAL,
        },
    )
    notice = Announcement.objects.get(kind=Kind.MANUAL)
    assert "正文" in notice.body_html
    for bad in ("<script", "onerror", "onclick", "javascript:", "alert(2)"):
        assert bad not in notice.body_html


def test_edit_page_shows_stored_amounts_as_typed(world, login):
    notice = S.draft(world.handler)
    login(world.handler).post(
        reverse("announcements:edit", args=[notice.public_id]),
        edit_post(notice, [S.row(1, sme_amount="12.5", small_micro_amount="0.000001")]),
    )
    page = login(world.handler).get(reverse("announcements:edit", args=[notice.public_id])).content.decode()
    assert 'name="rows-0-sme_amount" value="12.5"' in page
    assert 'name="rows-0-small_micro_amount" value="0.000001"' in page
    assert 'name="rows-0-ratio" value="100"' in page


def test_refused_save_previews_what_was_typed(world, login):
    notice = S.draft(world.handler)
    rows = [S.row(1, sme_amount="70", small_micro_amount="50"), S.row(2, name="", sme_amount="5")]
    page = login(world.handler).post(
        reverse("announcements:edit", args=[notice.public_id]), edit_post(notice, rows)
    )
    html = page.content.decode()
    assert '<dd id="sme-total">70</dd>' in html and "1 行有错误" in html
    assert notice.report.rows.count() == 0
