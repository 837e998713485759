"""Department notices (部门汇总, domain.md §11; 46号 第十八条): a 主管预算单位 compiles the rows of
its own and its subordinate units' notices of a year into one notice.

A unit is compiled once its notice of the year has passed 采购人初审 (财政审核 or published); the
others are listed as 未报送. Compiling copies the rows (reservations.services.
department_report_compile): the copy is the frozen snapshot that is submitted and reviewed, and
the department page compares each unit's data now with the copy to show who differs.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Institution
from reservations.models import Report
from reservations.services import department_report_compile, report_canonical, report_create, report_update

from .enums import Kind, PublishMode, State
from .models import Announcement
from .rules import user_may_draft
from .services import DraftingError, announcement_draft_claim

# A unit's notice counts for its department once it has passed 采购人初审.
COMPILED_STATES = (State.FINANCE_REVIEW, State.PUBLISHED)


def is_competent_unit(institution) -> bool:
    return institution is not None and Institution.objects.filter(competent_unit=institution).exists()


def user_may_compile(user) -> bool:
    """项目采购经办岗 of a 主管预算单位 (a budget unit that has subordinate units)."""
    return user_may_draft(user) and is_competent_unit(user.institution)


def department_units(*, institution) -> list[Institution]:
    """The competent unit itself first, then its active subordinate units by name. Never a unit of
    another department."""
    subordinates = Institution.objects.filter(competent_unit=institution, is_active=True).order_by(
        "name", "pk"
    )
    return [institution, *subordinates]


def unit_sources(*, institution, year: int) -> list[tuple[Institution, Report | None]]:
    """[(unit, its report of `year` that has passed 采购人初审, or None)] for the department."""
    units = department_units(institution=institution)
    notices = (
        Announcement.objects.filter(
            kind=Kind.SME_RESERVATION, year=year, state__in=COMPILED_STATES, institution__in=units
        )
        .select_related("report")
        .prefetch_related("report__rows")
    )
    reports = {n.institution_id: n.report for n in notices if n.report_id}
    return [(unit, reports.get(unit.pk)) for unit in units]


def department_title(*, institution, year: int) -> str:
    return _(
        "%(institution)s %(year)s notice on the execution of projects reserved for SMEs (department summary)"
    ) % {
        "institution": institution.name,
        "year": year,
    }


def department_notice_create(*, user, year: int) -> Announcement:
    """Create a department notice draft for `year` and compile it.

    Side effects: a Report, an Announcement (kind DEPARTMENT, district of the competent unit) and
    the compiled ReportUnit entries and row copies. Raises DraftingError when the department
    already has a live department notice for the year.
    """
    institution = user.institution
    duplicate = DraftingError(
        _("Your department already has a department notice for %(year)s. Open that one.") % {"year": year}
    )
    exists = Announcement.objects.filter(institution=institution, year=year, kind=Kind.DEPARTMENT)
    if exists.exclude(state=State.REVOKED).exists():
        raise duplicate
    try:
        with transaction.atomic():
            report = report_create(
                institution=institution, year=year, created_by=user, competent_unit_name=institution.name
            )
            announcement = Announcement(
                kind=Kind.DEPARTMENT,
                institution=institution,
                district=institution.district,
                year=year,
                report=report,
                title=department_title(institution=institution, year=year)[:200],
                publish_mode=PublishMode.ON_APPROVAL,
                created_by=user,
            )
            announcement.full_clean(exclude=["report"], validate_constraints=False)
            announcement.save()
            department_report_compile(report=report, units=unit_sources(institution=institution, year=year))
    except IntegrityError:
        raise duplicate from None
    return announcement


@transaction.atomic
def department_notice_recompile(*, announcement: Announcement, user, version: int) -> Announcement:
    """重新汇总: compile the draft again from the units' data now.

    Side effects: bumps `version`; replaces the compiled entries and rows. Raises StaleEdit (and
    writes nothing) when the notice is no longer the draft at `version`."""
    announcement_draft_claim(announcement, version=version)
    department_report_compile(
        report=announcement.report,
        units=unit_sources(institution=announcement.institution, year=announcement.year),
    )
    announcement.refresh_from_db()
    return announcement


@transaction.atomic
def department_notice_save(*, announcement: Announcement, user, version: int, title: str, explanation: str):
    """Save the title and the department's own 说明 of a draft. Side effects: bumps `version`,
    updates the Announcement and its Report. Raises StaleEdit as `department_notice_recompile`."""
    announcement_draft_claim(announcement, version=version)
    Announcement.objects.filter(pk=announcement.pk).update(title=title)
    report_update(
        report=announcement.report, competent_unit_name=announcement.institution.name, explanation=explanation
    )
    announcement.refresh_from_db()
    return announcement


@dataclass(frozen=True)
class UnitDifference:
    institution: Institution
    reason: str


def department_differences(*, announcement: Announcement) -> list[UnitDifference]:
    """The units whose data now differs from what was compiled (changed rows or 说明, filed or
    withdrawn since, joined or left the department). Reads only."""
    entries = {e.institution_id: e for e in announcement.report.units.select_related("institution")}
    differences = []
    current = unit_sources(institution=announcement.institution, year=announcement.year)
    for unit, report in current:
        entry = entries.pop(unit.pk, None)
        if entry is None:
            differences.append(UnitDifference(unit, _("joined the department since compiling")))
        elif report is None and entry.filed:
            differences.append(UnitDifference(unit, _("its notice is no longer past the purchaser review")))
        elif report is not None and not entry.filed:
            differences.append(UnitDifference(unit, _("has filed since compiling")))
        elif report is not None and report_canonical(report=report) != entry.source_data:
            differences.append(UnitDifference(unit, _("its rows or explanation changed since compiling")))
    for entry in entries.values():
        differences.append(UnitDifference(entry.institution, _("no longer belongs to the department")))
    return differences


def department_submit_problems(*, announcement: Announcement) -> list[str]:
    """Department-specific reasons to refuse a submit: nothing filed, or units changed since compiling."""
    problems = []
    if not announcement.report.units.filter(filed=True).exists():
        problems.append(_("No unit of the department has passed the purchaser review yet."))
    differences = department_differences(announcement=announcement)
    if differences:
        names = "、".join(d.institution.name for d in differences)
        problems.append(
            _("These units changed since compiling: %(units)s. Recompile before submitting.")
            % {"units": names}
        )
    return problems


def departments_including(*, report: Report) -> list[Announcement]:
    """The live department notices that compiled this unit report (a unit's notice links to them)."""
    return list(
        Announcement.objects.filter(
            kind=Kind.DEPARTMENT, report__units__source_report=report, report__units__filed=True
        )
        .exclude(state=State.REVOKED)
        .select_related("institution")
        .distinct()
    )


def unit_notices_compiled(*, report: Report) -> list[tuple[Institution, Announcement | None]]:
    """For a department notice: each filed unit (the competent unit first) and its own notice, the
    one compiled, in the department's order. One query."""
    entries = report.units.filter(filed=True).select_related("institution", "source_report__announcement")
    return [
        (
            entry.institution,
            getattr(entry.source_report, "announcement", None) if entry.source_report else None,
        )
        for entry in entries
    ]
