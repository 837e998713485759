"""The 员工管理 pages as an institution admin sees them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Perm, Position, StaffAction
from accounts.models import Department, StaffChange, User
from accounts.rules import user_holds
from tests import factories as F

pytestmark = pytest.mark.django_db

LIST = "/console/staff/"


def _rows(html):
    """The account names (账号 column) shown in the table body."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(
        r'name="select" value="\d+"[^>]*/>.*?</td>\s*<td[^>]*>.*?</td>\s*<td[^>]*>([^<]+)</td>', body, re.S
    )


@pytest.fixture
def admin_client(world, login):
    return login(world.admin)


def test_staff_list_shows_own_institution_with_seed_columns(world, admin_client):
    html = admin_client.get(LIST).content.decode()

    for header in ["员工基本信息", "账号", "所属部门/职务", "岗位", "账号状态", "操作项"]:
        assert re.search(rf">\s*{header}\s*<", html), header
    assert "批量启用" in html and "批量停用" in html and "批量设置岗位" in html
    assert sorted(_rows(html)) == sorted(
        u.username for u in [world.admin, world.handler, world.handler2, world.reviewer]
    )
    assert world.outsider_handler.username not in html
    assert "共有4条" in html
    assert "已启用" in html


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"full_name": "经办"}, ["handler", "handler2"]),
        ({"phone": "1391234"}, ["reviewer"]),
        ({"department": "采购科"}, ["handler2"]),
    ],
)
def test_staff_list_filters(world, admin_client, query, expected):
    User.objects.filter(pk=world.reviewer.pk).update(phone="13912345678")
    purchasing = Department.objects.create(institution=world.unit, name="采购科")
    User.objects.filter(pk=world.handler2.pk).update(department=purchasing)
    if "department" in query:
        query = {"department": purchasing.pk}

    html = admin_client.get(LIST, query).content.decode()

    assert sorted(_rows(html)) == sorted(getattr(world, key).username for key in expected)


def test_staff_list_filter_by_account(world, admin_client):
    html = admin_client.get(LIST, {"username": world.reviewer.username}).content.decode()

    assert _rows(html) == [world.reviewer.username]
    assert "共有1条" in html


def test_staff_list_pages_of_ten_with_page_size_choice(world, admin_client):
    for _ in range(21):
        F.user(institution=world.unit)

    first = admin_client.get(LIST).content.decode()
    bigger = admin_client.get(LIST, {"per_page": 50}).content.decode()
    forged = admin_client.get(LIST, {"per_page": 100000}).content.decode()

    assert len(_rows(first)) == 10
    assert "共有25条" in first
    assert "20 条/页" in first
    assert len(_rows(bigger)) == 25
    assert len(_rows(forged)) == 10


def test_staff_list_deleted_tab(world, admin_client):
    User.objects.filter(pk=world.handler2.pk).update(is_deleted=True)

    everyone = admin_client.get(LIST).content.decode()
    deleted = admin_client.get(LIST, {"tab": "deleted"}).content.decode()

    assert world.handler2.username not in everyone
    assert world.handler2.username in deleted
    assert "恢复" in deleted
    assert "批量停用" not in deleted


def test_staff_list_query_count_is_constant(world, admin_client, django_assert_max_num_queries):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(LIST, {"per_page": 50})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(_rows(response.content.decode()))

    User.objects.filter(institution=world.unit).exclude(pk=world.admin.pk).delete()
    one, rows_one = count()
    departments = [Department.objects.create(institution=world.unit, name=f"部门{i}") for i in range(3)]
    for i in range(29):
        F.user(institution=world.unit, positions=[Position.HANDLER], department=departments[i % 3])
    thirty, rows_thirty = count()

    assert (rows_one, rows_thirty) == (1, 30)
    assert thirty == one
    with django_assert_max_num_queries(one):
        admin_client.get(LIST, {"per_page": 50})


