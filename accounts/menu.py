"""The console's menu. Each app registers its entries in its AppConfig.ready(), so that
accounts (the lowest app) never imports the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    # A predicate on the user; the entry shows only when it says yes.
    visible: Callable = field(compare=False)
    # The entry's place in the menu; unique, so that the order never depends on which app's
    # ready() ran first.
    order: int = 100


_ITEMS: list[MenuItem] = []


def register(item: MenuItem) -> None:
    """Add an entry (again registering an equal one is a no-op). Raises ImproperlyConfigured when
    another entry already holds its `order`."""
    if item in _ITEMS:
        return
    clash = next((other for other in _ITEMS if other.order == item.order), None)
    if clash is not None:
        raise ImproperlyConfigured(
            f"Menu entries {clash.url_name} and {item.url_name} share the order {item.order}"
        )
    _ITEMS.append(item)


def registered_items() -> list[MenuItem]:
    """Every registered entry in menu order, whoever may see it."""
    return sorted(_ITEMS, key=lambda i: i.order)


def items_for(user, *, request=None) -> list[dict]:
    """The user's menu entries; with `request`, the one the page belongs to has `current`."""
    entries = []
    for item in registered_items():
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url, "current": False})
    if request is not None:
        current = current_url(
            [e["url"] for e in entries], path=request.path, full_path=request.get_full_path()
        )
        for entry in entries:
            entry["current"] = entry["url"] == current
    return entries


def current_url(urls: list[str], *, path: str, full_path: str) -> str | None:
    """The one menu address a page belongs to: its own, else the one whose path is the longest
    prefix of the page's (a notice's pages belong to the notices' list). Never two at once."""
    if full_path in urls:
        return full_path
    best, best_length = None, 0
    for url in urls:
        base = url.split("?", 1)[0]
        if path.startswith(base) and len(base) > best_length:
            best, best_length = url, len(base)
    return best


# Badges in the console header (the 待办 count): callables user -> int, registered by apps.
_COUNTERS: dict[str, Callable] = {}


def register_counter(name: str, counter: Callable) -> None:
    _COUNTERS[name] = counter


def counters_for(user) -> dict[str, int]:
    return {name: counter(user) for name, counter in _COUNTERS.items()}


# The home page's 待办事项: one provider (announcements registers it), user, limit ->
# (items, url of the whole list); each item a dict with title, url, state and time.
_TODO_LIST: list[Callable] = []


def register_todo_list(provider: Callable) -> None:
    _TODO_LIST[:] = [provider]


def todo_items_for(user, *, limit: int) -> tuple[list[dict], str]:
    if not _TODO_LIST:
        return [], ""
    return _TODO_LIST[0](user, limit)
