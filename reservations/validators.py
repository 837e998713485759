from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_contract_link(value: str) -> None:
    """合同链接: an http(s) URL on one of the procurement website's hosts (settings.CONTRACT_LINK_HOSTS)."""
    hosts = {h.lower() for h in settings.CONTRACT_LINK_HOSTS}
    try:
        parts = urlsplit(value.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ValidationError(
            _("Enter the full web address of the contract notice, starting with http:// or https://."),
            code="contract_link_scheme",
        )
    if host not in hosts:
        raise ValidationError(
            _("The contract link must point to the procurement website (%(hosts)s)."),
            code="contract_link_host",
            params={"hosts": ", ".join(settings.CONTRACT_LINK_HOSTS)},
        )
