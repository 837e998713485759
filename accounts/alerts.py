"""Warnings (预警) per user, computed when asked, never stored.

Apps above accounts register providers in their AppConfig.ready(): callables user -> list of
Alert, each costing a constant number of queries, so the header count and the home page cost a
constant number whatever the data.
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


_PROVIDERS: list[Callable] = []


def register_provider(provider: Callable) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


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
