"""One rendering for preview, review and public pages: the generated text, never a placeholder."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from django.urls import reverse

from announcements import services
from announcements.enums import Kind, PublishMode
from announcements.models import Announcement
from announcements.rendering import render_announcement
from reservations.services import report_rows_save
from tests import drafting_support as S

pytestmark = pytest.mark.django_db


def test_sme_notice_text_has_values_rows_and_footer(world):
    notice = S.draft(world.handler, 2024)
    report_rows_save(
        report=notice.report,
        rows=[
            S.row(1),
            S.row(2, name="<b>项目</b>", sme_amount=Decimal("0.5"), small_micro_amount=Decimal("0.5")),
        ],
    )
    Announcement.objects.filter(pk=notice.pk).update(
        published_at=datetime(2025, 3, 9, 1, 0, tzinfo=ZoneInfo("UTC"))
    )
    notice.refresh_from_db()
    html = str(render_announcement(notice))
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    assert "现对本部门（单位）2024年面向中小企业预留项目执行情况公告如下" in text
    assert "本部门（单位）2024年预留项目面向中小企业采购共计100.5万元，其中，面向小微企业采购80.5万元" in text
    assert "&lt;b&gt;项目&lt;/b&gt;" in html  # typed text is escaped
    assert f"部门（单位）名称：{world.unit.name}" in text and "日期：2025年3月9日" in text
    assert not re.search(r"\[[^\]]*\]", text)


def test_empty_report_share_is_a_dash(world):
    notice = S.draft(world.handler)
    text = str(render_announcement(notice))
    assert "共计0万元" in text and "占—%" in text


def test_manual_notice_renders_sanitised_body(world):
    notice = services.announcement_create_manual(
        user=world.handler,
        district=world.unit.district,
        title="通知",
        body_html="<p>正文</p>",
        publish_mode=PublishMode.ON_APPROVAL,
    )
    Announcement.objects.filter(pk=notice.pk).update(body_html='<p>正文</p><img src=x onerror="alert(1)">')
    notice.refresh_from_db()
    assert str(render_announcement(notice)) == "<p>正文</p>"


def test_database_constraint_race_becomes_a_clear_error(world, monkeypatch):
    S.draft(world.handler, 2023)
    monkeypatch.setattr(services, "live_sme_notice_exists", lambda **kw: False)
    with pytest.raises(services.DraftingError) as caught:
        S.draft(world.handler2, 2023)
    assert "已有2023年的公告" in str(caught.value)
    assert Announcement.objects.filter(year=2023).count() == 1
    with pytest.raises(IntegrityError):
        Announcement.objects.create(
            kind=Kind.SME_RESERVATION,
            institution=world.unit,
            district=world.unit.district,
            year=2023,
            title="x",
        )


def test_manual_edit_saves_sanitised_body_and_previews(world, login):
    notice = services.announcement_create_manual(
        user=world.handler,
        district=world.unit.district,
        title="通知",
        body_html="<p>旧</p>",
        publish_mode="on_approval",
    )
    client = login(world.handler)
    data = {
        "title": "新通知",
        "body_html": "<p>新</p><script>x()</script>",
        "publish_mode": "on_approval",
        "version": "1",
    }
    preview = client.post(reverse("announcements:preview", args=[notice.public_id]), data).content.decode()
    assert "新通知" in preview and "<script" not in preview
    client.post(reverse("announcements:edit", args=[notice.public_id]), data)
    notice.refresh_from_db()
    assert (notice.title, notice.body_html, notice.version) == ("新通知", "<p>新</p>", 2)
