"""部门汇总 pages: create a department notice for a year, see its units with subtotals, warnings,
说明 and differences, 重新汇总, and save the department's own 说明. Submitting and reviewing use
the ordinary detail page and workflow actions."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.gates import gate
from reservations.preview import report_preview
from reservations.rules import report_region
from reservations.verdict import rules_for_region

from .. import links, rules
from ..department import (
    department_differences,
    department_notice_create,
    department_notice_recompile,
    department_notice_save,
    user_may_compile,
)
from ..enums import Kind
from ..selectors import announcement_for_user
from ..services import DraftingError, StaleEdit

compiler_required = gate(user_may_compile)


class DepartmentCreateForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2020, max_value=2100)


class DepartmentSaveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Notice title"), max_length=200)
    explanation = forms.CharField(
        label=gettext_lazy("Department explanation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


@compiler_required
def department_create(request):
    """生成部门汇总公告: choose the year; the draft is compiled at once."""
    form = DepartmentCreateForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            announcement = department_notice_create(user=request.user, year=form.cleaned_data["year"])
        except DraftingError as error:
            form.add_error("year", str(error))
        else:
            messages.success(request, _("The department notice has been compiled."))
            return redirect("announcements:department", announcement.public_id)
    return render(request, "announcements/department/create.html", {"form": form})


def _unit_parts(announcement):
    """Per compiled unit: its entry, subtotals, share and warnings (the same preview as the editor)."""
    report = announcement.report
    rows = list(report.rows.all())
    region = report_region(report)  # the department notice's district, as its submit check reads
    rules = rules_for_region(region=region)  # once for all the units
    totals = report_preview(rows=rows, year=report.year, region=region, rules=rules)
    # Each warning once, under its row's unit, numbered as the notice's table and the reviewer's
    # 明细 number the rows (through the whole department); warnings of no row under the total.
    unit_of = {number: row.unit_id for number, row in enumerate(rows, start=1)}
    parts = []
    for entry in report.units.select_related("institution"):
        unit_rows = [row for row in rows if row.unit_id == entry.institution_id]
        parts.append(
            {
                "entry": entry,
                "rows": len(unit_rows),
                "preview": report_preview(rows=unit_rows, year=report.year, region=region, rules=rules),
                "warnings": [w for w in totals.warnings if unit_of.get(w.row_number) == entry.institution_id],
            }
        )
    placed = {id(w) for part in parts for w in part["warnings"]}
    return parts, totals, [w for w in totals.warnings if id(w) not in placed]


@login_required
def department_page(request, public_id):
    """部门汇总: the units with their subtotals, warnings and 说明, the department totals, the units
    that differ since compiling (with 重新汇总), and the department's own 说明."""
    # Saving (POST) needs a handler of its institution; the page itself is for every viewer.
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=request.method == "POST", kinds=(Kind.DEPARTMENT,)
    )
    editable = rules.may_change_content(request.user, announcement)
    form = DepartmentSaveForm(
        request.POST or None,
        initial={
            "version": announcement.version,
            "title": announcement.title,
            "explanation": announcement.report.explanation,
        },
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                department_notice_save(
                    announcement=announcement,
                    user=request.user,
                    version=data["version"],
                    title=data["title"],
                    explanation=data["explanation"],
                )
            except StaleEdit as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Saved."))
            return redirect("announcements:department", announcement.public_id)
    parts, totals, unplaced_warnings = _unit_parts(announcement)
    context = {
        "announcement": announcement,
        "parts": parts,
        "totals": totals,
        "unplaced_warnings": unplaced_warnings,
        "differences": department_differences(announcement=announcement),
        "editable": editable,
        "form": form,
        "detail_url": links.detail_url(announcement),
    }
    return render(request, "announcements/department/page.html", context)


@login_required
@require_POST
def department_recompile(request, public_id):
    """重新汇总 (POST): compile the draft again from the units' data now."""
    announcement = announcement_for_user(
        user=request.user, public_id=public_id, for_edit=True, kinds=(Kind.DEPARTMENT,)
    )
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        department_notice_recompile(announcement=announcement, user=request.user, version=version)
    except StaleEdit as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The department notice has been compiled again."))
    return redirect("announcements:department", announcement.public_id)
