"""The diff after a return covers every field, formatted as on the page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from announcements import workflow
from announcements.diff import compare_snapshots
from announcements.models import Attachment
from reservations.models import ReservedProject

from .workflow_factories import add_row, notice, totals

pytestmark = pytest.mark.django_db


def row(n, **kw):
    data = {
        "id": n, "name": f"项目{n}", "code": f"P-{n}", "category": "goods", "option": "whole",
        "ratio": "100.00", "budget_amount": "150.000000", "sme_amount": "120.500000",
        "small_micro_amount": "100.000000", "contract_url": f"https://www.zfcg.sh.gov.cn/contract/{n}",
        "procurement_date": None,
    }  # fmt: skip
    return {**data, **kw}


def snapshot(rows, **kw):
    data = {
        "title": "甲公告", "publish_mode": "on_approval", "scheduled_at": None, "competent_unit_name": "甲局",
        "explanation": "", "attachments": [], "rows": rows,
        "sme_total": str(sum(Decimal(r["sme_amount"]) for r in rows)),
        "small_micro_total": str(sum(Decimal(r["small_micro_amount"]) for r in rows)),
    }  # fmt: skip
    return {**data, **kw}


def test_basic_information_changes_are_listed():
    before = snapshot([row(1)])
    after = snapshot(
        [row(1)],
        title="乙公告",
        publish_mode="scheduled",
        scheduled_at="2026-03-01T02:00:00+00:00",
        competent_unit_name="乙局",
        explanation="新说明",
    )
    diff = compare_snapshots(before, after)
    assert [(c.field, c.before, c.after) for c in diff.basic] == [
        ("title", "甲公告", "乙公告"),
        ("publish_mode", "审核完成发布", "定时发布"),
        ("scheduled_at", "", "2026-03-01 10:00"),
        ("competent_unit_name", "甲局", "乙局"),
        ("explanation", "", "新说明"),
    ]


def test_every_row_field_is_compared_and_formatted_as_on_the_page():
    after = row(
        1,
        name="项目一",
        category="works",
        option="dedicated_lot",
        ratio="40.00",
        budget_amount="500.000000",
        sme_amount="200.000000",
        small_micro_amount="150.000000",
        contract_url="https://www.zfcg.sh.gov.cn/contract/9",
        procurement_date="2022-08-01",
    )
    diff = compare_snapshots(snapshot([row(1)]), snapshot([after]))
    [changed] = diff.changed
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("name", "项目1", "项目一"),
        ("category", "货物", "工程"),
        ("option", "采购项目整体预留", "设置专门采购包"),
        ("ratio", "100", "40"),
        ("budget_amount", "150", "500"),
        ("sme_amount", "120.5", "200"),
        ("small_micro_amount", "100", "150"),
        ("contract_url", "https://www.zfcg.sh.gov.cn/contract/1", "https://www.zfcg.sh.gov.cn/contract/9"),
        ("procurement_date", "", "2022-08-01"),
    ]
    assert [(c.field, c.before, c.after) for c in diff.totals] == [
        ("sme_total", "120.5", "200"),
        ("small_micro_total", "100", "150"),
        ("share", "82.98", "75.00"),  # 82.9875: truncated, never rounded up
    ]


def test_rows_added_removed_and_reordered():
    before = snapshot([row(1), row(2), row(3)])
    after = snapshot([row(3), row(1), row(4)])
    diff = compare_snapshots(before, after)
    assert diff.added == [{"name": "项目4", "sme_amount": "120.5"}]
    assert diff.removed == [{"name": "项目2", "sme_amount": "120.5"}]
    assert [(m.name, m.before, m.after) for m in diff.moved] == [("项目3", 3, 1), ("项目1", 1, 2)]


def test_attachments_added_and_removed():
    before = snapshot([row(1)], attachments=[{"id": 1, "name": "旧.pdf", "size": 1}])
    after = snapshot([row(1)], attachments=[{"id": 2, "name": "新.pdf", "size": 1}])
    diff = compare_snapshots(before, after)
    assert (diff.attachments_added, diff.attachments_removed) == (["新.pdf"], ["旧.pdf"])


def test_fields_missing_from_an_older_snapshot_are_not_reported():
    old = {k: v for k, v in row(1).items() if k not in ("category", "budget_amount", "procurement_date")}
    before = {k: v for k, v in snapshot([old]).items() if k not in ("publish_mode", "attachments")}
    assert not compare_snapshots(before, snapshot([row(1)]))


def test_reviewer_sees_every_kind_of_change_after_a_return(world, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    announcement = notice(institution=world.unit, rows=2, created_by=world.handler)
    workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)
    announcement.refresh_from_db()
    workflow.apply_action(
        announcement=announcement, action="purchaser_return", actor=world.reviewer, comment="改"
    )
    report = announcement.report
    ReservedProject.objects.filter(report=report, name="项目1").update(
        position=5, procurement_date=date(2024, 5, 1)
    )
    add_row(report, name="新增项目", code="P-9", budget_amount=Decimal("80"), sme_amount=Decimal("10"),
            small_micro_amount=Decimal("8"))  # fmt: skip
    totals(report)
    report.explanation = "补充说明"
    report.save()
    Attachment.objects.create(announcement=announcement, file="x.pdf", original_name="合同.pdf", size=10,
                              content_type="application/pdf")  # fmt: skip
    announcement.refresh_from_db()
    workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)

    page = (
        login(world.reviewer)
        .get(reverse("announcements:detail", args=[announcement.public_id]))
        .content.decode()
    )
    assert "说明：<del>已说明</del> → <ins>补充说明</ins>" in page
    assert "新增项目（10）" in page
    assert "项目1：第1行 → 第3行" in page
    assert "<ins>新增：合同.pdf</ins>" in page
    assert "采购日期或合同签订日期 <del>-</del> → <ins>2024-05-01</ins>" in page
