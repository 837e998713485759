"""System checks of the accounts settings: a typo in OTP_REQUIRED_POSITIONS must stop the start,
not turn every page into an error."""

from django.conf import settings
from django.core.checks import Error, register

from .enums import Position


@register()
def otp_required_positions(app_configs, **kwargs):
    unknown = [p for p in settings.OTP_REQUIRED_POSITIONS if p not in Position.values]
    if not unknown:
        return []
    return [
        Error(
            f"OTP_REQUIRED_POSITIONS names unknown positions: {', '.join(unknown)}",
            hint=f"Use some of: {', '.join(Position.values)}",
            id="accounts.E001",
        )
    ]
