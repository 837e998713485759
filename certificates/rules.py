"""Who must sign in with a certificate, and whether this session did."""

from django.conf import settings

from accounts.rules import holds_any_position

# The session remembers which account a certificate signed in (a password sign-in of an account
# whose position requires a certificate lacks it).
SESSION_KEY = "certificates_signed_in_user"


def certificate_required(user) -> bool:
    """True when one of the user's positions must sign in with a certificate
    (CA_REQUIRED_POSITIONS; cached on the user)."""
    return holds_any_position(user, settings.CA_REQUIRED_POSITIONS, memo="_certificate_required")


def presented_certificate(request) -> str:
    """The client certificate the TLS proxy verified and forwarded (URL-encoded PEM, nginx's
    $ssl_client_escaped_cert); empty unless BEHIND_PROXY, since without the proxy anyone could
    send the header."""
    if not settings.BEHIND_PROXY:
        return ""
    return request.META.get(settings.CA_CLIENT_CERT_HEADER, "").strip()
