from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .. import menu
from ..forms.auth import NewPasswordChangeForm, SignInForm
from ..rules import user_positions
from ..services import staff_password_changed


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = NewPasswordChangeForm
    success_url = reverse_lazy("accounts:console")

    def form_valid(self, form):
        user = form.save()
        staff_password_changed(user=user)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return super(auth_views.PasswordChangeView, self).form_valid(form)


@login_required
def console_home(request):
    user = request.user
    return render(
        request,
        "accounts/console_home.html",
        {"positions": user_positions(user), "entries": menu.items_for(user)},
    )
