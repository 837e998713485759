"""The one renderer: the 说明 paragraph after the table when (and only when) a threshold is missed."""

import re
from datetime import date
from decimal import Decimal

import pytest

from reservations.models import ReservedProject
from reservations.rendering import render_notice
from reservations.services import report_create, report_rows_save, report_update
from tests import drafting_support as S

pytestmark = pytest.mark.django_db

SHORT = S.row(1, option="dedicated_lot", ratio=Decimal("20"), category="goods", budget_amount=Decimal("500"))
EXPLANATION = "该项目技术要求高，本地中小企业无法满足，\n预留比例未达到30%。"


def text(report, rows=None) -> str:
    html = str(render_notice(report=report, title="标题", notice_date=date(2026, 3, 1), rows=rows))
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def test_notice_with_a_shortfall_publishes_the_explanation_after_the_table(world):
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(report=report, rows=[SHORT])
    report_update(report=report, competent_unit_name="主管单位", explanation=EXPLANATION)
    body = text(report)
    paragraph = "未达到预留份额比例的说明：该项目技术要求高，本地中小企业无法满足，预留比例未达到30%。"
    assert paragraph in body
    assert body.index("合同链接") < body.index(paragraph) < body.index("部门（单位）名称")


def test_notice_without_a_shortfall_has_no_such_paragraph_even_with_a_text(world):
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(report=report, rows=[S.row(1)])
    report_update(report=report, competent_unit_name="主管单位", explanation="不需要的说明")
    body = text(report)
    assert "未达到预留份额比例的说明" not in body and "不需要的说明" not in body


def test_preview_of_typed_rows_shows_the_paragraph_waiting_for_the_text(world):
    report = report_create(institution=world.unit, year=2025)
    assert "未达到预留份额比例的说明：（尚未填写）" in text(report, rows=[ReservedProject(**SHORT)])


def test_explanation_is_escaped(world):
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(report=report, rows=[SHORT])
    report_update(report=report, competent_unit_name="主管单位", explanation="<script>x</script>")
    html = str(render_notice(report=report, title="标题", notice_date=date(2026, 3, 1)))
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
