from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Account"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )

    error_messages = {
        "invalid_login": _("The account or password is incorrect, or the account is disabled."),
        "inactive": _("This account is disabled."),
    }


class NewPasswordChangeForm(PasswordChangeForm):
    """Django's password change, refusing a new password equal to the current one (the forced
    first-login change would otherwise accept the initial password again)."""

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1") or self.data.get("new_password1", "")
        if new and self.user.check_password(new):
            self.add_error("new_password1", _("The new password must differ from the current one."))
        return cleaned
