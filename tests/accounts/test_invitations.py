"""新增/邀请 and 批量新增: links valid 72 hours and usable once; imports all or nothing."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook

from accounts.enums import POSITION_GROUP_NAMES, Position, StaffAction
from accounts.models import Department, StaffChange, User
from accounts.rules import user_positions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def departments(world):
    """部门管理 has the departments the invitations and the template rows name."""
    return {
        name: Department.objects.create(institution=world.unit, name=name, sort_order=i)
        for i, name in enumerate(("办公室", "财务科"))
    }


INVITE = reverse("accounts:staff_invite")
IMPORT = reverse("accounts:staff_import")
NEW_PASSWORD = "Zq8!mountain-river"


def invite(client, **extra):
    department = Department.objects.get(name="办公室")
    data = {
        "username": "newbie",
        "full_name": "新同事",
        "phone": "",
        "department": department.pk,
        "email": "",
    }
    response = client.post(INVITE, {**data, **extra})
    return response, response.context["created"][0][
        1
    ] if response.status_code == 200 and "created" in response.context else None


def accept(client, url, password=NEW_PASSWORD):
    path = url.split("8000", 1)[-1]
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_invited_person_sets_their_password_and_signs_in(
    world, login, client, django_capture_on_commit_callbacks
):
    admin_client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response, url = invite(admin_client, email="newbie@example.cn")
    assert url is not None and url in response.content.decode()
    user = User.objects.get(username="newbie")
    assert user.institution == world.unit and not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["newbie@example.cn"]] and url in mail.outbox[0].body
    admin_client.logout()
    page = client.get(url.split("8000", 1)[-1])
    assert "新同事" in page.content.decode()
    response = accept(client, url)
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    signed_in = client.post(reverse("accounts:login"), {"username": "newbie", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert {c.action for c in StaffChange.objects.filter(staff=user)} == {
        StaffAction.CREATE,
        StaffAction.INVITE,
        StaffAction.ACCEPT_INVITATION,
    }


def test_an_invitation_works_once(world, login, client):
    _response, url = invite(login(world.admin))
    client.logout()
    assert accept(client, url).status_code == 302
    again = accept(client, url, password="Another!pass-2026")
    assert again.status_code == 410 and "已使用过" in again.content.decode()
    assert User.objects.get(username="newbie").check_password(NEW_PASSWORD)


def test_an_invitation_expires_after_72_hours(world, login, client):
    with freeze_time(timezone.now() - timedelta(hours=72, seconds=1)):
        _response, url = invite(login(world.admin))
    client.logout()
    response = accept(client, url)
    assert response.status_code == 410 and "已过期" in response.content.decode()
    assert not User.objects.get(username="newbie").has_usable_password()


def test_a_new_link_replaces_the_old_one(world, login, client):
    admin_client = login(world.admin)
    _response, old = invite(admin_client)
    user = User.objects.get(username="newbie")
    response = admin_client.post(reverse("accounts:staff_reinvite", args=[user.pk]))
    new = response.context["created"][0][1]
    admin_client.logout()

    refused = accept(client, old, password="Old!link-pass-2026")
    assert refused.status_code == 410 and "该邀请链接已过期" in refused.content.decode()
    assert not User.objects.get(pk=user.pk).has_usable_password()
    accepted = accept(client, new)
    assert accepted.status_code == 302 and accepted.url == reverse("accounts:login")
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_a_bad_link_is_refused(client):
    response = client.get(reverse("accounts:invitation_accept", args=["no-such-token"]))
    assert response.status_code == 410 and "邀请链接无效" in response.content.decode()


def test_only_the_institutions_admin_may_invite(world, login):
    client = login(world.handler)

    page = client.get(INVITE)
    posted = client.post(INVITE, {"username": "newbie", "full_name": "新同事", "phone": "", "email": ""})

    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert posted.status_code == 404
    assert not User.objects.filter(username="newbie").exists()


# --- 批量新增 --------------------------------------------------------------------------------


def workbook(rows, header=("姓名", "账号", "绑定手机", "部门/职务", "岗位")) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("staff.xlsx", out.getvalue())


FIVE = [
    ("张一", "zhang1", "13800000001", "办公室", "项目采购经办岗"),
    ("张二", "zhang2", 13800000002, "财务科", "采购人审核岗"),
    ("张三", "zhang3", "", "", "项目采购经办岗、采购人审核岗"),
    ("张四", "zhang4", "", "", ""),
    ("张五", "zhang5", "13800000005", "办公室/科员", "机构管理员"),
]


def test_template_has_the_columns(world, login):
    response = login(world.admin).get(reverse("accounts:staff_import_template"))
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == ["姓名", "账号", "绑定手机", "部门/职务", "岗位"]


def test_batch_import_creates_five_staff_with_positions_and_links(world, login):
    response = login(world.admin).post(IMPORT, {"file": workbook(FIVE)})
    assert response.status_code == 200
    created = response.context["created"]
    assert [u.username for u, _url in created] == ["zhang1", "zhang2", "zhang3", "zhang4", "zhang5"]
    zhang2 = User.objects.get(username="zhang2")
    zhang5 = User.objects.get(username="zhang5")
    assert (zhang2.phone, zhang2.department.name, zhang2.institution) == ("13800000002", "财务科", world.unit)
    assert (zhang5.department.name, zhang5.title) == ("办公室", "科员")
    # Imported numbers are not verified until their owners enter a code (绑定手机).
    assert not zhang2.phone_verified
    assert user_positions(User.objects.get(username="zhang3")) == [
        POSITION_GROUP_NAMES[Position.HANDLER],
        POSITION_GROUP_NAMES[Position.PURCHASER_REVIEWER],
    ]
    assert user_positions(User.objects.get(username="zhang4")) == []
    assert all(url in response.content.decode() for _u, url in created)


def test_batch_import_with_bad_rows_saves_nothing_and_lists_the_errors(world, login):
    rows = [
        *FIVE[:2],
        ("", "zhang6", "", "", ""),  # no name
        ("张七", "zhang1", "", "", ""),  # the same account twice
        ("张八", "zhang8", "123", "", ""),  # not a mobile number
        ("张九", "zhang9", "", "", "财政审核岗"),  # not for a budget unit
        ("张十", "zhang10", "", "", "局长"),  # no such position
        ("张十一", world.handler.username, "", "", ""),  # exists already
        ("张十二", "zhang12", "", "后勤处", ""),  # no such department
    ]
    before = User.objects.count()
    response = login(world.admin).post(IMPORT, {"file": workbook(rows)})
    errors = response.context["errors"]
    assert User.objects.count() == before
    assert [(row, column) for row, column, _m in errors] == [
        (4, "姓名"),
        (5, "账号"),
        (6, "绑定手机"),
        (7, "岗位"),
        (8, "岗位"),
        (9, "账号"),
        (10, "部门/职务"),
    ]
    html = response.content.decode()
    assert "未保存任何数据" in html and "与第2行的账号重复" in html and "未知岗位：局长" in html
    unknown = next(message for row, column, message in errors if "未知岗位" in message)
    assert "可填写的岗位：" in unknown and "项目采购经办岗" in unknown and "单元格内容为“" in unknown


def test_batch_import_refuses_a_file_without_the_columns(world, login):
    response = login(world.admin).post(IMPORT, {"file": workbook([("a", "b")], header=("姓名", "账号"))})
    assert response.context["errors"][0][2] == "表头缺少以上列，请使用导入模板。"


def test_batch_import_refuses_a_file_that_is_not_xlsx(world, login):
    response = login(world.admin).post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", b"not excel")})
    assert "文件不是Excel .xlsx 工作簿（旧版.xls文件请另存为.xlsx）。" in response.content.decode()


def test_batch_import_is_for_admins_only(world, login):
    assert login(world.handler).post(IMPORT, {"file": workbook(FIVE)}).status_code == 404
    assert not User.objects.filter(username="zhang1").exists()


def test_invitation_mail_leaves_through_the_queue(world, login, settings, django_capture_on_commit_callbacks):
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    queued = task_backends["default"].results
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response, url = invite(login(world.admin), email="newbie@example.cn")

    assert url is not None and mail.outbox == []  # the request never talks to the mail server
    from accounts.models import OutboxMessage

    waiting = OutboxMessage.objects.get()
    assert [(r.task.name, r.kwargs) for r in queued] == [("outbox_send_task", {"message_id": waiting.pk})]
    assert waiting.recipient == "newbie@example.cn" and url in waiting.body
    assert url not in str(queued[0].kwargs)  # the one-time link never sits in the task table
