"""Demo accounts for `seed_demo` (see the README's table). Idempotent."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from .enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from .models import Department, District, Institution, User

UNIT_NAME = "上海市普陀区真如镇街道社区党群服务中心"

INSTITUTIONS = {
    "putuo_finance": ("上海市普陀区财政局", "310107", InstitutionKind.FINANCE_BUREAU),
    "qingpu_finance": ("上海市青浦区财政局", "310118", InstitutionKind.FINANCE_BUREAU),
    "unit": (UNIT_NAME, "310107", InstitutionKind.BUDGET_UNIT),
    "other_unit": ("上海市普陀区长征镇人民政府", "310107", InstitutionKind.BUDGET_UNIT),
    "qingpu_unit": ("上海市青浦区朱家角镇人民政府", "310118", InstitutionKind.BUDGET_UNIT),
    "supervision": ("上海市财政局监督检查局", "319900", InstitutionKind.SUPERVISION),
}

# 部门管理 of the demo unit, and who sits where (username → department, 职务).
DEPARTMENTS = ["办公室", "采购科", "财务科"]
PLACES = {
    "demo-admin": ("办公室", "主任"),
    "demo-handler": ("采购科", "科员"),
    "demo-reviewer": ("采购科", "科长"),
}
# A verified 绑定手机 so that 忘记密码 by code can be tried under `make run` (the console SMS
# backend prints the code in the terminal).
VERIFIED_PHONES = {"demo-handler": "13800000001"}

USERS = [
    # username, full name, institution key, positions
    ("demo-admin", "王敏", "unit", [Position.INSTITUTION_ADMIN]),
    ("demo-handler", "李静", "unit", [Position.HANDLER]),
    ("demo-reviewer", "张伟", "unit", [Position.PURCHASER_REVIEWER]),
    ("demo-finance", "陈芳", "putuo_finance", [Position.FINANCE_REVIEWER]),
    ("demo-qp-finance", "刘洋", "qingpu_finance", [Position.FINANCE_REVIEWER]),
    ("demo-other-handler", "赵磊", "other_unit", [Position.HANDLER]),
    ("demo-supervisor", "周婷", "supervision", [Position.SUPERVISOR]),
]


@transaction.atomic
def seed(context: dict) -> None:
    password = settings.DEMO_PASSWORD
    institutions = {}
    for key, (name, district_code, kind) in INSTITUTIONS.items():
        institutions[key], _ = Institution.objects.get_or_create(
            name=name, defaults={"district": District.objects.get(code=district_code), "kind": kind}
        )
    for username, full_name, inst_key, positions in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "institution": institutions[inst_key],
                "email": f"{username}@example.cn",
            },
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.set(Group.objects.filter(name__in=[POSITION_GROUP_NAMES[p] for p in positions]))
    departments = {
        name: Department.objects.get_or_create(
            institution=institutions["unit"], name=name, defaults={"sort_order": i}
        )[0]
        for i, name in enumerate(DEPARTMENTS)
    }
    for username, (department, title) in PLACES.items():
        User.objects.filter(username=username, department=None).update(
            department=departments[department], title=title
        )
    for username, phone in VERIFIED_PHONES.items():
        User.objects.filter(username=username, phone="").update(phone=phone, phone_verified=True)
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "full_name": "平台管理员",
            "is_staff": True,
            "is_superuser": True,
            "email": "admin@example.cn",
        },
    )
    if created:
        admin.set_password(password)
        admin.save()
    context["institutions"] = institutions
    context["users"] = {
        u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS] + ["admin"])
    }
