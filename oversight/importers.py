"""Imports for oversight: a finance bureau's 部门决算 figures from a workbook, in three phases
(pretix): read every row and validate it through the page's own form, collecting (row, column,
message); if any fails, save nothing; otherwise write all in one transaction."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.enums import InstitutionKind
from accounts.models import Institution, User
from accounts.workbooks import deadline_after, sheet_rows, workbook_check, workbook_open

from . import rules, services
from .forms import FinalAccountForm

MAX_ROWS = 5001  # a header and 5,000 units: more than any district has


@dataclass
class ImportProblem:
    row: int
    column: str
    message: str


def _import_cell(value) -> str:
    # openpyxl gives floats for numbers: through str, never float arithmetic.
    return "" if value is None else str(value).strip()


def final_accounts_import(*, actor: User, year: int, content: bytes) -> tuple[int, list[ImportProblem]]:
    """Import the district's 决算 figures of `year` from a workbook (a header row, then unit name,
    统一社会信用代码 or empty, 政府采购支出总额, 授予中小企业合同金额 in 万元). Every row is validated
    through the page's own form first; if any fails nothing is saved and the problems are
    returned (row, column, message). Returns (rows saved, problems). Side effect: FinalAccount rows
    written in one transaction. Raises WorkbookRefused for a file that cannot be read."""
    if not rules.is_district_finance(actor):
        raise PermissionDenied
    district_id = actor.institution.district_id
    workbook_check(content)
    sheet = workbook_open(content).worksheets[0]
    units = Institution.objects.filter(
        district_id=district_id, kind=InstitutionKind.BUDGET_UNIT, is_test=False
    )
    by_code = {u.credit_code: u for u in units if u.credit_code}
    by_name = {u.name: u for u in units}
    labels = [
        _("Unit name"),
        _("Unified social credit code"),
        _("Procurement spending"),
        _("Contracts to SMEs"),
    ]
    valid, problems = [], []
    rows = sheet_rows(sheet, max_rows=MAX_ROWS, max_columns=4, deadline=deadline_after(), values_only=True)
    for number, values in enumerate(rows, start=1):
        cells = [_import_cell(v) for v in (*values, None, None, None, None)[:4]]
        if number == 1 or not any(cells):
            continue  # the header, or an empty line
        name, code, total, sme = cells
        unit = by_code.get(code) if code else by_name.get(name)
        if unit is None:
            problems.append(
                ImportProblem(
                    number, labels[1] if code else labels[0], _("No such budget unit in your district.")
                )
            )
            continue
        form = FinalAccountForm(
            {"unit": unit.pk, "year": year, "procurement_total": total, "sme_contract_total": sme},
            district_id=district_id,
        )
        if not form.is_valid():
            for field, errors in form.errors.items():
                column = {"procurement_total": labels[2], "sme_contract_total": labels[3]}.get(
                    field, labels[0]
                )
                problems += [ImportProblem(number, column, str(e)) for e in errors]
            continue
        valid.append(form.cleaned_data)
    if problems:
        return 0, problems
    with transaction.atomic():
        for data in valid:
            services.final_account_set(
                actor=actor,
                institution=data["unit"],
                year=year,
                procurement_total=data["procurement_total"],
                sme_contract_total=data["sme_contract_total"],
            )
    return len(valid), []
