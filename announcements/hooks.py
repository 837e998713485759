"""Extension points filled by apps above announcements (oversight), which announcements never imports."""

from collections.abc import Callable, Iterable
from datetime import datetime

# provider(pairs: set of (district_id, year)) -> {(district_id, year): aware datetime deadline}
_deadline_provider: Callable | None = None


def register_deadline_provider(provider: Callable) -> None:
    global _deadline_provider
    _deadline_provider = provider


def filing_deadlines(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], datetime]:
    """Filing deadlines (截止时间) for (district, year) pairs, in one query whatever the count."""
    pairs = {p for p in pairs if p[1] is not None}
    if _deadline_provider is None or not pairs:
        return {}
    return _deadline_provider(pairs)
