"""Regression tests of attacks once made against the site: each repeats the attack's steps and
asserts what a user or the data now show. Related attacks are tested beside their code: the
admin-removal races in tests/accounts/test_staff_concurrency.py, the bulk files in
tests/public/test_bulk_files.py, failing services in tests/ops/test_failures.py, the cache keys in
tests/public/test_cache_keys.py."""

import io
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from accounts.services import staff_create, staff_delete, staff_disable, staff_enable, staff_restore
from announcements.enums import State
from announcements.models import FlowLogEntry
from reservations.excel import SpreadsheetError, read_rows, template_workbook
from reservations.xlsx import xlsx_response
from tests import factories as F
from tests.announcements import workflow_factories as wf

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": F.PASSWORD})
    assert response.status_code == 302
    return client


# --- disabled or deleted accounts keep their sessions -------------------------------------------


def test_deleted_account_restored_does_not_revive_its_old_session(world):
    client = _signed_in(world.handler)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    staff_delete(actor=world.admin, staff=world.handler)
    staff_restore(actor=world.admin, staff=User.objects.get(pk=world.handler.pk))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get(reverse("accounts:console"))

    assert not Session.objects.filter(session_key=cookie).exists()
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_disabled_account_enabled_again_does_not_revive_its_old_session(world):
    client = _signed_in(world.handler)
    other = _signed_in(world.reviewer)

    staff_disable(actor=world.admin, staff=[world.handler])
    staff_enable(actor=world.admin, staff=[User.objects.get(pk=world.handler.pk)])

    replay, untouched = client.get(reverse("accounts:console")), other.get(reverse("accounts:console"))

    assert replay.status_code == 302 and replay.url.startswith(reverse("accounts:login"))
    # Only that account's sessions end: a colleague stays in the console.
    assert untouched.status_code == 200 and world.reviewer.full_name in untouched.content.decode()


# --- the forced first-login change accepts the initial password --------------------------------


def test_forced_password_change_refuses_the_initial_password(world):
    staff_create(actor=world.admin, username="fresh", full_name="新人", password="Initial-pass-2026")
    client = Client()
    client.post(reverse("accounts:login"), {"username": "fresh", "password": "Initial-pass-2026"})

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Initial-pass-2026",
            "new_password1": "Initial-pass-2026",
            "new_password2": "Initial-pass-2026",
        },
    )

    assert response.status_code == 200
    assert "新密码不能与原密码相同" in response.content.decode()
    assert User.objects.get(username="fresh").must_change_password is True
    assert client.get(reverse("accounts:console"))["Location"] == reverse("accounts:password_change")


# --- 500s on crafted input ---------------------------------------------------------------------


def test_nul_in_a_posted_reason_answers_400_with_a_message_and_changes_nothing(world, login):
    notice = wf.notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    client = login(world.reviewer)

    response = client.post(
        reverse("announcements:action", args=[notice.public_id, "purchaser_return"]),
        {"comment": "请修改\x00金额", "version": notice.version},
    )

    notice.refresh_from_db()
    assert response.status_code == 400
    assert "提交的内容包含无效字符" in response.content.decode()
    assert notice.state == State.PURCHASER_REVIEW
    assert not FlowLogEntry.objects.filter(announcement=notice, action="purchaser_return").exists()


