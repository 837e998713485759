"""Public pages are cached under a version number; publishing or revoking bumps it, so no stale
listing survives a publication (on every app server, since the version lives in the shared cache)."""

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

VERSION_KEY = "public-pages-version"


def public_cache_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_public_cache() -> None:
    """Invalidate every cached public page."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def public_cache_key(kind: str, *parts) -> str:
    """A key that changes with the publication version and the language of the page."""
    joined = "|".join(str(p) for p in parts)
    return f"public:{public_cache_version()}:{get_language()}:{kind}:{joined}"


def public_cache_seconds() -> int:
    return getattr(settings, "PUBLIC_CACHE_SECONDS", 300)


def announcement_search_fields_fill(*, announcement) -> None:
    """Write the notice's denormalised search text and grams (announcements.search).

    Side effect: one UPDATE of the notice's two search columns (no other field, no signal)."""
    from reservations.models import ReservedProject

    from .models import Announcement
    from .search import grams_for, search_text_parts

    report = announcement.report
    names = []
    if report is not None:
        names = list(
            ReservedProject.objects.filter(report=report).order_by("position").values_list("name", flat=True)
        )
    parts = search_text_parts(
        title=announcement.title,
        unit=announcement.institution.name,
        competent_unit=report.competent_unit_name if report is not None else "",
        project_names=names,
    )
    text, grams = "\n".join(parts), grams_for(parts)
    Announcement.objects.filter(pk=announcement.pk).update(search_text=text, search_grams=grams)
    announcement.search_text, announcement.search_grams = text, grams


def on_publication_changed(announcement) -> None:
    """Called by the workflow after commit whenever a notice is published or revoked.

    Side effects: fills the notice's search fields (whatever the state the caller's copy shows:
    a revoked notice leaves the list by its state, not by its search text), then invalidates
    every cached public page (list, feed, API, OCDS, sitemap)."""
    announcement_search_fields_fill(announcement=announcement)
    bump_public_cache()
