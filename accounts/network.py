"""The client's address for rate limits, found the way django-axes finds it (PROXY_COUNT aware)."""

from axes.helpers import get_client_ip_address


def client_ip(request) -> str | None:
    return get_client_ip_address(request) or None
