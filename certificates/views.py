from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from accounts.gates import staff_admin_required

# The password sign-in's second step (a TOTP code) is reused as it is: a certificate replaces
# the password, not the code.
from accounts.signin import PENDING_KEY

from .forms import CertificateUploadForm
from .pki import CertificateRejected, facts, load_certificate
from .rules import SESSION_KEY, presented_certificate
from .selectors import EXPIRY_WARNING_DAYS, certificate_for_user, certificates_for_user, staff_certificates
from .services import certificate_bind, certificate_unbind


def _presented_facts(request):
    pem = presented_certificate(request)
    if not pem:
        return None
    try:
        return facts(load_certificate(pem))
    except CertificateRejected:
        return None


def _bound_message(certificate) -> str:
    return gettext("Certificate %(name)s bound.") % {"name": certificate.subject_cn}


@login_required
def certificate_list(request):
    """CA管理: the user's bound certificates, an upload form, and the certificate the browser
    presented through the TLS proxy."""
    form = CertificateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificate_bind(user=request.user, data=form.cleaned_data["file"])
        except CertificateRejected as rejected:
            form.add_error("file", str(rejected))
        else:
            messages.success(request, _bound_message(certificate))
            return redirect("certificates:list")
    presented = _presented_facts(request)
    certificates = certificates_for_user(user=request.user)
    return render(
        request,
        "certificates/list.html",
        {
            "form": form,
            "certificates": certificates,
            "presented": presented,
            "presented_bound": presented and presented.fingerprint in {c.fingerprint for c in certificates},
            "now": timezone.now(),
            "soon": timezone.now() + timezone.timedelta(days=EXPIRY_WARNING_DAYS),
        },
    )


@login_required
@require_POST
def certificate_bind_presented(request):
    pem = presented_certificate(request)
    if not pem:
        messages.error(request, gettext("The browser presented no certificate."))
        return redirect("certificates:list")
    try:
        certificate = certificate_bind(user=request.user, data=pem)
    except CertificateRejected as rejected:
        messages.error(request, str(rejected))
    else:
        messages.success(request, _bound_message(certificate))
    return redirect("certificates:list")


@login_required
@require_POST
def unbind(request, pk):
    certificate = certificate_for_user(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    certificate_unbind(certificate=certificate)
    messages.success(request, gettext("Certificate %(name)s unbound.") % {"name": certificate.subject_cn})
    return redirect("certificates:list")


@staff_admin_required
def staff_list(request):
    """The institution's staff: who has a certificate and when it expires."""
    return render(
        request,
        "certificates/staff.html",
        {
            "staff": staff_certificates(institution=request.user.institution),
            "now": timezone.now(),
            "soon": timezone.now() + timezone.timedelta(days=EXPIRY_WARNING_DAYS),
        },
    )


def sign_in(request):
    """证书登录: the certificate the TLS proxy verified and forwarded signs in the account it is
    bound to (checked again here). An account with a TOTP device still gives its code."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = settings.LOGIN_REDIRECT_URL
    pem = presented_certificate(request)
    error = ""
    if request.method == "POST":
        if not pem:
            error = gettext("The browser presented no certificate. Insert the certificate key and try again.")
        else:
            user = authenticate(request, client_certificate=pem, step="certificate")
            if getattr(request, "axes_locked_out", False):
                return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
            if user is None:
                error = getattr(request, "certificate_rejected", "") or gettext(
                    "This account cannot sign in (disabled or deleted)."
                )
            else:
                request.session[SESSION_KEY] = user.pk
                if user_has_device(user, confirmed=True):
                    request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "next": target}
                    return redirect("accounts:login_code")
                auth_login(request, user)
                return redirect(target)
    presented = _presented_facts(request)
    return render(
        request,
        "certificates/signin.html",
        {"presented": presented, "error": error, "next": target},
        status=400 if error else 200,
    )
