from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .second_factor import otp_enrolled, otp_required


class ForcePasswordChangeMiddleware:
    """Until a user with an initial password has chosen their own, every page leads to the change form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(("/static/", "/i18n/")):
                return redirect("accounts:password_change")
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """A user whose position must use a second factor (OTP_REQUIRED_POSITIONS) and whose session
    is not verified by one is led to 账号安全 to enrol before any other console page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(("/static/", "/i18n/", "/accounts/"))
            and request.path != reverse("accounts:security")
            and otp_required(user)
            and not user.is_verified()
        ):
            if otp_enrolled(user):
                # Enrolled but this session never gave a code (e.g. it began before the
                # requirement): sign in again, with the code.
                logout(request)
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            return redirect("accounts:security")
        return self.get_response(request)
