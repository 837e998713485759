"""Public pages are cached under a version number; publishing or revoking bumps it, so no stale
listing survives a publication (on every app server, since the version lives in the shared cache)."""

from django.core.cache import cache

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


def on_publication_changed(announcement) -> None:
    """Called by the workflow after commit whenever a notice is published or revoked."""
    bump_public_cache()
