"""Who may reach 员工管理: one table of role × page, with data that could leak (another institution)."""

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

ROLES = ["admin", "handler", "reviewer", "finance", "supervisor", "outsider_admin", "anonymous"]
PAGES = ["list", "detail", "edit", "positions", "batch"]

# role → outcome on a staff member of the admin's institution (world.handler2).
# "ok": served; "hidden": the list is served but without the target; "404"; "login": sign-in redirect.
EXPECTED = {
    "admin": {"list": "ok", "detail": "ok", "edit": "ok", "positions": "ok", "batch": "ok"},
    "handler": dict.fromkeys(PAGES, "404"),
    "reviewer": dict.fromkeys(PAGES, "404"),
    "finance": dict.fromkeys(PAGES, "404"),
    "supervisor": dict.fromkeys(PAGES, "404"),
    "outsider_admin": {"list": "hidden", "detail": "404", "edit": "404", "positions": "404", "batch": "404"},
    "anonymous": dict.fromkeys(PAGES, "login"),
}


def _request(client, view, target):
    if view == "batch":
        return client.post(reverse("accounts:staff_batch"), {"action": "disable", "select": [target.pk]})
    url = {
        "list": reverse("accounts:staff_list"),
        "detail": reverse("accounts:staff_detail", args=[target.pk]),
        "edit": reverse("accounts:staff_update", args=[target.pk]),
        "positions": reverse("accounts:staff_positions", args=[target.pk]),
    }[view]
    return client.get(url)


@pytest.mark.parametrize("view", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_access_by_role(world, client, login, role, view):
    target = world.handler2
    if role != "anonymous":
        login(getattr(world, role))

    response = _request(client, view, target)

    expected = EXPECTED[role][view]
    target.refresh_from_db()
    if expected == "ok":
        assert response.status_code in (200, 302)
        if view == "batch":
            assert target.is_active is False
        else:
            assert target.username in response.content.decode()
    elif expected == "hidden":
        assert response.status_code == 200
        assert target.username not in response.content.decode()
    elif expected == "404":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    if expected != "ok":
        # A refused request changes nothing.
        assert target.is_active is True
        assert target.changes.count() == 0


@pytest.mark.parametrize(
    "name,method,data",
    [
        ("staff_restore", "post", {}),
        ("staff_delete", "post", {}),
        ("staff_update", "post", {"full_name": "被改名", "phone": "", "department": "", "email": ""}),
        ("staff_positions", "post", {"positions": ["institution_admin"]}),
    ],
)
def test_staff_writes_by_other_institution_admin_are_404_and_change_nothing(world, login, name, method, data):
    target = world.handler2
    client = login(world.outsider_admin)

    response = getattr(client, method)(reverse(f"accounts:{name}", args=[target.pk]), data)

    assert response.status_code == 404
    target.refresh_from_db()
    assert (target.full_name, target.is_deleted, target.is_active) == ("经办人乙", False, True)
    assert list(target.groups.values_list("name", flat=True)) == ["项目采购经办岗"]
    assert target.changes.count() == 0


def test_staff_batch_with_one_foreign_id_is_404_and_changes_nothing(world, login):
    client = login(world.admin)

    response = client.post(
        reverse("accounts:staff_batch"),
        {"action": "disable", "select": [world.handler2.pk, world.outsider_handler.pk]},
    )

    assert response.status_code == 404
    assert set(
        User.objects.filter(pk__in=[world.handler2.pk, world.outsider_handler.pk]).values_list(
            "is_active", flat=True
        )
    ) == {True}


def test_staff_batch_positions_with_foreign_id_is_404(world, login):
    client = login(world.admin)
    url = reverse("accounts:staff_batch_positions")

    response = client.post(f"{url}", {"ids": [world.outsider_handler.pk], "positions": ["institution_admin"]})

    assert response.status_code == 404
    assert list(world.outsider_handler.groups.values_list("name", flat=True)) == ["项目采购经办岗"]


def test_staff_list_of_superuser_without_institution_is_404(db, client):
    boss = User.objects.create_superuser(
        username="root", email="root@example.cn", password="x-very-long-pass-1"
    )
    client.force_login(boss, backend="accounts.backends.ActiveStaffBackend")

    response = client.get(reverse("accounts:staff_list"))

    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_staff_menu_entry_shows_only_to_admins(world, login):
    admin_page = login(world.admin).get(reverse("accounts:console")).content.decode()
    handler_page = login(world.handler).get(reverse("accounts:console")).content.decode()

    assert reverse("accounts:staff_list") in admin_page
    assert reverse("accounts:staff_list") not in handler_page


@pytest.mark.parametrize(
    "name,args,method",
    [
        ("staff_list", [], "get"),
        ("staff_create", [], "get"),
        ("staff_create", [], "post"),
        ("staff_batch", [], "post"),
        ("staff_batch_positions", [], "get"),
        ("staff_detail", ["pk"], "get"),
        ("staff_update", ["pk"], "post"),
        ("staff_positions", ["pk"], "post"),
        ("staff_delete", ["pk"], "get"),
        ("staff_delete", ["pk"], "post"),
        ("staff_restore", ["pk"], "post"),
    ],
)
def test_staff_every_url_is_404_without_manage_staff(world, login, name, args, method):
    client = login(world.handler)
    target = world.handler2
    url = reverse(f"accounts:{name}", args=[target.pk for _ in args])
    if name == "staff_batch_positions":
        url += f"?ids={target.pk}"

    response = getattr(client, method)(url, {"select": [target.pk], "action": "disable", "username": "x"})

    assert response.status_code == 404
    target.refresh_from_db()
    assert (target.is_active, target.is_deleted, target.changes.count()) == (True, False, 0)
    assert not User.objects.filter(username="x").exists()
