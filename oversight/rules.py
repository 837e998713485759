"""Who may see and do what in oversight, and the few policy numbers it reads.

Two roles, both checked here only:
- a 财政审核岗 of a finance bureau works on its own district's campaigns;
- a 监督检查岗 sees every district, compares them and draws spot-check samples.
Everyone else gets 404 from the views.
"""

import zoneinfo
from datetime import date, datetime, time
from decimal import Decimal

from accounts.enums import InstitutionKind, Perm
from accounts.rules import user_holds
from reservations.rules import small_micro_minimum

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# For a year without such a rule: the number itself lives in reservations.rules' policy table.
DEFAULT_SMALL_MICRO_THRESHOLD = Decimal("60")
# A campaign's "before" reminders start this many days before the deadline unless it says otherwise.
DEFAULT_REMIND_DAYS_BEFORE = 7


def is_district_finance(user) -> bool:
    return (
        user_holds(user, Perm.FINANCE_REVIEW)
        and user.institution is not None
        and user.institution.kind == InstitutionKind.FINANCE_BUREAU
    )


def is_supervisor(user) -> bool:
    return user_holds(user, Perm.OVERSEE)


def can_oversee_filing(user) -> bool:
    return is_supervisor(user) or is_district_finance(user)


def can_spot_check(user) -> bool:
    return is_supervisor(user)


def can_manage_campaign(user, campaign) -> bool:
    """Only the district's own finance bureau declares and edits its campaigns."""
    return is_district_finance(user) and campaign.district_id == user.institution.district_id


def can_remind(user, campaign) -> bool:
    return can_manage_campaign(user, campaign) or is_supervisor(user)


def small_micro_threshold(year: int) -> Decimal:
    """The minimum small/micro share (%) for a reporting year, from the policy rules table."""
    return small_micro_minimum(year=year) or DEFAULT_SMALL_MICRO_THRESHOLD


def end_of_day(day: date) -> datetime:
    """A deadline typed as a date means the end of that day in Shanghai (the seed's 23:59:59)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()
