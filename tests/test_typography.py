"""Chinese typography (GB/T 15834): full-width punctuation in Chinese sentences, in the catalogue
and in the generated notice; machine-readable times the W3C checker accepts."""

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest

from reservations.rendering import render_notice

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”]"
# A half-width , : ; ( ) ! ? with a Chinese character on either side (times like 23:59 are digits).
HALF_WIDTH = re.compile(rf"(?<={CJK})[,:;()!?]|[,:;()!?](?={CJK})")


def offending(text: str) -> list[str]:
    return [text[max(0, m.start() - 6) : m.end() + 6] for m in HALF_WIDTH.finditer(text)]


def test_the_checker_finds_what_it_should():
    assert offending("其中,面向小微企业") == ["其中,面向小微企业"]
    assert offending("部门(单位)名称:") != []
    assert offending("23:59:59（北京时间）") == []
    assert offending("%(name)s：文件") == []


def test_catalogue_uses_full_width_punctuation_in_chinese_sentences():
    bad = {}
    for entry in polib.pofile(str(PO)):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if offending(text):
                bad[entry.msgid] = text
    assert bad == {}


@pytest.mark.django_db
def test_generated_notice_uses_full_width_punctuation(world):
    from reservations.services import report_create, report_rows_save, report_update
    from tests import drafting_support as S

    report = report_create(institution=world.unit, year=2025)
    report_rows_save(
        report=report,
        rows=[
            S.row(
                1, option="dedicated_lot", ratio=Decimal("20"), category="goods", budget_amount=Decimal("500")
            )
        ],
    )
    report_update(report=report, competent_unit_name=report.competent_unit_name, explanation="市场主体不足。")
    html = str(render_notice(report=report, title="标题", notice_date=datetime(2026, 3, 1).date()))
    text = re.sub(r"<[^>]+>", "", html)
    assert offending(text) == []
    assert "根据《政府采购促进中小企业发展管理办法》（财库〔2020〕46号）要求，现对本部门（单位）" in text


@pytest.mark.django_db
def test_public_detail_time_has_no_microseconds(client, world):
    from tests.public.conftest import make_notice

    published = datetime(2026, 3, 1, 10, 0, 5, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    notice = make_notice(institution=world.unit, published_at=published)
    page = client.get(f"/notices/{notice.public_id}/").content.decode()
    assert '<time datetime="2026-03-01T10:00:05+08:00">' in page
