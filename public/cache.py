"""Public pages are cached under a version number; publishing or revoking bumps it, so no stale
listing survives a publication (on every app server, since the version lives in the shared cache).

Two levels: the shared cache (Redis in production) and, in front of it, a small copy in each
process (`_near`), keyed by the same version. A request takes the version (with the page's
Last-Modified: `read_request_facts`, called by public.conditional before the view) from what the
process read at most PUBLIC_VERSION_CHECK_SECONDS ago (one round trip when older), and a page this
process holds under that version is served without asking the shared cache at all. A copy is
only as fresh as the version it was read under, so it outlives a publication on another server
by that second at most; a version that cannot be read (the cache is down) uses no copy.

A version is never reused: a fresh one (the key missing after a Redis flush or eviction) is a
random 48-bit number, not 1, so a copy made under an old version cannot match a new one.
"""

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from accounts.memos import forget_published, per_process

VERSION_KEY = "public-pages-version"
CHANGED_AT_KEY = "public:changed-at"
# (version, changed_at) of the request being answered, read once by public.conditional.
_request_facts: ContextVar[tuple | None] = ContextVar("public_request_facts", default=None)


def _fresh_version() -> int:
    return secrets.randbits(48) + 2


def public_cache_version() -> int | None:
    """The current version, or None when the cache cannot say (it is down)."""
    facts = _request_facts.get()
    if facts is not None:
        return facts[0]
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_public_cache() -> None:
    """Invalidate every cached public page (the shared entries and every process's copies)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)
    forget_published()


def publication_changed_at(stamp=None) -> int:
    """When the public pages last changed (a publication or revocation), as a Unix time."""
    if stamp is None:
        stamp = cache.get(CHANGED_AT_KEY)
    if stamp is None:
        # Unknown (a fresh cache): from now on, which is never earlier than the real change.
        cache.add(CHANGED_AT_KEY, int(timezone.now().timestamp()), timeout=None)
        stamp = cache.get(CHANGED_AT_KEY) or int(timezone.now().timestamp())
    return stamp


def mark_publication_changed() -> None:
    cache.set(CHANGED_AT_KEY, int(timezone.now().timestamp()), timeout=None)
    forget_published()


# (version, changed_at) as this process last read them, and until when (time.monotonic()) it
# serves them without asking the shared cache: PUBLIC_VERSION_CHECK_SECONDS.
_facts_memo: tuple | None = None


def read_request_facts() -> tuple[int | None, int]:
    """(version, changed_at) for a request: read in one round trip to the shared cache at most
    once per PUBLIC_VERSION_CHECK_SECONDS per process (a publication made on another server is
    seen that much later here; one made in this process at once), remembered for the rest of the
    request by `remember_request_facts`. The version is None when the cache is down."""
    global _facts_memo
    memo = _facts_memo
    now = time.monotonic()
    if memo is not None and memo[1] > now:
        return memo[0]
    found = cache.get_many([VERSION_KEY, CHANGED_AT_KEY])
    version = found.get(VERSION_KEY)
    if version is None:
        version = public_cache_version()
    facts = (version, publication_changed_at(found.get(CHANGED_AT_KEY)))
    seconds = getattr(settings, "PUBLIC_VERSION_CHECK_SECONDS", 1.0)
    if version is not None and seconds > 0:
        _facts_memo = (facts, now + seconds)
    return facts


def _forget_facts_memo() -> None:
    global _facts_memo
    _facts_memo = None


per_process(_facts_memo, published=True, clear=_forget_facts_memo)


def remember_request_facts(facts):
    """Keep `facts` for the request being answered; returns the token to `forget_request_facts`."""
    return _request_facts.set(facts)


def forget_request_facts(token) -> None:
    _request_facts.reset(token)


def _entry_key(kind: str, parts) -> str:
    digest = hashlib.blake2s("|".join(str(p) for p in parts).encode(), digest_size=16).hexdigest()
    return f"public:{get_language()}:{kind}:{digest}"


class NearCache:
    """What this process read or built under a version, newest use last; bounded by count (also
    the view counter's memos in public.services). Register each one with accounts.memos."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, version):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            stored_version, expires, value = entry
            if stored_version != version or expires < time.monotonic():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return value

    def set(self, key, version, value, seconds) -> None:
        with self.lock:
            self.entries[key] = (version, time.monotonic() + seconds, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_near = per_process(NearCache(size=512), published=True)


def versioned_get(kind: str, *parts):
    """(current version, cached value or None): from this process's copy when it holds one
    under the current version, else in one round trip to the shared cache (with the version,
    unless the request has read it already); the entry carries the version it was built under
    and counts only while that is still the current one.
    PUBLIC_CACHE_SECONDS = 0 turns the page cache off (the benchmark's database path)."""
    if public_cache_seconds() <= 0:
        return 0, None
    key = _entry_key(kind, parts)
    facts = _request_facts.get()
    if facts is not None:
        version = facts[0]
        if version is None:  # the cache is down: no page to read, nothing to trust
            return None, None
        value = _near.get(key, version)
        if value is not None:
            return version, value
        entry = cache.get(key)
    else:
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = public_cache_version()
            if version is None:
                return None, None
        value = _near.get(key, version)
        if value is not None:
            return version, value
        entry = found.get(key)
    if entry is not None and entry[0] == version:
        _near.set(key, version, entry[1], public_cache_seconds())
        return version, entry[1]
    return version, None


def versioned_set(kind: str, *parts, version: int | None, value) -> None:
    """Store `value` as built under `version` (read before building, so that a publication
    during the build leaves an entry that is already stale). Nothing is stored under an unknown
    version (the cache is down)."""
    if public_cache_seconds() <= 0 or version is None:
        return
    key = _entry_key(kind, parts)
    cache.set(key, (version, value), public_cache_seconds())
    _near.set(key, version, value, public_cache_seconds())


def near_memo(name: str, version: int | None, compute, *, seconds: float = 3600):
    """`compute()` once per process and version (and at most `seconds` old): values that change
    only with a publication, such as the unfiltered total. Not kept under an unknown version."""
    if version is None:
        return compute()
    key = ("memo", name)
    value = _near.get(key, version)
    if value is None:
        value = compute()
        _near.set(key, version, value, seconds)
    return value


def public_cache_seconds() -> int:
    return getattr(settings, "PUBLIC_CACHE_SECONDS", 300)
