"""The one access-gate style for views: a decorator per kind of user, made by `gate`.

A signed-out visitor goes to the sign-in page; a signed-in user who is not of that kind gets
404, so that nobody learns that a page exists (healthchecks). Each app declares its gates
next to its views from a predicate in its rules.py.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .enums import Perm
from .rules import user_holds


def gate(predicate):
    """A view decorator: sign-in required, then `predicate(user)` or 404."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_admin_required = gate(lambda user: user_holds(user, Perm.MANAGE_STAFF))
