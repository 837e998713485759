"""The client's address for rate limits, found the way django-axes finds it (PROXY_COUNT aware)."""

import ipaddress

from axes.helpers import get_client_ip_address


def client_ip(request) -> str | None:
    return get_client_ip_address(request) or None


def client_key(request) -> str:
    """Who a per-client limit or count means: the IPv4 address, or the IPv6 /64 network (one
    household or host is given a whole /64 and can walk through its addresses); "" unknown."""
    return address_key(client_ip(request) or "")


def address_key(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
