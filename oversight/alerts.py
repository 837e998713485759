"""Warnings (预警) about filing campaigns, a provider of accounts.alerts (registered in
OversightConfig.ready). One query per user:

- a unit's handler: the campaign's deadline is within WARNING_DEADLINE_DAYS (Shanghai days) and
  the unit's notice is not submitted yet; or the deadline has passed and it is not published;
- a district's 财政审核岗: a campaign past its deadline with units that have not published;
- a unit's handlers and reviewers: its published notice disagrees with its 部门决算 figures
  (`final_account_alerts`).
"""

from collections import Counter

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.alerts import Alert
from accounts.enums import Perm
from accounts.rules import user_holds
from reservations.money import format_wan

from .enums import UnitStatus
from .models import CampaignUnit, FinalAccount
from .rules import is_district_finance
from .selectors import annotated_units, days_left, final_account_checks

NOT_SUBMITTED = (UnitStatus.NOT_STARTED, UnitStatus.DRAFT, UnitStatus.REVOKED)


def filing_alerts(user) -> list[Alert]:
    now = timezone.now()
    alerts = []
    if user_holds(user, Perm.SUBMIT_NOTICE):
        units = annotated_units(
            CampaignUnit.objects.filter(institution_id=user.institution_id, required=True)
        ).exclude(status=UnitStatus.PUBLISHED)
        link = reverse("announcements:list")
        for unit in units.order_by("campaign__deadline"):
            campaign = unit.campaign
            deadline = timezone.localtime(campaign.deadline)
            if now > campaign.deadline:
                alerts.append(
                    Alert(
                        "overdue",
                        _("Overdue: the %(year)s notice was due on %(date)s and is not published")
                        % {"year": campaign.year, "date": f"{deadline:%Y-%m-%d}"},
                        link,
                        campaign.deadline,
                        "danger",
                    )
                )
            elif unit.status in NOT_SUBMITTED and days_left(campaign, now) <= settings.WARNING_DEADLINE_DAYS:
                alerts.append(
                    Alert(
                        "deadline",
                        _("The %(year)s notice is due on %(date)s (%(days)s days left) and is not submitted")
                        % {
                            "year": campaign.year,
                            "date": f"{deadline:%Y-%m-%d}",
                            "days": days_left(campaign, now),
                        },
                        link,
                        campaign.deadline,
                    )
                )
    if is_district_finance(user):
        late = (
            annotated_units(
                CampaignUnit.objects.filter(
                    campaign__district_id=user.institution.district_id,
                    campaign__deadline__lt=now,
                    required=True,
                )
            )
            .exclude(status=UnitStatus.PUBLISHED)
            .values_list("campaign_id", "campaign__year", "campaign__deadline")
        )
        for (pk, year, deadline), count in Counter(late).items():
            alerts.append(
                Alert(
                    "overdue_units",
                    _("%(count)s units have not published their %(year)s notice after the deadline")
                    % {"count": count, "year": year},
                    reverse("oversight:campaign_detail", args=[pk]),
                    deadline,
                    "danger",
                )
            )
    return alerts


def final_account_alerts(user) -> list[Alert]:
    """A unit's handlers and reviewers: where its published notice disagrees with the 部门决算
    figures its finance bureau entered (selectors.final_account_checks, the bureau's own page's
    check). One query."""
    if not (user_holds(user, Perm.SUBMIT_NOTICE) or user_holds(user, Perm.PURCHASER_REVIEW)):
        return []
    institution_id = getattr(user, "institution_id", None)
    if institution_id is None:
        return []
    checks = final_account_checks(accounts=FinalAccount.objects.filter(institution_id=institution_id))
    link = reverse("announcements:list")
    alerts = []
    for check in checks:
        if not check.disagrees:
            continue
        figures = {
            "year": check.account.year,
            "final": format_wan(check.account.sme_contract_total),
            "notice": format_wan(check.notice_sme),
        }
        if check.notice_sme is None:
            text = _(
                "Final accounts %(year)s: contracts awarded to SMEs of %(final)s (10k yuan), "
                "but no published notice for %(year)s"
            )
        else:
            text = _(
                "Final accounts %(year)s: contracts awarded to SMEs of %(final)s (10k yuan), "
                "the published notice says %(notice)s (10k yuan)"
            )
        alerts.append(Alert("final_accounts", text % figures, link, None))
    return alerts
