from django.utils.functional import SimpleLazyObject

from . import menu


def console(request):
    """The console menu and header counters, computed only when a template reads them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "console_menu": SimpleLazyObject(lambda: menu.items_for(user, request=request)),
        "console_counters": SimpleLazyObject(lambda: menu.counters_for(user)),
    }
