"""忘记密码 (by a code to the verified 绑定手机, or by an e-mailed link) and the admin's 重置密码.

The pages answer the same whether or not the account exists; the rules and limits live in
accounts.passwords and accounts.phones.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from .. import passwords, phones, selectors
from ..forms.password import CodeResetForm, ForgotByEmailForm, ForgotByPhoneForm
from ..gates import staff_admin_required
from ..models import VerificationCode
from ..network import client_ip

_SALT = "accounts.forgot-phone"


def row_token(row: VerificationCode, salt: str) -> str:
    return signing.dumps(row.pk, salt=salt)


def row_from_token(token: str, salt: str, purpose: str) -> VerificationCode:
    """The request a signed link names; 404 for a forged or foreign token."""
    try:
        pk = signing.loads(token, salt=salt)
    except signing.BadSignature as error:
        raise Http404 from error
    row = VerificationCode.objects.filter(pk=pk, purpose=purpose).first()
    if row is None:
        raise Http404
    return row


def forgot(request):
    """忘记密码: by mobile code (the form here) or by e-mail (a link to the other form)."""
    form = ForgotByPhoneForm(request.POST or None)
    if form.is_valid():
        try:
            row = passwords.reset_by_phone_request(**form.cleaned_data, ip=client_ip(request))
        except phones.RateLimited as error:
            form.add_error(None, error)
        else:
            return redirect("accounts:password_forgot_code", row_token(row, _SALT))
    return render(request, "registration/password_forgot.html", {"form": form})


@sensitive_post_parameters("new_password1", "new_password2")
def forgot_code(request, token):
    row = row_from_token(token, _SALT, VerificationCode.Purpose.RESET_BY_PHONE)
    # The form checks the password only as it would for any account; the account's own checks
    # follow once the code is right (passwords.reset_by_phone_confirm).
    form = CodeResetForm(request.POST or None, user=None)
    if form.is_valid():
        try:
            passwords.reset_by_phone_confirm(
                row=row, code=form.cleaned_data["code"], password=form.cleaned_data["new_password1"]
            )
        except phones.CodeRefused as error:
            form.add_error("code", error)
        except ValidationError as error:
            form.add_error("new_password2", error)
        else:
            messages.success(request, _("Your password has been reset. Sign in with the new password."))
            return redirect("accounts:login")
    context = {"form": form, "phone": phones.mask_phone(row.phone), "minutes": phones.CODE_MINUTES}
    return render(request, "registration/password_forgot_code.html", context)


def forgot_email(request):
    form = ForgotByEmailForm(request.POST or None)
    if form.is_valid():
        try:
            passwords.reset_by_email_request(email=form.cleaned_data["email"], ip=client_ip(request))
        except phones.RateLimited as error:
            form.add_error(None, error)
        else:
            return redirect("accounts:password_forgot_email_sent")
    return render(request, "registration/password_forgot_email.html", {"form": form})


def forgot_email_sent(request):
    return render(request, "registration/password_forgot_email_sent.html")


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's token check for the e-mailed link; the success is recorded in the staff history."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is not None and (not user.is_active or user.is_deleted):
            return None
        return user

    def form_valid(self, form):
        user = form.save()
        passwords.reset_by_email_done(user=user)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password has been reset. Sign in with the new password."))
        return redirect(self.success_url)


@staff_admin_required
def staff_reset_password(request, pk):
    """重置密码 on 详情: GET asks to confirm; POST shows the new one-time password once."""
    staff = selectors.staff_get_for_admin(admin=request.user, pk=pk, deleted=False)
    if request.method != "POST":
        return render(request, "accounts/staff_reset_password.html", {"staff": staff})
    try:
        password = passwords.staff_password_reset(actor=request.user, staff=staff)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("accounts:staff_detail", staff.pk)
    response = render(request, "accounts/staff_password_issued.html", {"staff": staff, "password": password})
    # The password is shown once: no cache keeps the page.
    add_never_cache_headers(response)
    return response
