"""The policy rules of 财库〔2020〕46号 and 财库〔2022〕19号 (domain.md §3) applied to rows.

The rules themselves are data: `PolicyRule` rows (loaded by a data migration, regional variants
added in the admin), each with its region, dates of validity and cited source. This module is
the one function that decides, for the editor, the submit check and oversight alike.

A missed rule is a warning that asks for a 说明 (never a refusal to save). A rule that cannot be
checked because the row lacks its 项目属性, 项目预算 or procurement date says so (无法判断) and
asks for the data; it never passes silently. An SME amount above the project budget cannot be
right (the reserved part is part of the project): the row form refuses it at save and import,
and the submit check refuses a row stored before. Plausibility hints (a lot far from ratio ×
budget, the same link twice) ask for nothing.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from .enums import ReservationOption, RuleKind
from .money import format_share, format_wan, share_below, small_micro_share

PARTIAL_OPTIONS = frozenset(
    {ReservationOption.DEDICATED_LOT, ReservationOption.CONSORTIUM, ReservationOption.SUBCONTRACT}
)

SHORTFALL = "shortfall"  # a threshold missed: the 说明 is required and published
MISSING_DATA = "missing_data"  # 无法判断: the row lacks what the rule needs; submission waits for it
HINT = "hint"  # plausibility: shown, asks for nothing
# Figures that cannot be right whatever the rules: the row form refuses them; a row stored before
# (or compiled from a unit's notice) is refused at submit.
REFUSED_CODES = frozenset({"sme_above_budget"})


@dataclass(frozen=True)
class PolicyWarning:
    code: str
    message: str
    row_number: int | None = None
    kind: str = SHORTFALL
    source: str = ""
    project: str = ""
    rule_kind: str = ""

    @property
    def requires_explanation(self) -> bool:
        return self.kind == SHORTFALL

    @property
    def blocks_submission(self) -> bool:
        return self.kind == MISSING_DATA or self.code in REFUSED_CODES


def region_matches(rule_region: str, district_code: str | None) -> bool:
    """A national rule (no region) applies everywhere; 310000 covers 310101…319900; 310100 its
    own 3101xx; a six-digit district code only itself."""
    if not rule_region:
        return True
    if not district_code:
        return False
    if rule_region.endswith("0000"):
        return district_code[:2] == rule_region[:2]
    if rule_region.endswith("00"):
        return district_code[:4] == rule_region[:4]
    return district_code == rule_region


def default_region() -> str:
    return settings.POLICY_DEFAULT_REGION


def rules_in_force(*, region: str | None = None, year: int | None = None) -> list:
    """The active rules of `region` (a district code) whose validity overlaps `year`. One query."""
    from .models import PolicyRule

    region = region or default_region()
    rules = [r for r in PolicyRule.objects.filter(active=True) if region_matches(r.region_code, region)]
    if year is not None:
        start, end = date(year, 1, 1), date(year, 12, 31)
        rules = [r for r in rules if r.valid_from <= end and (r.valid_to is None or r.valid_to >= start)]
    return rules


def region_rules_note(region: str | None = None) -> str:
    """One sentence saying which rules a region runs on: the national rows alone, or those and
    its own rows (each with its cited source). For the admin's rule list and the guide."""
    from accounts.models import District

    region = region or default_region()
    own = [r for r in rules_in_force(region=region) if r.region_code]
    name = District.objects.filter(code=region).values_list("name", flat=True).first() or region
    if not own:
        return _(
            "%(region)s (%(code)s) runs on the national rules: no rule of its own with a cited source "
            "has been added."
        ) % {"region": name, "code": region}
    return _("%(region)s (%(code)s) runs on the national rules and %(count)s rules of its own.") % {
        "region": name,
        "code": region,
        "count": len(own),
    }


def small_micro_minimum(*, year: int, region: str | None = None) -> Decimal | None:
    """The small/micro minimum (%) in force for a year: what oversight prints beside its count."""
    minima = [
        r.minimum for r in rules_in_force(region=region, year=year) if r.kind == RuleKind.MIN_SMALL_MICRO
    ]
    return max(minima) if minima else None