def test_staff_create_with_initial_password(world, admin_client):
    office = Department.objects.create(institution=world.unit, name="办公室")
    response = admin_client.post(
        reverse("accounts:staff_create"),
        {
            "username": "zhangsan2026",
            "full_name": "张三",
            "phone": "13800138000",
            "department": office.pk,
            "title": "科员",
            "email": "",
            "password1": "Spring-rain-2026",
            "password2": "Spring-rain-2026",
        },
        follow=True,
    )

    user = User.objects.get(username="zhangsan2026")
    assert (user.institution, user.must_change_password, user.is_active) == (world.unit, True, True)
    assert (user.department, user.title, user.phone_verified) == (office, "科员", False)
    html = response.content.decode()
    assert "张三" in html and "zhangsan2026" in html
    assert "新增" in html  # the change history shows the creation


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("username", "handler-dup", "该账号已存在"),
        ("phone", "12345", "请输入以1开头的11位手机号码"),
        ("full_name", "", "请输入员工姓名"),
        ("password1", "12345678", "该密码过于常见"),
    ],
)
def test_staff_create_bad_input_shows_chinese_field_error(world, admin_client, field, value, message):
    F.user(institution=world.outsider, username="handler-dup")
    data = {
        "username": "lisi2026",
        "full_name": "李四",
        "phone": "",
        "department": "",
        "email": "",
        "password1": "Spring-rain-2026",
        "password2": "Spring-rain-2026",
    }
    data[field] = value
    if field == "password1":
        data["password2"] = value
    before = User.objects.count()

    response = admin_client.post(reverse("accounts:staff_create"), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'id="id_{field}_error">[^<]*{message}', html)
    assert User.objects.count() == before
    assert StaffChange.objects.count() == 0


def test_staff_edit_saves_and_records(world, admin_client):
    finance = Department.objects.create(institution=world.unit, name="财务科")
    response = admin_client.post(
        reverse("accounts:staff_update", args=[world.handler2.pk]),
        {"full_name": "经办人丙", "phone": "13700137000", "department": finance.pk, "email": "h2@example.cn"},
        follow=True,
    )

    world.handler2.refresh_from_db()
    assert (world.handler2.full_name, world.handler2.department) == ("经办人丙", finance)
    assert "经办人乙 → 经办人丙" in response.content.decode()


@pytest.mark.parametrize(
    "field,value,message",
    [("phone", "1380013800x", "请输入以1开头的11位手机号码"), ("full_name", "", "请输入员工姓名")],
)
def test_staff_edit_bad_input_saves_nothing(world, admin_client, field, value, message):
    finance = Department.objects.create(institution=world.unit, name="财务科")
    data = {"full_name": "经办人丙", "phone": "", "department": finance.pk, "email": ""}
    data[field] = value

    response = admin_client.post(reverse("accounts:staff_update", args=[world.handler2.pk]), data)

    assert re.search(rf'id="id_{field}_error">[^<]*{message}', response.content.decode())
    world.handler2.refresh_from_db()
    assert (world.handler2.full_name, world.handler2.department) == ("经办人乙", None)
    assert world.handler2.changes.count() == 0


def test_staff_batch_disable_and_enable(world, admin_client):
    targets = [world.handler.pk, world.handler2.pk]

    response = admin_client.post(
        reverse("accounts:staff_batch"), {"action": "disable", "select": targets}, follow=True
    )

    assert "已停用2个账号" in response.content.decode()
    assert set(User.objects.filter(pk__in=targets).values_list("is_active", flat=True)) == {False}
    admin_client.post(reverse("accounts:staff_batch"), {"action": "enable", "select": targets})
    assert set(User.objects.filter(pk__in=targets).values_list("is_active", flat=True)) == {True}


def test_staff_batch_without_selection_shows_message(world, admin_client):
    response = admin_client.post(reverse("accounts:staff_batch"), {"action": "disable"}, follow=True)

    assert "请先选择员工" in response.content.decode()
    assert StaffChange.objects.count() == 0


