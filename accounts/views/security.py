"""账号安全: enrol the second factor (TOTP with a QR code and a code check) and renew the
recovery codes. The sign-in's code step lives with the sign-in view (auth.py)."""

import base64
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from .. import second_factor
from ..forms.security import EnrolForm


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _provisioning_url(device, user) -> str:
    # django-otp's config_url names the account by username; the issuer says which site it is.
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.get_username()}")
    return (
        f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}"
        f"&digits={device.digits}&period={device.step}"
    )


@login_required
def security(request):
    user = request.user
    enrolled = second_factor.otp_enrolled(user)
    context = {
        "enrolled": enrolled,
        "required": second_factor.otp_required(user),
        "codes_left": second_factor.recovery_codes_left(user=user) if enrolled else 0,
    }
    if not enrolled:
        device = second_factor.totp_device_pending(user=user)
        form = EnrolForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                codes = second_factor.totp_confirm(user=user, device=device, code=form.cleaned_data["code"])
            except second_factor.CodeThrottled as wait:
                form.add_error("code", second_factor.throttled_message(wait.seconds))
            else:
                if codes is not None:
                    otp_login(request, device)
                    messages.success(request, _("The second factor is on. Keep these recovery codes safe."))
                    return render(request, "accounts/recovery_codes.html", {"codes": codes})
                form.add_error(
                    "code", _("The code is not correct: check the time on your phone and try again.")
                )
        url = _provisioning_url(device, user)
        context.update(
            form=form,
            qr=_qr_data_uri(url),
            secret=base64.b32encode(device.bin_key).decode().rstrip("="),
        )
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def recovery_codes_renew(request):
    if not (second_factor.otp_enrolled(request.user) and request.user.is_verified()):
        messages.error(request, _("Sign in with your verification code first."))
        return redirect("accounts:security")
    codes = second_factor.recovery_codes_renew(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})