# --- does a rule apply to a row? True, False, or None (无法判断: a needed value is missing) ---


def _date_applies(rule, row, year: int | None):
    when = getattr(row, "procurement_date", None)
    if when is not None:
        return rule.valid_from <= when and (rule.valid_to is None or when <= rule.valid_to)
    if year is None:
        return None
    start, end = date(year, 1, 1), date(year, 12, 31)
    if rule.valid_from > end or (rule.valid_to is not None and rule.valid_to < start):
        return False
    if rule.valid_from <= start and (rule.valid_to is None or rule.valid_to >= end):
        return True  # valid all year: the date does not matter
    return None


def _category_applies(rule, row):
    if len(rule.categories) == 3:
        return True
    if not row.category:
        return None
    return row.category in rule.categories


def _budget_applies(rule, row):
    if rule.budget_above is None and rule.budget_up_to is None:
        return True
    if row.budget_amount is None:
        return None
    if rule.budget_above is not None and not row.budget_amount > rule.budget_above:
        return False
    if rule.budget_up_to is not None and not row.budget_amount <= rule.budget_up_to:
        return False
    return True


def rule_applies(rule, row, year: int | None):
    """True, False or None when the row lacks the date, category or budget that would decide."""
    answers = [_date_applies(rule, row, year), _category_applies(rule, row), _budget_applies(rule, row)]
    if False in answers:
        return False
    return None if None in answers else True


def _missing(rule, row) -> list[str]:
    parts = []
    if not row.category and len(rule.categories) < 3:
        parts.append(_("project category"))
    if row.budget_amount is None and (rule.budget_above is not None or rule.budget_up_to is not None):
        parts.append(_("project budget"))
    if not parts:
        parts.append(_("procurement or contract date"))
    return [str(p) for p in parts]


def _fails(rule, row) -> bool:
    """Whether the row misses what `rule` expects (assuming the rule applies)."""
    if rule.kind == RuleKind.WHOLE:
        return row.option != ReservationOption.WHOLE
    if rule.kind == RuleKind.MIN_RATIO:
        return row.option in PARTIAL_OPTIONS and row.ratio is not None and row.ratio < rule.minimum
    if rule.kind == RuleKind.MIN_SMALL_MICRO:
        if row.sme_amount is None or row.small_micro_amount is None:
            return False
        return share_below(
            sme_total=row.sme_amount, small_micro_total=row.small_micro_amount, minimum=rule.minimum
        )
    return False


def _shortfall_message(rule, row, number: int) -> str:
    if rule.kind == RuleKind.WHOLE:
        return _(
            "Row %(number)s: a project with a budget of %(budget)s (10k yuan) should be reserved entirely "
            "for SMEs (%(source)s)."
        ) % {"number": number, "budget": format_wan(row.budget_amount), "source": rule.source}
    if rule.kind == RuleKind.MIN_RATIO:
        return _(
            "Row %(number)s: the reserved share of %(ratio)s%% is below the minimum of %(minimum)s%% "
            "(%(source)s)."
        ) % {
            "number": number,
            "ratio": format_wan(row.ratio),
            "minimum": format_wan(rule.minimum),
            "source": rule.source,
        }
    share = small_micro_share(sme_total=row.sme_amount, small_micro_total=row.small_micro_amount)
    return _(
        "Row %(number)s: the small/micro share of the reserved amount is %(share)s%%, below the minimum of "
        "%(minimum)s%% (%(source)s)."
    ) % {
        "number": number,
        "share": format_share(share),
        "minimum": format_wan(rule.minimum),
        "source": rule.source,
    }