def _rebuilt(workbook: bytes, change) -> bytes:
    """The workbook with its first sheet's XML replaced by change(xml)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize(
    "change",
    [lambda xml: xml[: len(xml) // 2], lambda xml: LAUGHS],
    ids=["truncated-sheet-xml", "billion-laughs"],
)
def test_broken_workbook_is_refused_as_damaged(change):
    upload = SimpleUploadedFile("rows.xlsx", _rebuilt(template_workbook(), change))

    with pytest.raises(SpreadsheetError) as refused:
        read_rows(upload)

    assert str(refused.value) == "文件已损坏或不是有效的Excel文件。"


@pytest.mark.parametrize(
    "change",
    [lambda xml: xml[: len(xml) // 2], lambda xml: LAUGHS],
    ids=["truncated-sheet-xml", "billion-laughs"],
)
def test_broken_workbook_uploaded_through_the_pages_answers_the_message_not_500(world, login, change):
    # The attack came through the pages: the rows import and the staff batch import.
    from accounts.importers import template_workbook as staff_template
    from reservations.services import report_rows_save
    from tests import drafting_support as S

    notice = S.draft(world.handler)
    report_rows_save(report=notice.report, rows=[S.row(1)])
    rows_page = login(world.handler).post(
        reverse("announcements:import_rows", args=[notice.public_id]),
        {"file": SimpleUploadedFile("rows.xlsx", _rebuilt(template_workbook(), change)), "mode": "replace"},
        follow=True,  # the import runs on the task worker; its page shows the outcome
    )
    staff_before = User.objects.count()
    staff_page = login(world.admin).post(
        reverse("accounts:staff_import"),
        {"file": SimpleUploadedFile("staff.xlsx", _rebuilt(staff_template(), change))},
    )

    assert rows_page.status_code == 200
    assert "文件已损坏或不是有效的Excel文件" in rows_page.content.decode()
    assert list(notice.report.rows.values_list("name", flat=True)) == ["项目1"]
    assert staff_page.status_code == 200
    assert (
        "文件已损坏或不是有效的Excel文件" in staff_page.content.decode()
    )  # the same words as the rows import
    assert User.objects.count() == staff_before


# --- draft amounts on the oversight dashboard ---------------------------------------------------


def test_dashboard_and_export_hide_amounts_until_finance_may_see_the_notice(world, login):
    from datetime import date

    from oversight import services
    from oversight.rules import end_of_day
    from tests.oversight.helpers import notice

    campaign = services.campaign_create(
        actor=world.finance, year=2025, deadline=end_of_day(date(2026, 7, 15))
    )
    notice(world.unit, sme="300", small="200")
    notice(world.other_unit, state=State.DRAFT, sme="50", small="10")

    for user in (world.finance, world.supervisor):
        client = login(user)
        export = load_workbook(
            io.BytesIO(client.get(f"/console/oversight/campaigns/{campaign.pk}/export.xlsx").content)
        )
        units = {r[1].value: r for r in export.worksheets[1].iter_rows(min_row=2)}
        html = client.get(f"/console/oversight/campaigns/{campaign.pk}/").content.decode()
        draft = client.get(
            reverse("announcements:detail", args=[world.other_unit.announcements.get().public_id])
        )

        assert draft.status_code == 404  # the console hides the draft …
        assert units[world.other_unit.name][8].value is None  # … and so do the dashboard's figures
        assert Decimal(str(units[world.unit.name][8].value)) == Decimal("300")
        row = html[html.index(world.other_unit.name) :]
        row = row[: row.index("</tr>")]
        assert ">50<" not in row and ">10<" not in row
        client.logout()


# --- Cache-Control on console pages and exports, export names ---------------------------------


def test_console_pages_and_exports_are_private_and_not_stored(world, login):
    client = login(world.finance)
    from datetime import date

    from oversight import services
    from oversight.rules import end_of_day

    campaign = services.campaign_create(
        actor=world.finance, year=2025, deadline=end_of_day(date(2026, 7, 15))
    )

    for url in (
        reverse("accounts:console"),
        "/console/notices/",
        f"/console/oversight/campaigns/{campaign.pk}/",
        f"/console/oversight/campaigns/{campaign.pk}/export.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_export_named_with_a_slash_keeps_its_whole_title():
    response = xlsx_response(b"PK", "2025/2026年度\\预留项目.xlsx")

    assert "2025-2026" in response["Content-Disposition"]
    assert "/" not in response["Content-Disposition"].split("filename", 1)[1]
    assert response["Cache-Control"] == "private, no-store"


# --- a per-process cache in production -----------------------------------------------------------


def test_production_refuses_a_per_process_cache():
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "CACHE_URL": "locmemcache://one-process",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "config.E001" in result.stderr
