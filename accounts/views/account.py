"""账户管理 (one's own account) and 绑定手机 with a code sent to the new number."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import phones
from ..forms.password import BindCodeForm, BindPhoneForm
from ..models import VerificationCode
from ..network import client_ip
from ..rules import user_positions
from .password import row_from_token, row_token

_SALT = "accounts.bind-phone"


@login_required
def account(request):
    user = request.user
    return render(request, "accounts/account.html", {"account": user, "positions": user_positions(user)})


@login_required
def phone_bind(request):
    form = BindPhoneForm(request.POST or None, user=request.user)
    if form.is_valid():
        try:
            row = phones.phone_bind_start(
                user=request.user, phone=form.cleaned_data["phone"], ip=client_ip(request)
            )
        except phones.RateLimited as error:
            form.add_error(None, error)
        else:
            return redirect("accounts:phone_bind_code", row_token(row, _SALT))
    return render(request, "accounts/phone_bind.html", {"form": form})


@login_required
def phone_bind_code(request, token):
    row = row_from_token(token, _SALT, VerificationCode.Purpose.BIND_PHONE)
    if row.user_id != request.user.pk:
        return redirect("accounts:phone_bind")
    form = BindCodeForm(request.POST or None)
    if form.is_valid():
        try:
            phones.phone_bind_confirm(user=request.user, row=row, code=form.cleaned_data["code"])
        except phones.CodeRefused as error:
            form.add_error("code", error)
        else:
            messages.success(
                request, _("Your bound mobile is now %(phone)s (verified).") % {"phone": row.phone}
            )
            return redirect("accounts:account")
    context = {"form": form, "phone": phones.mask_phone(row.phone), "minutes": phones.CODE_MINUTES}
    return render(request, "accounts/phone_bind_code.html", context)