def row_policy_warnings(*, row, number: int, year: int | None, rules) -> list[PolicyWarning]:
    """Warnings for one row (an unsaved ReservedProject is fine) under `rules`."""
    warnings = []
    failing, undecided = [], []
    for rule in rules:
        applies = rule_applies(rule, row, year)
        if applies is False or not _fails(rule, row):
            continue
        (failing if applies else undecided).append(rule)
    # Of several ratio rules that fail (30% and 40%), the strictest speaks; the same for shares.
    for kind in RuleKind:
        same = [r for r in failing if r.kind == kind]
        if same:
            rule = max(same, key=lambda r: r.minimum or Decimal("0"))
            warnings.append(
                PolicyWarning(
                    rule.code,
                    _shortfall_message(rule, row, number),
                    number,
                    SHORTFALL,
                    rule.source,
                    row.name,
                    rule.kind,
                )
            )
    if undecided:
        # One warning per row, naming every missing value and every rule it leaves unchecked.
        missing = list(dict.fromkeys(part for rule in undecided for part in _missing(rule, row)))
        sources = "、".join(sorted({rule.source for rule in undecided}))
        warnings.append(
            PolicyWarning(
                "undecidable",
                _(
                    "Row %(number)s: cannot tell whether %(source)s is met without the %(missing)s: "
                    "please fill it in."
                )
                % {"number": number, "source": sources, "missing": "、".join(missing)},
                number,
                MISSING_DATA,
                sources,
                row.name,
            )
        )
    warnings.extend(_plausibility(row, number))
    return warnings


def _plausibility(row, number: int) -> list[PolicyWarning]:
    hints = []
    budget = row.budget_amount
    if budget is not None and row.sme_amount is not None and row.sme_amount > budget:
        hints.append(
            PolicyWarning(
                "sme_above_budget",
                _(
                    "Row %(number)s: the SME amount %(amount)s is above the project budget %(budget)s "
                    "(10k yuan): it cannot exceed the budget; correct the row before submitting."
                )
                % {"number": number, "amount": format_wan(row.sme_amount), "budget": format_wan(budget)},
                number,
                HINT,
                project=row.name,
            )
        )
    if (
        row.option == ReservationOption.DEDICATED_LOT
        and budget is not None
        and row.ratio is not None
        and row.sme_amount is not None
    ):
        expected = budget * row.ratio / 100
        tolerance = Decimal(str(settings.PLAUSIBLE_LOT_TOLERANCE))
        if expected and abs(row.sme_amount - expected) > expected * tolerance:
            hints.append(
                PolicyWarning(
                    "lot_far_from_ratio",
                    _(
                        "Row %(number)s: the SME amount %(amount)s is far from the reserved share × budget "
                        "(%(expected)s, 10k yuan): please check the figures."
                    )
                    % {
                        "number": number,
                        "amount": format_wan(row.sme_amount),
                        "expected": format_wan(expected),
                    },
                    number,
                    HINT,
                    project=row.name,
                )
            )
    return hints


def policy_warnings(*, rows, year: int | None, region: str | None = None, rules=None) -> list[PolicyWarning]:
    """Every warning for a list of rows (saved or not), in row order. `rules` defaults to the
    rules in force in `region` (a district code; the default region when None) and `year`."""
    rows = list(rows)
    if rules is None:
        rules = rules_in_force(region=region, year=year)
    warnings = []
    for index, row in enumerate(rows, start=1):
        warnings.extend(row_policy_warnings(row=row, number=index, year=year, rules=rules))
    links = Counter(row.contract_url for row in rows if row.contract_url)
    for index, row in enumerate(rows, start=1):
        if row.contract_url and links[row.contract_url] > 1:
            warnings.append(
                PolicyWarning(
                    "duplicate_link",
                    _("Row %(number)s: the same contract link appears in more than one row.")
                    % {"number": index},
                    index,
                    HINT,
                    project=row.name,
                )
            )
    return warnings


def report_region(report) -> str | None:
    institution = getattr(report, "institution", None)
    return institution.district.code if institution is not None else None


def report_policy_warnings(*, report, rows=None) -> list[PolicyWarning]:
    """Warnings for a saved report (or for `rows` typed but not saved yet)."""
    if rows is None:
        rows = list(report.rows.all())
    return policy_warnings(rows=rows, year=report.year, region=report_region(report))


def has_small_micro_shortfall(warnings) -> bool:
    """What oversight counts: some row misses a small/micro minimum (the stored Report flag)."""
    return any(w.kind == SHORTFALL and w.rule_kind == RuleKind.MIN_SMALL_MICRO for w in warnings)
