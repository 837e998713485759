"""The department demo (domain.md §11): 上海市普陀区教育局 and two of its schools.

Each school's 2025 notice is past 采购人初审 (made and approved by the school's own staff), and
the bureau's 2025 department notice is compiled by demo-dept-handler, approved by
demo-dept-reviewer and published by demo-finance. Everything goes through the services and the
workflow. Idempotent: nothing is made twice.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from accounts.models import District, Institution, User
from reservations.enums import ProjectCategory, ReservationOption
from reservations.services import report_rows_save, report_update

from .department import department_notice_create, department_notice_save
from .enums import Kind, PublishMode
from .models import Announcement
from .services import announcement_create_sme
from .workflow import apply_action

BUREAU = "上海市普陀区教育局"
YEAR = 2025
CONTRACT = "https://www.zfcg.sh.gov.cn/site/detail?contractId=demo-edu-{key}-{n}"

# school key, name, handler, reviewer, rows (name, category, option, ratio, sme, small/micro), 说明
SCHOOLS = [
    (
        "caoyang",
        "上海市普陀区曹杨中学",
        ("demo-caoyang-handler", "孙丽"),
        ("demo-caoyang-reviewer", "吴刚"),
        [
            ("教学楼物业管理服务", ProjectCategory.SERVICES, ReservationOption.WHOLE, "100", "68.4", "52.1"),
            (
                "实验室仪器设备采购",
                ProjectCategory.GOODS,
                ReservationOption.DEDICATED_LOT,
                "40",
                "35.6",
                "12.8",
            ),
        ],
        "实验室仪器设备专业性强，小微企业供应商较少，小微企业占比未达到要求。",
    ),
    (
        "zhenru",
        "上海市普陀区真如中心小学",
        ("demo-zhenru-handler", "郑洁"),
        ("demo-zhenru-reviewer", "冯涛"),
        [
            ("校园绿化养护服务", ProjectCategory.SERVICES, ReservationOption.WHOLE, "100", "24.5", "24.5"),
            ("操场塑胶跑道维修工程", ProjectCategory.WORKS, ReservationOption.WHOLE, "100", "46", "38"),
        ],
        "",
    ),
]
DEPT_USERS = [
    ("demo-dept-handler", "钱程", Position.HANDLER),
    ("demo-dept-reviewer", "沈悦", Position.PURCHASER_REVIEWER),
]


def _user(username, full_name, institution, position):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "institution": institution, "email": f"{username}@example.cn"},
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    user.groups.set(Group.objects.filter(name=POSITION_GROUP_NAMES[position]))
    return user


def _rows(key, rows):
    return [
        {
            "name": name,
            "code": "",
            "category": category,
            "option": option,
            "ratio": Decimal(ratio),
            "budget_amount": None,
            "sme_amount": Decimal(sme),
            "small_micro_amount": Decimal(small),
            "contract_url": CONTRACT.format(key=key, n=n),
        }
        for n, (name, category, option, ratio, sme, small) in enumerate(rows, start=1)
    ]


def _step(announcement, action, actor):
    announcement.refresh_from_db()
    apply_action(announcement=announcement, action=action, actor=actor)


@transaction.atomic
def seed(context: dict) -> None:
    dept = seed_units()
    bureau = dept["demo-dept-handler"].institution
    if not Announcement.objects.filter(institution=bureau, year=YEAR, kind=Kind.DEPARTMENT).exists():
        announcement = department_notice_create(user=dept["demo-dept-handler"], year=YEAR)
        department_notice_save(
            announcement=announcement,
            user=dept["demo-dept-handler"],
            version=announcement.version,
            title=announcement.title,
            explanation="各单位未达到小微企业预留比例的项目，其原因见各单位说明。",
        )
        _step(announcement, "submit", dept["demo-dept-handler"])
        _step(announcement, "purchaser_approve", dept["demo-dept-reviewer"])
        _step(announcement, "finance_approve", context["users"]["demo-finance"])


def seed_units() -> dict:
    """The bureau, its accounts, the two schools and their 2025 notices past 采购人初审; returns
    the bureau's accounts by username."""
    putuo = District.objects.get(code="310107")
    bureau, _ = Institution.objects.get_or_create(
        name=BUREAU, defaults={"district": putuo, "kind": InstitutionKind.BUDGET_UNIT}
    )
    dept = {username: _user(username, name, bureau, position) for username, name, position in DEPT_USERS}
    for key, name, (h_name, h_full), (r_name, r_full), rows, explanation in SCHOOLS:
        school, _ = Institution.objects.get_or_create(
            name=name,
            defaults={"district": putuo, "kind": InstitutionKind.BUDGET_UNIT, "competent_unit": bureau},
        )
        handler = _user(h_name, h_full, school, Position.HANDLER)
        reviewer = _user(r_name, r_full, school, Position.PURCHASER_REVIEWER)
        if Announcement.objects.filter(institution=school, year=YEAR).exists():
            continue
        notice = announcement_create_sme(
            user=handler, district=putuo, year=YEAR, publish_mode=PublishMode.ON_APPROVAL
        )
        report_update(report=notice.report, competent_unit_name=BUREAU, explanation=explanation)
        report_rows_save(report=notice.report, rows=_rows(key, rows))
        _step(notice, "submit", handler)
        _step(notice, "purchaser_approve", reviewer)
    return dept
