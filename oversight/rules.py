"""Who may see and do what in oversight, and the few policy numbers it reads.

Two roles, both checked here only:
- a 财政审核岗 of a finance bureau (`accounts.rules.is_district_finance`, the same test that lets
  it review its district's notices) works on its own district's campaigns;
- a 监督检查岗 sees every district, compares them and draws spot-check samples.
Everyone else gets 404 from the views.
"""

import zoneinfo
from datetime import date, datetime, time
from decimal import Decimal

from accounts.enums import Perm
from accounts.rules import is_district_finance, user_holds, works_at_finance_bureau
from reservations.rules import small_micro_minimum

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# For a year without such a rule: the number itself lives in reservations.rules' policy table.
DEFAULT_SMALL_MICRO_THRESHOLD = Decimal("60")
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


def small_micro_threshold(year: int) -> Decimal:
    """The minimum small/micro share (%) for a reporting year, from the policy rules table."""
    return small_micro_minimum(year=year) or DEFAULT_SMALL_MICRO_THRESHOLD


def end_of_day(day: date) -> datetime:
    """A deadline typed as a date means the end of that day in Shanghai (the seed's 23:59:59)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()
