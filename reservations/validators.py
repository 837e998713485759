"""合同链接: read as a browser reads it (the WHATWG URL standard, via ada-url), then checked.

Python's urlsplit and a browser disagree on tricks such as `https://evil.example\\@www.zfcg.sh.gov.cn/`
(a browser takes the backslash for a slash and goes to evil.example). Parsing with the browser's
rules and storing the browser's reading means the link checked is the link followed.
"""

import re
from functools import lru_cache

import ada_url
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The contract_url column's length (ReservedProject; the forms say the same).
CONTRACT_LINK_MAX_LENGTH = 500


def _host(value: str) -> str:
    try:
        return ada_url.parse_url(f"https://{value.strip()}/")["hostname"]
    except ValueError:
        return value.strip().lower()


def allowed_hosts() -> frozenset[str]:
    """settings.CONTRACT_LINK_HOSTS as a browser writes them (lower case, IDNA)."""
    return _hosts(tuple(settings.CONTRACT_LINK_HOSTS))


@lru_cache(maxsize=8)
def _hosts(hosts: tuple[str, ...]) -> frozenset[str]:
    # Keyed by the setting's value (tests override it): parsing the hosts for every row of a
    # 5,000-row import cost a fifth of its time.
    return frozenset(_host(h) for h in hosts)


def normalize_contract_link(value: str) -> str:
    """The link as a browser reads it (its href), or ValidationError with a message that says why."""
    value = (value or "").strip()
    try:
        parts = ada_url.parse_url(value)
    except ValueError:
        parts = None
    if parts is None or parts["protocol"] not in ("http:", "https:") or not parts["hostname"]:
        raise ValidationError(
            _("Enter the full web address of the contract notice, starting with http:// or https://."),
            code="contract_link_scheme",
        )
    host = parts["hostname"]
    if "\\" in value:
        raise ValidationError(
            _(
                "The contract link contains a backslash (\\): a browser reads it as “/” and would open "
                "%(host)s. Copy the address from the browser's address bar."
            ),
            code="contract_link_backslash",
            params={"host": host},
        )
    if parts["username"] or parts["password"]:
        raise ValidationError(
            _(
                "The contract link has a user name before the host (“…@”): a browser would open %(host)s. "
                "Copy the address from the browser's address bar."
            ),
            code="contract_link_userinfo",
            params={"host": host},
        )
    if host not in allowed_hosts() or parts["port"]:
        raise ValidationError(
            _("The contract link must point to the procurement website (%(hosts)s), not %(host)s."),
            code="contract_link_host",
            params={"hosts": "、".join(settings.CONTRACT_LINK_HOSTS), "host": host},
        )
    if not re.match(settings.CONTRACT_LINK_PATH_PATTERN, parts["pathname"] + parts["search"]):
        raise ValidationError(
            _(
                "The contract link must open the contract notice itself, not the website's home page or "
                "a list."
            ),
            code="contract_link_path",
        )
    href = parts["href"]
    if len(href) > CONTRACT_LINK_MAX_LENGTH:
        # Normalising escapes quotes, spaces and non-ASCII (" becomes %22): a link that fitted as
        # typed may not fit once written, and it must never be cut short.
        raise ValidationError(
            _(
                "The contract link is %(length)s characters long as a browser writes it (quotes, "
                "spaces and Chinese become %%XX); at most %(max)s."
            ),
            code="contract_link_length",
            params={"length": len(href), "max": CONTRACT_LINK_MAX_LENGTH},
        )
    return href
