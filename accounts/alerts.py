"""Warnings (预警) per user, computed when asked, never stored.

Apps above accounts register providers in their AppConfig.ready(): callables user -> list of
Alert, each costing a constant number of queries, so the header count and the home page cost a
constant number whatever the data. A page can also show, above its content, the banners of the
providers registered for it (register_banner): the 员工管理 page names the review steps nobody
holds, where the admin fixes them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone


@dataclass(frozen=True)
class Alert:
    kind: str
    text: str
    link: str = ""
    # When it matters (a deadline, a publication time, the time a wait began): sorts the list.
    when: datetime | None = None
    # "danger" for what is already late, "warning" for what is coming.
    level: str = "warning"


@dataclass(frozen=True)
class Banner:
    """A warning shown on one page: what is wrong and what to do there, with a link elsewhere."""

    text: str
    link: str = ""
    link_text: str = ""
    level: str = "warning"


_PROVIDERS: list[Callable] = []
_BANNERS: dict[str, list[Callable]] = {}


def register_provider(provider: Callable) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def register_banner(page: str, provider: Callable) -> None:
    """`provider(user) -> list[Banner]` is shown on the page named `page` (its URL name)."""
    providers = _BANNERS.setdefault(page, [])
    if provider not in providers:
        providers.append(provider)


def banners_for(user, page: str) -> list[Banner]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [banner for provider in _BANNERS.get(page, []) for banner in provider(user)]


def alerts_for(user) -> list[Alert]:
    """Every warning for the user, the late ones first, then by time (cached on the user object
    for the request, so the header and the home page compute it once)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_alerts", None)
    if cached is None:
        cached = [alert for provider in _PROVIDERS for alert in provider(user)]
        far = timezone.now().replace(year=9999)
        cached.sort(key=lambda a: (a.level != "danger", a.when or far))
        user._alerts = cached
    return cached


def alert_count(user) -> int:
    """The console header's 预警 badge: the length of the same list."""
    return len(alerts_for(user))
