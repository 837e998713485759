from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import DataSource, ProjectCategory, ReservationOption, RuleKind, ShortfallReason, VerdictStatus

# Money is in 万元, exact to the fen: one fen is 0.000001 万元.
MONEY = {"max_digits": 18, "decimal_places": 6}


class Report(models.Model):
    """The data of one institution's yearly SME reservation report: rows, 说明 and computed totals.

    It knows nothing of review states; the announcements app decides when it may change.
    `sme_total` and `small_micro_total` are computed by the services from the rows and stored
    so that lists and dashboards need no aggregation; never typed by a user.
    """

    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    competent_unit_name = models.CharField(_("competent budget unit"), max_length=200)
    explanation = models.TextField(_("explanation"), blank=True)
    data_source = models.CharField(
        _("data source"), max_length=10, choices=DataSource.choices, default=DataSource.MANUAL
    )
    sme_total = models.DecimalField(_("SME total (10k yuan)"), default=Decimal("0"), **MONEY)
    small_micro_total = models.DecimalField(_("small/micro total (10k yuan)"), default=Decimal("0"), **MONEY)
    # Stored by the services with the totals, from the same rule function the editor and the
    # submit check call (reservations.rules), so oversight counts exactly those reports.
    small_micro_below = models.BooleanField(_("small/micro share below the minimum"), default=False)
    # A policy threshold is missed: the 说明 is required, and published (notice, API, OCDS, downloads).
    needs_explanation = models.BooleanField(_("explanation required"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reservation report")
        verbose_name_plural = _("reservation reports")
        indexes = [models.Index(fields=["institution", "year"])]

    def __str__(self):
        return f"{self.institution} {self.year}"

    @property
    def published_explanation(self) -> str:
        """The 说明 as the notice publishes it: only when a threshold is missed."""
        return self.explanation.strip() if self.needs_explanation else ""


class ReservedProject(models.Model):
    """One row of the 面向中小企业预留项目明细 table. 序号 is `position` + 1."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="rows"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("project name"), max_length=200)
    code = models.CharField(_("project number"), max_length=100, blank=True)
    category = models.CharField(
        _("project category"), max_length=10, choices=ProjectCategory.choices, blank=True
    )
    option = models.CharField(_("reservation option"), max_length=20, choices=ReservationOption.choices)
    ratio = models.DecimalField(
        _("reserved share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    budget_amount = models.DecimalField(_("project budget (10k yuan)"), null=True, blank=True, **MONEY)
    sme_amount = models.DecimalField(_("SME procurement amount (10k yuan)"), **MONEY)
    small_micro_amount = models.DecimalField(_("of which small/micro (10k yuan)"), **MONEY)
    contract_url = models.URLField(_("contract link"), max_length=500)
    # 采购日期 (procurement start) or 合同签订日期: the date that decides time-limited rules.
    procurement_date = models.DateField(_("procurement or contract date"), null=True, blank=True)
    # In a department report (部门汇总): the budget unit whose row this is; empty in a unit's own report.
    unit = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("budget unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Why the row misses a threshold (a closed list); the report's 说明 gives the detail.
    shortfall_reason = models.CharField(
        _("reason for the shortfall"), max_length=10, choices=ShortfallReason.choices, blank=True
    )
    # The policy verdict (reservations.verdict.row_verdict), stored by the services when the row
    # is written: the rules that applied with their outcome and figures. `verdict_status` and
    # `verdict_missed` (",code1,code2,": see verdict.missed_filter) let SQL readers filter and count.
    verdict = models.JSONField(_("policy verdict"), default=dict, blank=True)
    verdict_status = models.CharField(
        _("policy verdict status"), max_length=10, choices=VerdictStatus.choices, blank=True, db_index=True
    )
    verdict_missed = models.CharField(_("rules missed"), max_length=500, blank=True)

    class Meta:
        ordering = ["report", "position", "id"]
        verbose_name = _("reserved project")
        verbose_name_plural = _("reserved projects")
        constraints = [
            models.CheckConstraint(condition=models.Q(sme_amount__gt=0), name="row_sme_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(small_micro_amount__gte=0, small_micro_amount__lte=models.F("sme_amount")),
                name="row_small_micro_within_sme",
            ),
            models.CheckConstraint(condition=models.Q(ratio__gt=0, ratio__lte=100), name="row_ratio_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def number(self):
        return self.position + 1


class PolicyRule(models.Model):
    """One row of the policy rules table (domain.md §3): what a rule expects of which rows,
    where and when, and the text it comes from. Regional variants are added in the admin.

    `valid_from`/`valid_to` are dates of the procurement (采购启动 or 合同签订), not the reporting
    year. Blank categories apply to every category; budgets are in 万元.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("rule kind"), max_length=20, choices=RuleKind.choices)
    region_code = models.CharField(
        _("region code"),
        max_length=6,
        blank=True,
        help_text=_("GB/T 2260 code (310000 for Shanghai); empty for a national rule."),
    )
    region_name = models.CharField(_("region"), max_length=50)
    goods = models.BooleanField(_("goods"), default=True)
    works = models.BooleanField(_("works"), default=True)
    services = models.BooleanField(_("services"), default=True)
    budget_above = models.DecimalField(_("budget above (10k yuan)"), null=True, blank=True, **MONEY)
    budget_up_to = models.DecimalField(_("budget at most (10k yuan)"), null=True, blank=True, **MONEY)
    minimum = models.DecimalField(_("minimum (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=200, help_text=_("Document number and article, e.g. 财库〔2020〕46号 第八条.")
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("What is known about the rule's text and dates, and what is left to the admin."),
    )

    class Meta:
        ordering = ["region_code", "valid_from", "code"]
        verbose_name = _("policy rule")
        verbose_name_plural = _("policy rules")
        constraints = [
            models.CheckConstraint(condition=~models.Q(source=""), name="policy_rule_has_source"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="policy_rule_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.region_name} {self.code} ({self.source})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind in (RuleKind.MIN_RATIO, RuleKind.MIN_SMALL_MICRO) and self.minimum is None:
            raise ValidationError({"minimum": _("Enter the minimum share of this rule.")})
        if not (self.goods or self.works or self.services):
            raise ValidationError(_("Choose at least one project category."))

    @property
    def categories(self) -> frozenset[str]:
        chosen = {
            ProjectCategory.GOODS: self.goods,
            ProjectCategory.WORKS: self.works,
            ProjectCategory.SERVICES: self.services,
        }
        return frozenset(str(c) for c, on in chosen.items() if on)


class ReportUnit(models.Model):
    """One budget unit compiled into a department report (部门汇总), as it was at compiling.

    `filed` is False for a unit listed as 未报送 (no rows). `source_data` is the unit's data at
    compiling in a canonical form: the department page compares it with the unit's data now to
    show which units differ until 重新汇总. The copied rows (ReservedProject with `unit`) are the
    frozen snapshot that is submitted, reviewed and published.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="units"
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("budget unit"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    filed = models.BooleanField(_("filed"), default=False)
    source_report = models.ForeignKey(
        Report,
        verbose_name=_("unit report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="compiled_into",
    )
    explanation = models.TextField(_("explanation"), blank=True)
    source_data = models.JSONField(_("data at compiling"), default=dict)

    class Meta:
        ordering = ["report", "position", "id"]
        verbose_name = _("compiled unit")
        verbose_name_plural = _("compiled units")
        constraints = [models.UniqueConstraint(fields=["report", "institution"], name="one_entry_per_unit")]

    def __str__(self):
        return str(self.institution)
