"""Requests from the second attack that once answered 500: the same username created by two admins
at once, and a NUL spelled inside the session cookie."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from accounts import importers, invitations, services
from accounts.models import User
from tests import factories as F
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def uniqueness_checked_too_early(monkeypatch):
    """What a second admin sees when the first one's insert lands between the form's uniqueness
    check and their own insert: the check passes, the database refuses."""
    monkeypatch.setattr(User, "validate_unique", lambda self, exclude=None: None)


def test_creating_an_account_that_another_admin_just_created_says_it_exists(
    world, uniqueness_checked_too_early
):
    F.user(institution=world.unit, username="dup-staff")

    with pytest.raises(ValidationError) as raised:
        services.staff_create(
            actor=world.admin, username="dup-staff", full_name="乙", password="Zx8!long-pass"
        )

    assert raised.value.message_dict == {"username": ["该账号已存在。"]}
    assert User.objects.filter(username="dup-staff").count() == 1


def test_inviting_an_account_that_another_admin_just_created_shows_the_message(
    world, login, uniqueness_checked_too_early
):
    F.user(institution=world.unit, username="dup-staff")

    response = login(world.admin).post(
        reverse("accounts:staff_invite"),
        {"full_name": "乙", "username": "dup-staff", "email": "b@example.cn"},
    )

    assert response.status_code == 200
    assert "该账号已存在。" in response.content.decode()
    assert User.objects.filter(username="dup-staff").count() == 1


def test_an_account_committed_between_two_checks_is_refused_in_the_projects_words(world):
    # Another admin's account landed after the form's check: the service's full_clean refuses it
    # first, with AbstractUser's unique message (the race CI caught), in the project's words.
    F.user(institution=world.unit, username="dup-staff")

    with pytest.raises(ValidationError) as raised:
        invitations.staff_invite(actor=world.admin, username="dup-staff", full_name="乙")

    assert raised.value.message_dict == {"username": ["该账号已存在。"]}


def _staff_sheet(*rows) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(importers.COLUMNS)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("staff.xlsx", out.getvalue())


def test_batch_import_racing_another_admin_saves_nothing_and_names_the_row(
    world, uniqueness_checked_too_early
):
    F.user(institution=world.unit, username="dup-staff")
    upload = _staff_sheet(("甲", "new-staff", "", "", ""), ("乙", "dup-staff", "", "", ""))

    result = importers.staff_import(actor=world.admin, upload=upload)

    assert result.errors == [(3, "账号", "该账号已存在。")]
    assert result.created == []
    assert not User.objects.filter(username="new-staff").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_creating_one_username_at_once_one_wins_the_other_is_told(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs threads with their own connections")

    def create():
        return invitations.staff_invite(actor=world.admin, username="same-name", full_name="丙")

    results = run_together(create, create, create)

    refused = [r for r in results if isinstance(r, Exception)]
    assert User.objects.filter(username="same-name").count() == 1
    assert len(refused) == 2
    assert all(
        isinstance(r, ValidationError) and r.message_dict["username"] == ["该账号已存在。"] for r in refused
    )


@pytest.mark.parametrize("path", ["/notices/", "/console/"])
def test_a_nul_inside_the_session_cookie_is_no_session(world, path):
    client = Client(raise_request_exception=False, HTTP_COOKIE='sessionid="abcdefgh\\000ijk"')

    response = client.get(path)

    if path == "/console/":
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 200 and "公告" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_api_answers_other_methods_with_a_json_405(world, method):
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)

    response = getattr(client, method)("/api/notices/")

    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {"errors": {"request": ["开放数据接口只支持读取，请使用GET请求。"]}}
