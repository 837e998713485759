"""Extension points filled by apps above announcements (oversight, public), which announcements never
imports."""

from collections.abc import Callable, Iterable
from datetime import datetime

# provider(pairs: set of (district_id, year)) -> {(district_id, year): aware datetime deadline}
_deadline_provider: Callable | None = None


def register_deadline_provider(provider: Callable) -> None:
    global _deadline_provider
    _deadline_provider = provider


# The public site's addresses: notice(public_id) -> URL of its public page; attachment(public_id,
# attachment_id) -> URL of its public download. public fills them in its AppConfig.ready():
# announcements sits below public and must not name public's URLs.
_public_urls: dict[str, Callable] = {}


def register_public_urls(*, notice: Callable[[str], str], attachment: Callable[[str, int], str]) -> None:
    _public_urls.update(notice=notice, attachment=attachment)


def public_notice_url(public_id: str) -> str | None:
    """The public page of a notice (published or not: callers check); None without a public site."""
    notice = _public_urls.get("notice")
    return notice(public_id) if notice else None


def public_attachment_url(public_id: str, attachment_id: int) -> str | None:
    attachment = _public_urls.get("attachment")
    return attachment(public_id, attachment_id) if attachment else None


def filing_deadlines(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], datetime]:
    """Filing deadlines (截止时间) for (district, year) pairs, in one query whatever the count."""
    pairs = {p for p in pairs if p[1] is not None}
    if _deadline_provider is None or not pairs:
        return {}
    return _deadline_provider(pairs)
