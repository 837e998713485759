"""登录记录: every sign-in and failed attempt, with the address, the place and the browser.

Receivers of Django's user_logged_in and user_login_failed (connected in AccountsConfig.ready);
the second-factor step sends user_login_failed too, so a wrong code is recorded and counts
toward the django-axes lockout like a wrong password.
"""

from django.db.models import QuerySet

from .ipregion import client_address, place_for
from .models import SignInRecord, User

RECENT = 20
# The session key that holds a sign-in waiting for its second factor (the password, or the
# certificate of 证书登录, was right; the TOTP code is asked next).
PENDING_KEY = "accounts_pending_sign_in"
USER_AGENT_MAX = SignInRecord._meta.get_field("user_agent").max_length


def _record(*, request, user, username: str, succeeded: bool, step: str = "") -> SignInRecord:
    address = client_address(request)
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return SignInRecord.objects.create(
        user=user,
        username=username[:150],
        succeeded=succeeded,
        step=step,
        address=address,
        place=place_for(address),
        user_agent=agent[:USER_AGENT_MAX],
    )


def on_logged_in(sender, request, user, **kwargs) -> None:
    _record(request=request, user=user, username=user.get_username(), succeeded=True)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")
    # The account, when it exists, so that its owner sees the attempt in 登录记录.
    user = User.objects.filter(username=username).first() if username else None
    _record(
        request=request,
        user=user,
        username=username,
        succeeded=False,
        step=str(credentials.get("step") or "password"),
    )


def sign_ins_for_user(*, user, limit: int = RECENT) -> QuerySet[SignInRecord]:
    """The user's latest sign-ins and failed attempts, newest first."""
    return SignInRecord.objects.filter(user=user)[:limit]


def last_sign_in(*, user) -> SignInRecord | None:
    """The successful sign-in before the current one (上次登录); None on a first sign-in."""
    records = list(SignInRecord.objects.filter(user=user, succeeded=True)[:2])
    return records[1] if len(records) == 2 else None
