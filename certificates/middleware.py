from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext

from .rules import SESSION_KEY, certificate_required


class RequireCertificateMiddleware:
    """A user whose position must sign in with a certificate (CA_REQUIRED_POSITIONS) and whose
    session a certificate did not open is signed out and sent to 证书登录."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(("/static/", "/i18n/", "/accounts/"))
            and certificate_required(user)
            and request.session.get(SESSION_KEY) != user.pk
        ):
            logout(request)
            messages.warning(request, gettext("Your position must sign in with a digital certificate."))
            return redirect("certificates:signin")
        return self.get_response(request)
