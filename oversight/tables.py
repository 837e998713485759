import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from announcements.selectors import FINANCE_VISIBLE_STATES
from reservations.money import format_share, format_wan, small_micro_share

from .enums import UnitStatus
from .models import CampaignUnit
from .rules import SHANGHAI


def notice_url(public_id: str | None) -> str | None:
    """The console page of a notice (announcements:detail)."""
    return reverse("announcements:detail", args=[public_id]) if public_id else None


def _local(value):
    return timezone.localtime(value, SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"


class UnitTable(tables.Table):
    caption = _("Units")
    institution = tables.Column(verbose_name=_("Budget unit"), order_by=("institution__name",))
    status = tables.Column(verbose_name=_("Status"))
    submitted_at = tables.Column(verbose_name=_("Submitted at"))
    published_at = tables.Column(verbose_name=_("Published at"))
    deadline = tables.Column(verbose_name=_("Overdue / days left"), empty_values=(), orderable=False)
    sme_total = tables.Column(
        verbose_name=_("SME total (10k yuan)"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    small_micro_total = tables.Column(
        verbose_name=_("Small/micro total (10k yuan)"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    share = tables.Column(
        verbose_name=_("Small/micro share (%)"),
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "num"}},
    )
    last_reminder_at = tables.Column(verbose_name=_("Last reminder"))

    class Meta:
        model = CampaignUnit
        fields = ()
        sequence = (
            "institution",
            "status",
            "submitted_at",
            "published_at",
            "deadline",
            "sme_total",
            "small_micro_total",
            "share",
            "last_reminder_at",
        )
        per_page = 50
        order_by = ("institution",)
        empty_text = _("No units in this campaign.")
        attrs = {"class": "table ov-units"}

    def render_institution(self, record):
        # Drafts and notices in the purchaser's review are not the reviewers' to open (404 there).
        url = notice_url(record.notice_public_id) if record.notice_state in FINANCE_VISIBLE_STATES else None
        name = record.institution.name
        extra = format_html(' <span class="tag">{}</span>', _("Excused")) if not record.required else ""
        if url:
            return format_html('<a href="{}">{}</a>{}', url, name, extra)
        return format_html("{}{}", name, extra)

    def render_status(self, record):
        return format_html(
            '<span class="status unit-status-{}">{}</span>', record.status, UnitStatus(record.status).label
        )

    def render_submitted_at(self, value):
        return _local(value)

    def render_published_at(self, value):
        return _local(value)

    def render_deadline(self, record):
        campaign = record.campaign
        if record.status == UnitStatus.PUBLISHED or not record.required:
            return "—"
        now = timezone.now()
        if now > campaign.deadline:
            return format_html('<strong class="overdue">{}</strong>', _("Overdue"))
        days = (
            timezone.localtime(campaign.deadline, SHANGHAI).date() - timezone.localtime(now, SHANGHAI).date()
        ).days
        text = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
        return format_html(
            '<span class="{}">{}</span>', "due-soon" if days <= campaign.remind_days_before else "", text
        )

    def render_sme_total(self, value):
        return format_wan(value)

    def render_small_micro_total(self, value):
        return format_wan(value)

    def render_share(self, record):
        if record.sme_total is None:
            return "—"
        return format_share(
            small_micro_share(sme_total=record.sme_total, small_micro_total=record.small_micro_total)
        )

    def render_last_reminder_at(self, value):
        return _local(value)
