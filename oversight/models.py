from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import CheckResult, ReminderKind, SampleSize
from .rules import DEFAULT_REMIND_DAYS_BEFORE


class FilingCampaign(models.Model):
    """A district's filing campaign (填报任务) for one reporting year: its deadline and its units."""

    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="filing_campaigns",
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    # Aware; a date typed in the form becomes 23:59:59 Asia/Shanghai of that day.
    deadline = models.DateTimeField(_("deadline"))
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind days before the deadline"),
        default=DEFAULT_REMIND_DAYS_BEFORE,
        validators=[MaxValueValidator(60)],
    )
    # 46号 第十八条: the 主管预算单位 reports to its finance bureau; the date is local (Xiamen: 3月31日).
    report_deadline = models.DateField(
        _("deadline of the departments' written reports"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "district__code"]
        verbose_name = _("filing campaign")
        verbose_name_plural = _("filing campaigns")
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="one_campaign_per_district_year")
        ]

    def __str__(self):
        return f"{self.district} {self.year}"


class CampaignUnit(models.Model):
    """A budget unit listed in a campaign; excused units stay listed with the reason."""

    campaign = models.ForeignKey(
        FilingCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="units"
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("budget unit"), on_delete=models.PROTECT, related_name="+"
    )
    required = models.BooleanField(_("must file"), default=True)
    excuse_reason = models.CharField(_("reason for excusing"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["institution__name", "id"]
        verbose_name = _("campaign unit")
        verbose_name_plural = _("campaign units")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "institution"], name="campaign_unit_once"),
            models.CheckConstraint(
                condition=models.Q(required=True) | ~models.Q(excuse_reason=""),
                name="excused_unit_has_reason",
            ),
        ]

    def __str__(self):
        return str(self.institution)


class Reminder(models.Model):
    """One reminder e-mail to a unit's handlers. The unique key makes a second one on the same day
    (a double click, two cron runs at once) fail in the database instead of mailing twice."""

    campaign = models.ForeignKey(
        FilingCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reminders"
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("budget unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("reminder type"), max_length=10, choices=ReminderKind.choices)
    date = models.DateField(_("date"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("recipients"), related_name="+"
    )
    # Addresses as they were when sent: a later change of e-mail does not rewrite history.
    recipient_emails = models.TextField(_("sent to"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "institution", "kind", "date"], name="one_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"{self.institution} {self.date}"


class SpotCheckSample(models.Model):
    """A random draw (抽查) of published notices. The seed and the population digest are recorded
    so that anyone can redraw it and get the same notices."""

    year = models.PositiveSmallIntegerField(_("reporting year"))
    # Empty: every district.
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    size_mode = models.CharField(_("sample size by"), max_length=10, choices=SampleSize.choices)
    size_value = models.PositiveIntegerField(_("sample size"), validators=[MinValueValidator(1)])
    stratified = models.BooleanField(_("stratified by district"), default=False)
    seed = models.BigIntegerField(_("random seed"))
    population_size = models.PositiveIntegerField(_("published notices in scope"))
    population_digest = models.CharField(_("population digest"), max_length=64)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("spot-check sample")
        verbose_name_plural = _("spot-check samples")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(size_mode="percent") | models.Q(size_value__lte=100),
                name="sample_percent_le_100",
            )
        ]

    def __str__(self):
        return f"{self.year} #{self.pk}"


class SpotCheckItem(models.Model):
    """One sampled notice and its check record (结果, remarks, checker, time)."""

    sample = models.ForeignKey(
        SpotCheckSample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="items"
    )
    announcement = models.ForeignKey(
        "announcements.Announcement", verbose_name=_("notice"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("order drawn"))
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["sample", "position"]
        verbose_name = _("spot-check item")
        verbose_name_plural = _("spot-check items")
        constraints = [models.UniqueConstraint(fields=["sample", "announcement"], name="sample_item_once")]

    def __str__(self):
        return f"{self.sample} {self.position}"


class DepartmentReportSubmission(models.Model):
    """A 主管预算单位's 书面报告 (面向中小企业预留份额和采购情况报告) submitted to the finance bureau of
    its district (46号 第十八条): who, when, and the figures as they stood. A department may
    submit again (the figures changed); the latest counts, the earlier ones stay as a record."""

    department = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("competent budget unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "accounts.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    counting = models.CharField(_("notices counted"), max_length=20)
    # The figures as submitted (oversight.reports.report_snapshot): totals, per-unit lines,
    # units not reported, shortfalls by rule and reason.
    figures = models.JSONField(_("figures as submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("department report submission")
        verbose_name_plural = _("department report submissions")
        indexes = [models.Index(fields=["district", "year"])]

    def __str__(self):
        return f"{self.department} {self.year}"


class FinalAccount(models.Model):
    """A budget unit's 部门决算 figures of a year as its finance bureau typed or imported them
    (Hubei's check): 政府采购支出总额 and 授予中小企业合同金额, in 万元. The published notice's SME
    amount is compared with the latter (oversight.selectors.final_account_checks)."""

    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("budget unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    procurement_total = models.DecimalField(
        _("government procurement spending (10k yuan)"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(0)],
    )
    sme_contract_total = models.DecimalField(
        _("contracts awarded to SMEs (10k yuan)"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(0)],
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["institution__name", "-year"]
        verbose_name = _("final account figures")
        verbose_name_plural = _("final account figures")
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="one_final_account_per_unit_year"),
            models.CheckConstraint(
                condition=models.Q(sme_contract_total__lte=models.F("procurement_total")),
                name="final_account_sme_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.institution} {self.year}"
