"""The department story (domain.md §11): 上海市普陀区教育局 (whose own 2025 notice the oversight
story publishes) and two of its schools.

2024 is done: the bureau's own notice and both schools' notices are published, and the bureau's
2024 department notice (部门汇总) is compiled by demo-dept-handler, approved by demo-dept-reviewer
and published by demo-finance. 2025 is left to try: both schools' notices have passed 采购人初审
(曹杨中学's with a shortfall and its 说明) and there is no 2025 department notice yet, so
demo-dept-handler can compile it. Everything goes through the services and the workflow.
Idempotent: nothing is made twice.
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
YEAR = 2025  # to compile: the schools' notices wait for finance, no department notice yet
PUBLISHED_YEAR = 2024  # done: everything published, the department notice too
G, S, W = ProjectCategory.GOODS, ProjectCategory.SERVICES, ProjectCategory.WORKS
WHOLE, LOT = ReservationOption.WHOLE, ReservationOption.DEDICATED_LOT

# name, handler (username, full name), reviewer, {year: (rows, 说明)}
SCHOOLS = [
    (
        "上海市普陀区曹杨中学",
        ("demo-caoyang-handler", "孙倩"),
        ("demo-caoyang-reviewer", "吴刚"),
        {
            PUBLISHED_YEAR: (
                [
                    Row("教学楼物业管理服务", "CY-2024-01", S, WHOLE, "100", "70", "66.8", "50.2"),
                    Row("学生课桌椅采购", "CY-2024-02", G, WHOLE, "100", "45", "43.5", "43.5"),
                ],
                "",
            ),
            YEAR: (
                [
                    Row("教学楼物业管理服务", "CY-2025-01", S, WHOLE, "100", "70", "68.4", "52.1"),
                    # 300万 goods, 40% as a lot of 120万: 48万 to small/micro firms is 40%, below 60%.
                    Row("实验室仪器设备采购", "CY-2025-02", G, LOT, "40", "300", "120", "48", "special"),
                ],
                "实验室仪器设备采购（预算300万元）专业性强，小微企业供应商较少，"
                "该采购包小微企业采购金额占比为40%，未达到60%。",
            ),
        },
    ),
    (
        "上海市普陀区真如中心小学",
        ("demo-zhenru-handler", "郑洁"),
        ("demo-zhenru-reviewer", "冯涛"),
        {
            PUBLISHED_YEAR: (
                [
                    Row("校园绿化养护服务", "ZR-2024-01", S, WHOLE, "100", "25", "24", "24"),
                    # 260万 goods, 35% as a lot of 91万: 40万 to small/micro firms is 43.96%.
                    Row("多媒体教室设备采购", "ZR-2024-02", G, LOT, "35", "260", "91", "40", "supply"),
                ],
                "多媒体教室设备采购（预算260万元）的专门采购包由中型设备供应商中标，"
                "该采购包小微企业采购金额占比为43.96%，未达到60%。",
            ),
            YEAR: (
                [
                    Row("校园绿化养护服务", "ZR-2025-01", S, WHOLE, "100", "25", "24.5", "24.5"),
                    Row("操场塑胶跑道维修工程", "ZR-2025-02", W, WHOLE, "100", "48", "46", "38"),
                ],
                "",
            ),
        },
    ),
]
# The bureau's own 2024 notice (its 2025 one is the oversight story's).
BUREAU_2024 = [Row("普陀区中小学校园安保服务", "PTJY-2024-011", S, WHOLE, "100", "175", "170.2", "132.6")]
DEPARTMENT_EXPLANATION = "本部门各单位未达到预留份额比例的原因见各单位说明。"
DEPT_USERS = [
    ("demo-dept-handler", "钱程", Position.HANDLER),
    ("demo-dept-reviewer", "沈悦", Position.PURCHASER_REVIEWER),
]


def _notice(*, institution, year, handler, steps, rows, explanation="") -> None:
    """The unit's notice of `year`, taken through `steps`, unless it has one already."""
    if Announcement.objects.filter(institution=institution, year=year, kind=Kind.SME_RESERVATION).exists():
        return
    notice_steps(notice_draft(handler=handler, year=year, rows=rows, explanation=explanation), *steps)


def seed_units(finance) -> dict:
    """The bureau, its accounts, the two schools and their notices: 2024 published, 2025 past
    采购人初审. Returns the bureau's accounts by username."""
    bureau = institution_get_or_create(name=BUREAU, district_code="310107", kind="budget_unit")
    dept = {
        username: demo_user(username=username, full_name=name, institution=bureau, positions=[position])
        for username, name, position in DEPT_USERS
    }
    handler, reviewer = dept["demo-dept-handler"], dept["demo-dept-reviewer"]
    published = [("submit", handler), ("purchaser_approve", reviewer), ("finance_approve", finance)]
    _notice(institution=bureau, year=PUBLISHED_YEAR, handler=handler, steps=published, rows=BUREAU_2024)
    for name, (h_user, h_name), (r_user, r_name), years in SCHOOLS:
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
        for year, steps in (
            (
                PUBLISHED_YEAR,
                [("submit", handler), ("purchaser_approve", reviewer), ("finance_approve", finance)],
            ),
            (YEAR, [("submit", handler), ("purchaser_approve", reviewer)]),
        ):
            rows, explanation = years[year]
            _notice(
                institution=school,
                year=year,
                handler=handler,
                steps=steps,
                rows=rows,
                explanation=explanation,
            )
    return dept


@transaction.atomic
def seed(context: dict) -> None:
    """Side effects: the units above and the bureau's published 2024 department notice."""
    finance = context["users"]["demo-finance"]
    dept = seed_units(finance)
    handler = dept["demo-dept-handler"]
    bureau: Institution = handler.institution
    if Announcement.objects.filter(institution=bureau, year=PUBLISHED_YEAR, kind=Kind.DEPARTMENT).exists():
        return
    announcement = department_notice_create(user=handler, year=PUBLISHED_YEAR)
    department_notice_save(
        announcement=announcement,
        user=handler,
        version=announcement.version,
        title=announcement.title,
        explanation=DEPARTMENT_EXPLANATION,
    )
    notice_steps(
        announcement,
        ("submit", handler),
        ("purchaser_approve", dept["demo-dept-reviewer"]),
        ("finance_approve", finance),
    )
