from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import DataSource, ProjectCategory, ReservationOption

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
    # In a department report (部门汇总): the budget unit whose row this is; empty in a unit's own report.
    unit = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("budget unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

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
