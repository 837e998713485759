"""System checks of the certificate settings: a typo must stop the start, not lock a position
out of signing in."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from accounts.enums import Position


@register()
def certificate_settings(app_configs=None, **kwargs):
    errors = []
    unknown = sorted(set(settings.CA_REQUIRED_POSITIONS) - set(Position.values))
    if unknown:
        errors.append(
            Error(
                f"CA_REQUIRED_POSITIONS names unknown positions: {', '.join(unknown)}",
                hint=f"Use some of: {', '.join(Position.values)}.",
                id="certificates.E001",
            )
        )
    if settings.CA_REQUIRED_POSITIONS and not Path(settings.CA_TRUST_BUNDLE or "/nonexistent").is_file():
        errors.append(
            Error(
                "CA_REQUIRED_POSITIONS is set but CA_TRUST_BUNDLE names no file: nobody could sign in.",
                id="certificates.E002",
            )
        )
    if settings.CA_CRL_UNAVAILABLE not in ("fail_closed", "fail_open"):
        errors.append(Error("CA_CRL_UNAVAILABLE must be fail_closed or fail_open.", id="certificates.E003"))
    return errors
