"""Public pages are cached under a version number; publishing or revoking bumps it, so no stale
listing survives a publication (on every app server, since the version lives in the shared cache)."""

import hashlib

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


def _entry_key(kind: str, parts) -> str:
    digest = hashlib.blake2s("|".join(str(p) for p in parts).encode(), digest_size=16).hexdigest()
    return f"public:{get_language()}:{kind}:{digest}"


def versioned_get(kind: str, *parts):
    """(current version, cached value or None) in one round trip to the cache: the entry carries
    the version it was built under and counts only while that is still the current one.
    PUBLIC_CACHE_SECONDS = 0 turns the page cache off (the benchmark's database path)."""
    if public_cache_seconds() <= 0:
        return 0, None
    key = _entry_key(kind, parts)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = public_cache_version()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, None


def versioned_set(kind: str, *parts, version: int, value) -> None:
    """Store `value` as built under `version` (read before building, so that a publication
    during the build leaves an entry that is already stale)."""
    if public_cache_seconds() <= 0:
        return
    cache.set(_entry_key(kind, parts), (version, value), public_cache_seconds())


def public_cache_seconds() -> int:
    return getattr(settings, "PUBLIC_CACHE_SECONDS", 300)
