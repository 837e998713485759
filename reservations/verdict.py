"""One policy verdict per row: which rules of the table apply to it, and whether each is met.

`row_verdict` is the one place that decides. It takes the row (a ReservedProject, saved or not,
or any object with the row's fields), the region of the row's notice (a district code, required:
a default region once made the editor and the submit check disagree) and reads the row's own
procurement date: the date decides which time-limited rule applies, whatever the report year
(a 2023 report's row dated 2022-08-01 falls under 财库〔2022〕19号). The report year only stands
in when the row has no date, and then only for rules valid the whole year.

The services store the verdict on the row when it is saved (`ReservedProject.verdict`,
`verdict_status`, `verdict_missed`); every reader (editor, preview, submit check, review panel,
department page, notice text, oversight, open data) reads that, or calls this function for
rows typed but not saved yet. A rule changed in the admin recomputes the rows of notices that
are not frozen; a notice approved or published keeps the verdict it was approved with.

Comparisons are exact on the stored Decimals: 59.995% small/micro is below 60%, and the share
shown is truncated (`money.format_share`), never rounded up across the threshold.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q

from .enums import ProjectCategory, ReservationOption, RuleKind, VerdictStatus

PARTIAL_OPTIONS = frozenset(
    {ReservationOption.DEDICATED_LOT, ReservationOption.CONSORTIUM, ReservationOption.SUBCONTRACT}
)
# What a 无法判断 lacks, in the order a message names them.
MISSING_CATEGORY, MISSING_BUDGET, MISSING_DATE = "category", "budget", "date"
# Plausibility hints a row carries on its own (the same link in another notice needs the others).
HINT_OUTSIDE_YEAR = "outside_year"
HINT_RATIO_FRACTION = "ratio_fraction"
ACTUAL_QUANTUM = Decimal("0.000001")
HUNDRED = Decimal("100")


def region_matches(rule_region: str, district_code: str) -> bool:
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


def rule_categories(rule) -> frozenset[str]:
    # Read from the three flags, not `PolicyRule.categories`: migrations pass historical models.
    chosen = {
        ProjectCategory.GOODS: rule.goods,
        ProjectCategory.WORKS: rule.works,
        ProjectCategory.SERVICES: rule.services,
    }
    return frozenset(str(c) for c, on in chosen.items() if on)


@dataclass(frozen=True)
class RuleResult:
    """One rule as it applies to one row: `outcome` is pass, shortfall or unknown (无法判断);
    `required` the rule's minimum (%; None for 整体预留), `actual` the row's figure (the reserved
    share, or the exact small/micro share of the reserved amount, 6 decimals truncated)."""

    rule: str
    kind: str
    source: str
    outcome: str
    required: Decimal | None = None
    actual: Decimal | None = None
    missing: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "source": self.source,
            "outcome": self.outcome,
            "required": _text(self.required),
            "actual": _text(self.actual),
            "missing": list(self.missing),
        }

    @classmethod
    def from_json(cls, data: dict) -> "RuleResult":
        return cls(
            rule=data["rule"],
            kind=data["kind"],
            source=data["source"],
            outcome=data["outcome"],
            required=_number(data.get("required")),
            actual=_number(data.get("actual")),
            missing=tuple(data.get("missing") or ()),
        )


@dataclass(frozen=True)
class RowVerdict:
    """The rules that applied to a row and their outcomes, with the figures they were read from."""

    status: str
    results: tuple[RuleResult, ...] = ()
    region: str = ""
    when: date | None = None
    budget: Decimal | None = None
    sme_amount: Decimal | None = None
    small_micro_amount: Decimal | None = None
    hints: tuple[str, ...] = field(default=())

    @property
    def shortfalls(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == VerdictStatus.SHORTFALL]

    @property
    def unknowns(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == VerdictStatus.UNKNOWN]

    @property
    def missed(self) -> list[str]:
        """The codes of the rules missed, the strictest of each kind first."""
        speaking = self.speaking
        return [r.rule for r in speaking] + [r.rule for r in self.shortfalls if r not in speaking]

    @property
    def speaking(self) -> list[RuleResult]:
        """Of several rules of one kind that are missed (30% and 40%), the strictest: the one a
        message names and a report groups the row under."""
        chosen = []
        for kind in RuleKind:
            same = [r for r in self.shortfalls if r.kind == kind]
            if same:
                chosen.append(max(same, key=lambda r: r.required or Decimal("0")))
        return chosen

    @property
    def needs_explanation(self) -> bool:
        return self.status == VerdictStatus.SHORTFALL

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "region": self.region,
            "date": self.when.isoformat() if self.when else None,
            "budget": _text(self.budget),
            "sme_amount": _text(self.sme_amount),
            "small_micro_amount": _text(self.small_micro_amount),
            "results": [r.as_json() for r in self.results],
            "hints": list(self.hints),
        }

    @classmethod
    def from_json(cls, data: dict) -> "RowVerdict":
        when = data.get("date")
        return cls(
            status=data.get("status") or VerdictStatus.PASS,
            results=tuple(RuleResult.from_json(r) for r in data.get("results") or ()),
            region=data.get("region") or "",
            when=date.fromisoformat(when) if when else None,
            budget=_number(data.get("budget")),
            sme_amount=_number(data.get("sme_amount")),
            small_micro_amount=_number(data.get("small_micro_amount")),
            hints=tuple(data.get("hints") or ()),
        )


def _text(value):
    return None if value is None else str(value)


def _number(value):
    return None if value in (None, "") else Decimal(value)


def exact_small_micro_share(*, sme: Decimal | None, small_micro: Decimal | None) -> Decimal | None:
    """small/micro ÷ reserved amount in %, truncated to 6 decimals (never rounded up)."""
    if not sme or small_micro is None:
        return None
    return (Decimal(small_micro) * HUNDRED / Decimal(sme)).quantize(ACTUAL_QUANTUM, rounding=ROUND_DOWN)


def _date_applies(rule, when: date | None, year: int | None):
    if when is not None:
        return rule.valid_from <= when and (rule.valid_to is None or when <= rule.valid_to)
    if year is None:
        return None
    start, end = date(year, 1, 1), date(year, 12, 31)
    if rule.valid_from > end or (rule.valid_to is not None and rule.valid_to < start):
        return False
    if rule.valid_from <= start and (rule.valid_to is None or rule.valid_to >= end):
        return True  # valid all the report year: a row without a date is still decided
    return None


def _applies(rule, row, year) -> tuple[bool | None, tuple[str, ...]]:
    """Whether `rule` applies to `row`: True, False, or None with what is missing to decide."""
    missing = []
    answers = []
    categories = rule_categories(rule)
    if len(categories) < 3:
        if not row.category:
            missing.append(MISSING_CATEGORY)
            answers.append(None)
        else:
            answers.append(row.category in categories)
    if rule.budget_above is not None or rule.budget_up_to is not None:
        budget = row.budget_amount
        if budget is None:
            missing.append(MISSING_BUDGET)
            answers.append(None)
        else:
            # 超过: strictly above (a 200万 goods project falls under 第七条, not 第八条).
            above = rule.budget_above is None or budget > rule.budget_above
            within = rule.budget_up_to is None or budget <= rule.budget_up_to
            answers.append(above and within)
    by_date = _date_applies(rule, getattr(row, "procurement_date", None), year)
    if by_date is None:
        missing.append(MISSING_DATE)
    answers.append(by_date)
    if False in answers:
        return False, ()
    return (None, tuple(missing)) if None in answers else (True, ())


def _check(rule, row) -> tuple[bool, Decimal | None, Decimal | None]:
    """(met, required, actual) of a rule that applies."""
    if rule.kind == RuleKind.WHOLE:
        return row.option == ReservationOption.WHOLE, None, row.ratio
    if rule.kind == RuleKind.MIN_RATIO:
        if row.option == ReservationOption.WHOLE:
            return True, rule.minimum, HUNDRED
        met = row.ratio is None or row.option not in PARTIAL_OPTIONS or row.ratio >= rule.minimum
        return met, rule.minimum, row.ratio
    if rule.kind == RuleKind.MIN_SMALL_MICRO:
        sme, small_micro = row.sme_amount, row.small_micro_amount
        actual = exact_small_micro_share(sme=sme, small_micro=small_micro)
        if actual is None:
            return True, rule.minimum, None
        # Exact: small/micro × 100 ≥ minimum × reserved amount, no division, no rounding.
        return Decimal(small_micro) * HUNDRED >= rule.minimum * Decimal(sme), rule.minimum, actual
    return True, None, None


def row_hints(row, *, year: int | None) -> tuple[str, ...]:
    """Plausibility hints of the row alone: a date outside the report year; a partial share
    typed as a fraction (0.3 where 30 is meant)."""
    hints = []
    when = getattr(row, "procurement_date", None)
    if year is not None and when is not None and when.year != year:
        hints.append(HINT_OUTSIDE_YEAR)
    if row.option in PARTIAL_OPTIONS and row.ratio is not None and row.ratio < 1:
        hints.append(HINT_RATIO_FRACTION)
    return tuple(hints)


def row_verdict(row, *, region: str, rules=None, year: int | None = None) -> RowVerdict:
    """The verdict of `row` under the active rules of `region` (a district code; "" for the
    national rules only). `rules` are PolicyRule rows, read once by a caller judging many rows
    (`rules_for_region`); `year` is the report year, read only for a row without a date and for
    the date hint. Reads the rules table when `rules` is None; writes nothing.

    A rule whose applicability cannot be decided (no category, budget or date) is 无法判断 only
    when the row would miss it: a row that meets a rule whatever applies passes it."""
    if region is None:
        raise TypeError("row_verdict needs the region of the row's notice.")
    if rules is None:
        rules = rules_for_region(region=region)
    results = []
    for rule in rules:
        if not rule.active or not region_matches(rule.region_code, region):
            continue
        applies, missing = _applies(rule, row, year)
        if applies is False:
            continue
        met, required, actual = _check(rule, row)
        if applies is None:
            if met:
                continue  # met whatever the missing value: nothing to ask for
            outcome = VerdictStatus.UNKNOWN
        else:
            outcome = VerdictStatus.PASS if met else VerdictStatus.SHORTFALL
        results.append(
            RuleResult(
                rule=rule.code,
                kind=rule.kind,
                source=rule.source,
                outcome=outcome,
                required=required,
                actual=actual,
                missing=missing,
            )
        )
    outcomes = {r.outcome for r in results}
    if VerdictStatus.SHORTFALL in outcomes:
        status = VerdictStatus.SHORTFALL
    elif VerdictStatus.UNKNOWN in outcomes:
        status = VerdictStatus.UNKNOWN
    else:
        status = VerdictStatus.PASS
    return RowVerdict(
        status=status,
        results=tuple(results),
        region=region,
        when=getattr(row, "procurement_date", None),
        budget=row.budget_amount,
        sme_amount=row.sme_amount,
        small_micro_amount=row.small_micro_amount,
        hints=row_hints(row, year=year),
    )


def rules_for_region(*, region: str) -> list:
    """The active rules of the table that apply in `region`. One query."""
    from .models import PolicyRule

    return [r for r in PolicyRule.objects.filter(active=True) if region_matches(r.region_code, region)]


def notice_region(report) -> str:
    """The region whose rules a report's rows are judged by: its institution's district."""
    return report.institution.district.code


def stored_verdict(row) -> RowVerdict | None:
    """The verdict stored with a saved row (None for a row saved before verdicts were stored)."""
    data = getattr(row, "verdict", None)
    return RowVerdict.from_json(data) if data else None


def missed_filter(code: str, prefix: str = "") -> Q:
    """Rows that miss the rule `code` (`prefix` for a lookup through a relation, e.g. "rows__")."""
    return Q(**{f"{prefix}verdict_missed__contains": f",{code},"})


def missed_text(verdict: RowVerdict) -> str:
    """`verdict_missed` as stored: ",code1,code2," so a rule is found with `missed_filter`."""
    return f",{','.join(verdict.missed)}," if verdict.missed else ""
