"""What the editor shows beside the rows: totals, the small/micro share and the policy warnings,
for saved rows and for rows typed but not saved alike. Reads only; writes nothing."""

from dataclasses import dataclass

from .models import ReservedProject
from .money import format_share, format_wan, rows_totals, small_micro_share
from .rules import PolicyWarning, policy_warnings


@dataclass(frozen=True)
class ReportPreview:
    sme_total: str
    small_micro_total: str
    share: str
    warnings: list[PolicyWarning]

    def as_context(self) -> dict:
        return {
            "sme_total": self.sme_total,
            "small_micro_total": self.small_micro_total,
            "share": self.share,
            "warnings": self.warnings,
        }


def report_preview(*, rows, year: int | None) -> ReportPreview:
    """Totals, share and warnings of `rows` (saved ReservedProjects or unsaved ones)."""
    rows = list(rows)
    sme_total, small_micro_total = rows_totals(rows)
    share = small_micro_share(sme_total=sme_total, small_micro_total=small_micro_total)
    return ReportPreview(
        sme_total=format_wan(sme_total),
        small_micro_total=format_wan(small_micro_total),
        share=format_share(share),
        warnings=policy_warnings(rows=rows, year=year),
    )


def typed_rows(formset) -> tuple[list[ReservedProject], int]:
    """The valid rows of a bound row formset in the chosen order, unsaved; and how many typed
    rows have errors (rows marked for deletion do not count)."""
    formset.is_valid()
    kept, invalid = [], 0
    for index, form in enumerate(formset.forms):
        if index >= formset.initial_form_count() and not form.has_changed():
            continue
        if not form.is_valid():
            if not (form.data.get(form.add_prefix("DELETE"))):
                invalid += 1
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        order = form.cleaned_data.get("ORDER")
        kept.append((order if order is not None else 10**9, index, form.cleaned_data))
    kept.sort(key=lambda item: (item[0], item[1]))
    return [
        ReservedProject(**{k: v for k, v in data.items() if k not in ("ORDER", "DELETE")})
        for *_, data in kept
    ], invalid
