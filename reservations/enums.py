from django.db import models
from django.utils.translation import gettext_lazy as _


class ReservationOption(models.TextChoices):
    """The four options of 46号 (domain.md §4); the labels translate to the exact official wording."""

    WHOLE = "whole", _("Whole project reserved")
    DEDICATED_LOT = "dedicated_lot", _("Dedicated procurement lot")
    CONSORTIUM = "consortium", _("Consortium participation required")
    SUBCONTRACT = "subcontract", _("Contract subcontracting required")


class ProjectCategory(models.TextChoices):
    GOODS = "goods", _("Goods")
    WORKS = "works", _("Works")
    SERVICES = "services", _("Services")


class DataSource(models.TextChoices):
    MANUAL = "manual", _("Created by hand")
    EXCEL = "excel", _("Excel import")
    # A department notice (部门汇总): its rows are copies of its units' (department_report_compile).
    COMPILED = "compiled", _("Compiled from the units' notices")


class RuleKind(models.TextChoices):
    """What a policy rule expects of the rows it applies to."""

    WHOLE = "whole", _("Reserved entirely (Article 7)")
    MIN_RATIO = "min_ratio", _("Minimum reserved share")
    MIN_SMALL_MICRO = "min_small_micro", _("Minimum small/micro share of the reserved amount")


class VerdictStatus(models.TextChoices):
    """A row's policy verdict as stored (reservations.verdict): every rule that applies is met,
    one is missed (a 说明 is required), or one cannot be checked for want of data (无法判断)."""

    PASS = "pass", _("Meets the rules")
    SHORTFALL = "shortfall", _("Below a threshold")
    UNKNOWN = "unknown", _("Cannot be checked")


class ShortfallReason(models.TextChoices):
    """Why a row misses a threshold: the closed list drawn from the 说明 units publish; the
    report's free-text 说明 gives the detail."""

    SUPPLY = "supply", _("Insufficient supply in the market")
    SPECIAL = "special", _("Particular nature of the project")
    FAILED = "failed", _("Adjusted after a failed procurement")
    OTHER = "other", _("Other")
