"""Forms of 忘记密码, 绑定手机 and the admin's 重置密码."""

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.utils.translation import gettext_lazy as _

from ..models import User
from ..validators import mobile_validator

_CODE_WIDGET = forms.TextInput(
    attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6, "pattern": r"\d{6}"}
)
_PHONE_WIDGET = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel", "maxlength": 11})


class ForgotByPhoneForm(forms.Form):
    username = forms.CharField(
        label=_("Account"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    phone = forms.CharField(
        label=_("Bound mobile"), max_length=11, validators=[mobile_validator], widget=_PHONE_WIDGET
    )


class ForgotByEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autofocus": True})
    )


class CodeField(forms.RegexField):
    def __init__(self, **kwargs):
        super().__init__(
            regex=r"^\s*\d{6}\s*$",
            label=_("Verification code"),
            max_length=8,
            widget=_CODE_WIDGET,
            error_messages={"invalid": _("Enter the six-digit code.")},
            **kwargs,
        )


class CodeResetForm(SetPasswordMixin, forms.Form):
    """The code from the text message and the new password twice.

    The passwords are checked against a blank account, whoever asked: the account's own checks
    (too similar to its username or e-mail) wait for the right code, so the page behaves the same
    whether or not the account and the phone match.
    """

    code = CodeField()
    new_password1, new_password2 = SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("Repeat the new password")
    )

    def __init__(self, *args, user: User | None, **kwargs):
        self.user = user or User()
        super().__init__(*args, **kwargs)
        # A refused submit (most often a mistyped code) shows the new password as typed, so that
        # retyping the code is enough: it is the password being chosen, on the page of the person
        # who just typed it, never an existing one; /accounts/ pages are never stored
        # (PrivatePagesMiddleware) and the view keeps it out of error reports.
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.render_value = True

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password2")
        return super().clean()


class BindPhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("New mobile number"), max_length=11, validators=[mobile_validator], widget=_PHONE_WIDGET
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone == self.user.phone and self.user.phone_verified:
            raise forms.ValidationError(_("This number is already your verified bound mobile."))
        return phone


class BindCodeForm(forms.Form):
    code = CodeField()
