"""Where a sign-in came from: the client address (proxy-aware) and its place.

The address honours PROXY_COUNT (X-Forwarded-For behind trusted proxies) and is the one
django-axes locks out (AXES_CLIENT_IP_CALLABLE), so 登录记录 and the lockout agree. The place
comes from an offline ip2region database (.xdb, read with the py-ip2region package) named by
the IP_REGION_DB setting: private, loopback and
link-local ranges read 内网; anything the file cannot place, or every public address when no file
is configured, reads 未知. No lookup ever leaves the machine.
"""

import ipaddress
import logging
import threading

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

_lock = threading.Lock()
_searchers: dict[str, object] = {}


def client_address(request) -> str | None:
    """The client's address. Behind PROXY_COUNT trusted proxies (each appends the address it saw
    to X-Forwarded-For), the client is the entry the outermost proxy appended; an address a client
    typed into the header itself comes before that and is ignored. Django-axes uses this same
    function (AXES_CLIENT_IP_CALLABLE), so the lockout and 登录记录 agree."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    proxies = settings.AXES_IPWARE_PROXY_COUNT or 0
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if proxies and forwarded:
        address = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _searcher(path: str):
    """The xdb searcher for `path`, the whole file loaded once per process (a few MB)."""
    with _lock:
        if path not in _searchers:
            from ip2region import searcher, util

            header = util.load_header_from_file(path)
            version = util.version_from_header(header)
            if version is None:
                raise ValueError(f"{path} is not an ip2region xdb file")
            _searchers[path] = searcher.new_with_buffer(version, util.load_content_from_file(path))
        return _searchers[path]


def _region_to_place(region: str) -> str:
    """国家|区域|省份|城市|ISP (xdb 2.x) or 国家|省份|城市|ISP (3.x) → 上海市, 广东省深圳市,
    美国; "0" is unknown."""
    fields = region.split("|")
    if len(fields) == 5:
        fields = [fields[0], fields[2], fields[3]]
    elif len(fields) == 4:
        fields = fields[:3]
    country, *rest = [f for f in fields if f and f != "0"] or [""]
    names = [] if country == "中国" and rest else [country]
    for name in rest:
        if names and name.startswith(names[-1]):
            names[-1] = name  # 上海 then 上海市: the full name once
        elif name not in names:
            names.append(name)
    return "".join(names)


def place_for(address: str | None, *, db_path: str | None = None) -> str:
    """The place of an address in the site's language: a region, 内网 or 未知."""
    with translation.override(settings.LANGUAGE_CODE):
        if not address:
            return _("Unknown")
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return _("Unknown")
        if ip.is_private or ip.is_loopback or ip.is_link_local:
            return _("Intranet")
        path = settings.IP_REGION_DB if db_path is None else db_path
        if not path or ip.version != 4:
            return _("Unknown")
        try:
            region = _searcher(path).search(str(ip))
        except Exception:  # noqa: BLE001 - a broken data file must not stop a sign-in
            log.exception("IP region lookup failed with %s", path)
            return _("Unknown")
        return _region_to_place(region) or _("Unknown")
