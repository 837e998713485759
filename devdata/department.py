"""The department story (domain.md §11): 上海市普陀区教育局 (whose own 2025 notice the oversight
story publishes) and two of its schools.

Each school's 2025 notice is made by its handler and passed 采购人初审 by its reviewer; the
bureau's 2025 department notice is compiled by demo-dept-handler, approved by
demo-dept-reviewer and published by demo-finance. Everything goes through the services and the
workflow. Idempotent: nothing is made twice.
"""

from django.db import transaction

from accounts.enums import Position
from accounts.models import Institution
from announcements.department import department_notice_create, department_notice_save
from announcements.enums import Kind
from announcements.models import Announcement
from reservations.enums import ProjectCategory, ReservationOption

from .accounts import demo_user, institution_get_or_create
from .notices import Row, notice_draft, notice_steps

BUREAU = "上海市普陀区教育局"
YEAR = 2025
G, S, W = ProjectCategory.GOODS, ProjectCategory.SERVICES, ProjectCategory.WORKS

# name, handler (username, full name), reviewer, rows, 说明
SCHOOLS = [
    (
        "上海市普陀区曹杨中学",
        ("demo-caoyang-handler", "孙倩"),
        ("demo-caoyang-reviewer", "吴刚"),
        [
            Row("教学楼物业管理服务", "CY-2025-01", S, ReservationOption.WHOLE, "100", "70", "68.4", "52.1"),
            Row(
                "实验室仪器设备采购",
                "CY-2025-02",
                G,
                ReservationOption.DEDICATED_LOT,
                "40",
                "90",
                "35.6",
                "12.8",
            ),
        ],
        "实验室仪器设备专业性强，小微企业供应商较少，小微企业占比未达到要求。",
    ),
    (
        "上海市普陀区真如中心小学",
        ("demo-zhenru-handler", "郑洁"),
        ("demo-zhenru-reviewer", "冯涛"),
        [
            Row("校园绿化养护服务", "ZR-2025-01", S, ReservationOption.WHOLE, "100", "25", "24.5", "24.5"),
            Row("操场塑胶跑道维修工程", "ZR-2025-02", W, ReservationOption.WHOLE, "100", "48", "46", "38"),
        ],
        "",
    ),
]
DEPT_USERS = [
    ("demo-dept-handler", "钱程", Position.HANDLER),
    ("demo-dept-reviewer", "沈悦", Position.PURCHASER_REVIEWER),
]


def seed_units() -> dict:
    """The bureau, its accounts, the two schools and their 2025 notices past 采购人初审. Returns
    the bureau's accounts by username."""
    bureau = institution_get_or_create(name=BUREAU, district_code="310107", kind="budget_unit")
    dept = {
        username: demo_user(username=username, full_name=name, institution=bureau, positions=[position])
        for username, name, position in DEPT_USERS
    }
    for name, (h_user, h_name), (r_user, r_name), rows, explanation in SCHOOLS:
        school = institution_get_or_create(name=name, district_code="310107", kind="budget_unit")
        if school.competent_unit_id != bureau.pk:
            school.competent_unit = bureau
            school.full_clean()
            school.save(update_fields=["competent_unit"])
        handler = demo_user(
            username=h_user, full_name=h_name, institution=school, positions=[Position.HANDLER]
        )
        reviewer = demo_user(
            username=r_user, full_name=r_name, institution=school, positions=[Position.PURCHASER_REVIEWER]
        )
        if Announcement.objects.filter(institution=school, year=YEAR).exists():
            continue
        draft = notice_draft(handler=handler, year=YEAR, rows=rows, explanation=explanation)
        notice_steps(draft, ("submit", handler), ("purchaser_approve", reviewer))
    return dept


@transaction.atomic
def seed(context: dict) -> None:
    """Side effects: the units above and the bureau's published 2025 department notice."""
    dept = seed_units()
    handler = dept["demo-dept-handler"]
    bureau: Institution = handler.institution
    if Announcement.objects.filter(institution=bureau, year=YEAR, kind=Kind.DEPARTMENT).exists():
        return
    announcement = department_notice_create(user=handler, year=YEAR)
    department_notice_save(
        announcement=announcement,
        user=handler,
        version=announcement.version,
        title=announcement.title,
        explanation="各单位未达到小微企业预留比例的项目，其原因见各单位说明。",
    )
    notice_steps(
        announcement,
        ("submit", handler),
        ("purchaser_approve", dept["demo-dept-reviewer"]),
        ("finance_approve", context["users"]["demo-finance"]),
    )
