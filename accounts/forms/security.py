"""Forms of the second factor (账号安全) and of 新增/邀请 and 批量新增."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .staff import PROFILE_ERRORS, PROFILE_FIELDS, PROFILE_LABELS, StaffUpdateForm


class CodeForm(forms.Form):
    """The sign-in's second step: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Enter the verification code.")},
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the code shown by the app.")},
    )


class StaffInviteForm(StaffUpdateForm):
    """新增/邀请: the account without a password; the person sets it through the link."""

    class Meta(StaffUpdateForm.Meta):
        fields = ["username", *PROFILE_FIELDS]
        labels = {"username": _("Account"), **PROFILE_LABELS}
        help_texts = {"username": _("Letters, digits and @/./+/-/_ only; used to sign in.")}
        error_messages = {
            **PROFILE_ERRORS,
            "username": {"unique": _("This account already exists."), "required": _("Enter the account.")},
        }


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        error_messages={"required": _("Choose the filled-in template to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
