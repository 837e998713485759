"""What the drafting and review pages need to know of other notices for the plausibility
warnings: which contract links of a report are already in another published notice. The
reservations app words the warning; only this app knows what is published."""

from reservations.models import ReservedProject

from .selectors import announcements_published


def published_links_elsewhere(*, report, links=None) -> frozenset[str]:
    """The contract links of `report`'s rows (or `links`, the rows as typed) that a row of
    another published notice carries.
    A department notice's rows are compiled copies of its units' rows, published twice by
    design, so it is compared with nothing, and the copies are never compared with. One query."""
    if report is None or report.units.exists():
        return frozenset()
    mine = report.rows.exclude(contract_url="").values("contract_url") if links is None else list(links)
    links = (
        ReservedProject.objects.filter(
            contract_url__in=mine,
            unit__isnull=True,
            report__announcement__in=announcements_published().exclude(report=report),
        )
        .values_list("contract_url", flat=True)
        .distinct()
    )
    return frozenset(links)