def test_staff_batch_disable_skips_own_row_with_message(world, admin_client):
    response = admin_client.post(
        reverse("accounts:staff_batch"),
        {"action": "disable", "select": [world.admin.pk, world.handler.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "已跳过您本人的账号：不能停用自己。" in page and "已停用1个账号" in page
    active = dict(
        User.objects.filter(pk__in=[world.admin.pk, world.handler.pk]).values_list("pk", "is_active")
    )
    assert active == {world.admin.pk: True, world.handler.pk: False}


def test_staff_batch_set_positions(world, admin_client):
    response = admin_client.post(
        reverse("accounts:staff_batch"),
        {"action": "set_positions", "select": [world.handler.pk, world.reviewer.pk]},
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "经办人甲" in page and "审核人甲" in page

    admin_client.post(
        response["Location"],
        {"ids": [world.handler.pk, world.reviewer.pk], "positions": ["purchaser_reviewer"]},
    )

    for user in (world.handler, world.reviewer):
        assert list(user.groups.values_list("name", flat=True)) == ["采购人审核岗"]
        assert user.changes.get().action == StaffAction.SET_POSITIONS


def test_staff_positions_page_offers_only_fitting_positions(world, admin_client):
    html = admin_client.get(reverse("accounts:staff_positions", args=[world.handler.pk])).content.decode()

    assert "项目采购经办岗" in html and "采购人审核岗" in html and "机构管理员" in html
    assert "财政审核岗" not in html and "监督检查岗" not in html
    assert "岗位权限设置" in html
    assert 'value="finance_review"' not in html


def test_staff_positions_page_of_finance_bureau_offers_finance_reviewer(world, login):
    finance_admin = F.user(institution=world.putuo_finance, positions=[Position.INSTITUTION_ADMIN])
    html = (
        login(finance_admin)
        .get(reverse("accounts:staff_positions", args=[world.finance.pk]))
        .content.decode()
    )

    assert "财政审核岗" in html
    assert "采购人审核岗" not in html and 'value="submit_notice"' not in html


def test_staff_positions_save_and_detail_shows_them(world, admin_client):
    url = reverse("accounts:staff_positions", args=[world.handler.pk])

    response = admin_client.post(
        url, {"positions": ["handler", "purchaser_reviewer"], "perms": ["manage_staff"]}, follow=True
    )

    html = response.content.decode()
    assert "项目采购经办岗" in html and "采购人审核岗" in html
    assert "管理员工和岗位" in html  # single permission
    assert "岗位：项目采购经办岗、采购人审核岗" in html  # change history
    assert user_holds(world.handler, Perm.MANAGE_STAFF)


def test_staff_positions_forged_misfit_is_refused(world, admin_client):
    url = reverse("accounts:staff_positions", args=[world.handler.pk])

    response = admin_client.post(url, {"positions": ["finance_reviewer"]})

    assert "finance_reviewer" in response.content.decode() or "有效选项" in response.content.decode()
    assert list(world.handler.groups.values_list("name", flat=True)) == ["项目采购经办岗"]


def test_staff_positions_last_admin_message(world, admin_client):
    response = admin_client.post(
        reverse("accounts:staff_positions", args=[world.admin.pk]), {"positions": ["handler"]}
    )

    assert "至少保留一名" in response.content.decode()
    assert list(world.admin.groups.values_list("name", flat=True)) == ["机构管理员"]


def test_staff_delete_confirm_then_restore(world, admin_client):
    url = reverse("accounts:staff_delete", args=[world.handler2.pk])
    assert "经办人乙" in admin_client.get(url).content.decode()
    world.handler2.refresh_from_db()
    assert world.handler2.is_deleted is False  # GET changes nothing

    admin_client.post(url)
    world.handler2.refresh_from_db()
    assert (world.handler2.is_deleted, world.handler2.deleted_by) == (True, world.admin)

    response = admin_client.post(reverse("accounts:staff_restore", args=[world.handler2.pk]), follow=True)
    world.handler2.refresh_from_db()
    assert world.handler2.is_deleted is False
    assert "已恢复" in response.content.decode()


def test_staff_delete_self_is_refused(world, admin_client):
    response = admin_client.post(reverse("accounts:staff_delete", args=[world.admin.pk]), follow=True)

    assert "不能删除自己的账号" in response.content.decode()
    world.admin.refresh_from_db()
    assert world.admin.is_deleted is False


def test_staff_detail_shows_history_with_actor(world, admin_client):
    admin_client.post(reverse("accounts:staff_batch"), {"action": "disable", "select": [world.handler2.pk]})

    html = admin_client.get(reverse("accounts:staff_detail", args=[world.handler2.pk])).content.decode()

    assert "已停用" in html
    history = html.split("staff-history", 1)[1]
    assert "管理员甲" in history and "停用" in history
