"""Who a request's reader is, as the pages that everyone shares need to know."""

from django.conf import settings


def anonymous_without_cookies(request) -> bool:
    """Anonymous and carrying no session or message cookie: a reader whose page holds nothing of
    their own (no name in the header, no flash message), so the shared page cache may answer them
    and the read replica may serve them."""
    cookies = request.COOKIES
    if (
        settings.SESSION_COOKIE_NAME in cookies
        or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies
    ):
        return False
    return not request.user.is_authenticated
