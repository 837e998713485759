"""The one registry of per-process memos: what a process keeps in memory between requests
(rendered page shells, near copies of cached pages, the publication version it last read, view
windows it saw claimed, …).

Every such memo is registered here when its module is imported, with whether it depends on what
is published. `forget_published()` is called on a publication or revocation (public.cache) and
`forget_all()` between tests, so that no test reads what an earlier one left in the process. It
lives in the lowest app so that every app can register its memos.
"""

from collections.abc import Callable

_published: list[Callable[[], None]] = []
_others: list[Callable[[], None]] = []


def per_process(memo, *, published: bool = False, clear: Callable[[], None] | None = None):
    """Register `memo` (a dict, an `lru_cache` function or anything with `clear()`; or pass
    `clear`) and return it. `published`: it holds what a publication changes."""
    if clear is None:
        clear = getattr(memo, "cache_clear", None) or memo.clear
    (_published if published else _others).append(clear)
    return memo


def forget_published() -> None:
    for clear in _published:
        clear()


def forget_all() -> None:
    for clear in (*_published, *_others):
        clear()
