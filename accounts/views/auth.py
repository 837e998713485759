from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from .. import alerts, inbox, menu, second_factor, signin
from ..forms.auth import NewPasswordChangeForm, SignInForm
from ..forms.security import CodeForm
from ..passwords import password_reset_by_admin
from ..rules import user_positions
from ..services import staff_password_changed

# The sign-in's second step: who passed the password, until they give a code.
PENDING_KEY = signin.PENDING_KEY


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user_has_device(user, confirmed=True):
            # The password was right; the session is not signed in until the code is.
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
            }
            return redirect("accounts:login_code")
        return super().form_valid(form)


def sign_in_code(request):
    """The second step of signing in: a TOTP code or a recovery code. A wrong code is a failed
    sign-in (recorded, and counted by django-axes toward the lockout)."""
    pending = request.session.get(PENDING_KEY)
    user = get_user_model().objects.filter(pk=(pending or {}).get("user"), is_active=True).first()
    if user is None:
        return redirect("accounts:login")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.code_match(user=user, code=form.cleaned_data["code"].replace(" ", ""))
            refusal = _("The verification code is not correct.")
        except second_factor.CodeThrottled as wait:
            # No code was checked: say so rather than call a perhaps right code wrong (the attempt
            # still counts toward the lockout).
            device, refusal = None, second_factor.throttled_message(wait.seconds)
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            user.otp_device = device  # django-otp marks the session verified on login
            auth_login(request, user, backend=pending["backend"])
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target)
        user_login_failed.send(sender=__name__, credentials={**credentials, "step": "code"}, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING_KEY, None)
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        form.add_error("code", refusal)
    return render(request, "registration/login_code.html", {"form": form})


def admin_login(request):
    """The admin site's sign-in page leads to the console's, so that a password alone (without the
    second step, or without enrolling where one is required) never opens the admin."""
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        # Signed in but not staff: the admin would send them back here, and here back to it.
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return redirect(target)
    return redirect(f"{reverse('accounts:login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = NewPasswordChangeForm
    success_url = reverse_lazy("accounts:console")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user = self.request.user
        # A forced change asks for the password the person was handed, under the name they know it by.
        if password_reset_by_admin(user=user):
            self.reset_by_admin = True
            form.fields["old_password"].label = _("Temporary password")
            form.fields["old_password"].help_text = _("The one-time password your administrator gave you.")
        elif user.must_change_password:
            form.fields["old_password"].label = _("Initial password")
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reset_by_admin"] = getattr(self, "reset_by_admin", False)
        return context

    def form_valid(self, form):
        user = form.save()
        staff_password_changed(user=user)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return super(auth_views.PasswordChangeView, self).form_valid(form)


HOME_ITEMS = 5


@login_required
def console_home(request):
    """工作台: 待办事项 (the most urgent five), 消息通知 (the latest five), 预警, the quick entries of
    the user's positions and the last sign-in."""
    user = request.user
    todo, todo_url = menu.todo_items_for(user, limit=HOME_ITEMS)
    return render(
        request,
        "accounts/console_home.html",
        {
            "positions": user_positions(user),
            "entries": menu.items_for(user),
            "todo": todo,
            "todo_url": todo_url,
            "latest_messages": inbox.messages_for_user(user=user)[:HOME_ITEMS],
            "alerts": alerts.alerts_for(user)[:HOME_ITEMS],
            "last_sign_in": signin.last_sign_in(user=user),
        },
    )
