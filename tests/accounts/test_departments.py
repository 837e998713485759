"""部门管理: departments as data; 所属部门 chosen from them; disable, never delete while staffed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Department, User
from tests import factories as F

LIST = reverse("accounts:department_list")


@pytest.fixture
def admin(world, login):
    return login(world.admin)


def test_admin_adds_renames_and_orders_departments(world, admin):
    admin.post(reverse("accounts:department_create"), {"name": "办公室", "sort_order": 2})
    admin.post(reverse("accounts:department_create"), {"name": "采购科", "sort_order": 1})
    office = Department.objects.get(name="办公室")

    admin.post(
        reverse("accounts:department_update", args=[office.pk]), {"name": "综合办公室", "sort_order": 0}
    )

    assert list(Department.objects.filter(institution=world.unit).values_list("name", "sort_order")) == [
        ("综合办公室", 0),
        ("采购科", 1),
    ]


def test_duplicate_name_is_refused_next_to_the_field(world, admin):
    Department.objects.create(institution=world.unit, name="办公室")

    response = admin.post(reverse("accounts:department_create"), {"name": "办公室", "sort_order": 0})

    assert "已存在名为办公室的部门" in response.content.decode()
    assert Department.objects.filter(institution=world.unit).count() == 1


def test_department_with_staff_is_only_disabled(world, admin):
    office = Department.objects.create(institution=world.unit, name="办公室")
    User.objects.filter(pk=world.handler.pk).update(department=office)

    response = admin.post(reverse("accounts:department_delete", args=[office.pk]), follow=True)

    assert "办公室下仍有员工，不能删除，只能停用" in response.content.decode()
    admin.post(reverse("accounts:department_toggle", args=[office.pk]), {"active": "0"})
    office.refresh_from_db()
    world.handler.refresh_from_db()
    assert (office.is_active, world.handler.department) == (False, office)


def test_empty_department_is_deleted(world, admin):
    spare = Department.objects.create(institution=world.unit, name="临时组")

    admin.post(reverse("accounts:department_delete", args=[spare.pk]))

    assert not Department.objects.filter(pk=spare.pk).exists()


def test_staff_form_offers_only_enabled_departments_of_own_institution(world, admin):
    Department.objects.create(institution=world.unit, name="办公室")
    Department.objects.create(institution=world.unit, name="旧科室", is_active=False)
    Department.objects.create(institution=world.outsider, name="外单位科室")

    html = admin.get(reverse("accounts:staff_create")).content.decode()

    assert "办公室" in html and "旧科室" not in html and "外单位科室" not in html


def test_staff_edit_refuses_a_department_of_another_institution(world, admin):
    foreign = Department.objects.create(institution=world.outsider, name="外单位科室")

    response = admin.post(
        reverse("accounts:staff_update", args=[world.handler2.pk]),
        {"full_name": "经办人乙", "phone": "", "department": foreign.pk, "email": ""},
    )

    assert "不是可选的选项，请从列表中选择" in response.content.decode()
    world.handler2.refresh_from_db()
    assert world.handler2.department is None


def test_staff_list_filters_by_department_including_disabled_ones(world, admin):
    office = Department.objects.create(institution=world.unit, name="办公室", is_active=False)
    User.objects.filter(pk=world.handler2.pk).update(department=office)

    html = admin.get(reverse("accounts:staff_list"), {"department": office.pk}).content.decode()

    assert world.handler2.username in html and world.handler.username not in html
    assert "共有1条" in html


@pytest.mark.parametrize("actor", ["outsider_admin", "handler"])
def test_department_pages_of_others_are_404(world, login, actor):
    office = Department.objects.create(institution=world.unit, name="办公室")
    client = login(getattr(world, actor))

    assert (
        client.post(
            reverse("accounts:department_update", args=[office.pk]), {"name": "被改", "sort_order": 0}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("accounts:department_toggle", args=[office.pk]), {"active": "0"}).status_code
        == 404
    )
    assert client.post(reverse("accounts:department_delete", args=[office.pk])).status_code == 404
    office.refresh_from_db()
    assert (office.name, office.is_active) == ("办公室", True)


def test_department_list_query_count_does_not_grow(world, admin):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            admin.get(LIST)
        return len(ctx.captured_queries)

    Department.objects.create(institution=world.unit, name="部门0")
    one = count()
    for i in range(1, 4):
        dept = Department.objects.create(institution=world.unit, name=f"部门{i}")
        F.user(institution=world.unit, department=dept)

    assert count() == one


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_turns_free_text_into_departments_and_titles():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0003_departments_phone_verification_institution_info")])
    old = executor.loader.project_state(
        [("accounts", "0003_departments_phone_verification_institution_info")]
    ).apps
    Institution, District, OldUser = (
        old.get_model("accounts", n) for n in ("Institution", "District", "User")
    )
    unit = Institution.objects.create(
        name="旧单位", district=District.objects.get(code="310107"), kind="budget_unit"
    )
    other = Institution.objects.create(
        name="另一单位", district=District.objects.get(code="310107"), kind="budget_unit"
    )
    for username, institution, text in [
        ("a", unit, "办公室/科员"),
        ("b", unit, "办公室"),
        ("c", unit, " 采购科 ／ 科长 "),
        ("d", other, "办公室/主任"),
        ("e", unit, ""),
        ("f", None, "平台/运维"),
    ]:
        OldUser.objects.create(username=username, institution=institution, department=text)

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_user_department_choice")])
    executor.loader.build_graph()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    got = {
        u.username: (
            u.institution.name if u.institution else None,
            u.department.name if u.department else None,
            u.title,
        )
        for u in User.objects.filter(username__in="abcdef").select_related("department", "institution")
    }
    assert got == {
        "a": ("旧单位", "办公室", "科员"),
        "b": ("旧单位", "办公室", ""),
        "c": ("旧单位", "采购科", "科长"),
        "d": ("另一单位", "办公室", "主任"),
        "e": ("旧单位", None, ""),
        "f": (None, None, "平台/运维"),
    }
    assert Department.objects.filter(institution__name="旧单位").count() == 2


def test_department_list_is_in_the_admins_order(world, admin):
    Department.objects.create(institution=world.unit, name="办公室", sort_order=2)
    Department.objects.create(institution=world.unit, name="采购科", sort_order=1)

    html = admin.get(LIST).content.decode()

    assert html.index("采购科") < html.index("办公室")


def test_department_by_name_finds_only_enabled_departments_of_the_institution(world):
    from accounts.departments import DepartmentError, department_by_name

    office = Department.objects.create(institution=world.unit, name="办公室")
    Department.objects.create(institution=world.unit, name="旧科室", is_active=False)
    Department.objects.create(institution=world.outsider, name="外单位科室")

    assert department_by_name(institution=world.unit, name=" 办公室 ") == office
    assert department_by_name(institution=world.unit, name="") is None
    for name in ["旧科室", "外单位科室"]:
        with pytest.raises(DepartmentError):
            department_by_name(institution=world.unit, name=name)


def test_platform_admin_sees_departments_and_institution_history_in_the_admin_site(world, client):
    Department.objects.create(institution=world.unit, name="办公室")
    superuser = F.user(is_staff=True, is_superuser=True)
    client.force_login(superuser, backend="accounts.backends.ActiveStaffBackend")

    departments = client.get("/admin/accounts/department/").content.decode()
    history = client.get("/admin/accounts/institutionchange/")

    assert "办公室" in departments and world.unit.name in departments
    assert history.status_code == 200
