from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Account"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )

    error_messages = {
        "invalid_login": _("The account or password is incorrect, or the account is disabled."),
        "inactive": _("This account is disabled."),
    }
