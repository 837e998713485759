"""Demo institutions and accounts for `seed_demo` (the README's table). Idempotent.

Accounts are the starting point: nobody exists yet who could create them through the staff
services, so they are written directly, each with its positions (groups) and the demo password.
"""

from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from accounts.models import Department, District, Institution, User

UNIT_NAME = "上海市普陀区真如镇街道社区党群服务中心"

INSTITUTIONS = {
    "putuo_finance": ("上海市普陀区财政局", "310107", InstitutionKind.FINANCE_BUREAU),
    "qingpu_finance": ("上海市青浦区财政局", "310118", InstitutionKind.FINANCE_BUREAU),
    "unit": (UNIT_NAME, "310107", InstitutionKind.BUDGET_UNIT),
    "other_unit": ("上海市普陀区长征镇人民政府", "310107", InstitutionKind.BUDGET_UNIT),
    "qingpu_unit": ("上海市青浦区朱家角镇人民政府", "310118", InstitutionKind.BUDGET_UNIT),
    "supervision": ("上海市财政局监督检查局", "319900", InstitutionKind.SUPERVISION),
}

USERS = [
    # username, full name, institution key, positions
    ("demo-admin", "王敏", "unit", [Position.INSTITUTION_ADMIN]),
    ("demo-handler", "李静", "unit", [Position.HANDLER]),
    ("demo-reviewer", "张伟", "unit", [Position.PURCHASER_REVIEWER]),
    # 科室负责人: named on the unit's first review step (devdata.flows).
    ("demo-chief", "孙丽", "unit", [Position.PURCHASER_REVIEWER]),
    ("demo-finance", "陈芳", "putuo_finance", [Position.FINANCE_REVIEWER]),
    # With demo-finance, the two members of 普陀区's 财政会签 (devdata.flows).
    ("demo-finance2", "王磊", "putuo_finance", [Position.FINANCE_REVIEWER]),
    ("demo-qp-finance", "刘洋", "qingpu_finance", [Position.FINANCE_REVIEWER]),
    ("demo-other-handler", "赵磊", "other_unit", [Position.HANDLER]),
    ("demo-supervisor", "周婷", "supervision", [Position.SUPERVISOR]),
]


def institution_get_or_create(*, name: str, district_code: str, kind: str) -> Institution:
    institution, _ = Institution.objects.get_or_create(
        name=name, defaults={"district": District.objects.get(code=district_code), "kind": kind}
    )
    return institution


@cache
def _password_hash(password: str, hashers: tuple[str, ...]) -> str:
    # Hashed once for every demo account: each PBKDF2 hash takes about half a second.
    return make_password(password)


def demo_password_hash() -> str:
    return _password_hash(settings.DEMO_PASSWORD, tuple(settings.PASSWORD_HASHERS))


def demo_user(*, username: str, full_name: str, institution: Institution, positions) -> User:
    """The demo account `username` with exactly `positions`; created with the demo password."""
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "institution": institution,
            "email": f"{username}@example.cn",
            "password": demo_password_hash(),
        },
    )
    user.groups.set(Group.objects.filter(name__in=[POSITION_GROUP_NAMES[p] for p in positions]))
    return user


# 部门管理 of the demo unit, and who sits where (username → department, 职务).
DEPARTMENTS = ["办公室", "采购科", "财务科"]
PLACES = {
    "demo-admin": ("办公室", "主任"),
    "demo-handler": ("采购科", "科员"),
    "demo-reviewer": ("采购科", "科长"),
    "demo-chief": ("财务科", "科长"),
}
# A verified 绑定手机 so that 忘记密码 by code can be tried under `make run` (the console SMS
# backend prints the code in the terminal).
VERIFIED_PHONES = {"demo-handler": "13800000001"}


def seed_departments(unit: Institution) -> None:
    departments = {
        name: Department.objects.get_or_create(institution=unit, name=name, defaults={"sort_order": i})[0]
        for i, name in enumerate(DEPARTMENTS)
    }
    for username, (department, title) in PLACES.items():
        User.objects.filter(username=username, department=None).update(
            department=departments[department], title=title
        )
    for username, phone in VERIFIED_PHONES.items():
        User.objects.filter(username=username, phone="").update(phone=phone, phone_verified=True)


@transaction.atomic
def seed(context: dict) -> None:
    """Side effects: the institutions and accounts above, and the superuser `admin`.
    Puts `institutions` (by key) and `users` (by username) into `context`."""
    institutions = {
        key: institution_get_or_create(name=name, district_code=code, kind=kind)
        for key, (name, code, kind) in INSTITUTIONS.items()
    }
    for username, full_name, key, positions in USERS:
        demo_user(username=username, full_name=full_name, institution=institutions[key], positions=positions)
    seed_departments(institutions["unit"])
    User.objects.get_or_create(
        username="admin",
        defaults={
            "full_name": "平台管理员",
            "is_staff": True,
            "is_superuser": True,
            "email": "admin@example.cn",
            "password": demo_password_hash(),
        },
    )
    context["institutions"] = institutions
    context["users"] = {
        u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS] + ["admin"])
    }
