"""Who may see and do what in oversight, and the few policy numbers it reads.

Two roles, both checked here only:
- a 财政审核岗 of a finance bureau (`accounts.rules.is_district_finance`, the same test that lets
  it review its district's notices) works on its own district's campaigns;
- a 监督检查岗 sees every district, compares them and draws spot-check samples;
- a 主管预算单位's 项目采购经办岗 and 采购人审核岗 (46号 第十八条: the department reports upward) see
  their department's 上报统计 and 书面报告 and submit the report to their finance bureau.
Everyone else gets 404 from the views. Oversight keeps no policy threshold: it reads the verdict
reservations stores on each row.
"""

import zoneinfo
from datetime import date, datetime, time

from django.db.models import Q

from accounts.enums import Perm
from accounts.rules import is_district_finance, user_holds, works_at_finance_bureau
from announcements.department import is_competent_unit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A campaign's "before" reminders start this many days before the deadline unless it says otherwise.
DEFAULT_REMIND_DAYS_BEFORE = 7


def is_supervisor(user) -> bool:
    return user_holds(user, Perm.OVERSEE)


def can_oversee_filing(user) -> bool:
    return is_supervisor(user) or is_district_finance(user)


def can_spot_check(user) -> bool:
    return is_supervisor(user)


def can_manage_campaign(user, campaign) -> bool:
    """Only the district's own finance bureau declares and edits its campaigns."""
    return is_district_finance(user) and works_at_finance_bureau(user, district_id=campaign.district_id)


def can_remind(user, campaign) -> bool:
    return can_manage_campaign(user, campaign) or is_supervisor(user)


def reporting_department(user):
    """The 主管预算单位 whose 书面报告 the user prepares and submits (its 项目采购经办岗 or
    采购人审核岗), or None."""
    institution = getattr(user, "institution", None)
    if institution is None or not (
        user_holds(user, Perm.SUBMIT_NOTICE) or user_holds(user, Perm.PURCHASER_REVIEW)
    ):
        return None
    # Asked by the menu on every console page: one query per request, not one per question.
    if getattr(user, "_reporting_department_of", None) != institution.pk:
        user._reporting_department_of = institution.pk
        user._reporting_department = institution if is_competent_unit(institution) else None
    return user._reporting_department


def can_view_statistics(user) -> bool:
    return can_oversee_filing(user) or reporting_department(user) is not None


def statistics_scope(user) -> Q | None:
    """The rows a user may count: a supervisor every district, a finance bureau its own, a
    主管预算单位 its department (its own and its subordinate units' rows); None for anyone else."""
    if is_supervisor(user):
        return Q()
    if is_district_finance(user):
        return Q(report__announcement__district_id=user.institution.district_id)
    department = reporting_department(user)
    if department is not None:
        return Q(report__institution_id=department.pk) | Q(
            report__institution__competent_unit_id=department.pk
        )
    return None


def end_of_day(day: date) -> datetime:
    """A deadline typed as a date means the end of that day in Shanghai (the seed's 23:59:59)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()
