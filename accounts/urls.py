from django.urls import path

from .views import auth

app_name = "accounts"

# Sign-in lives under /accounts/, the console (and staff management, 员工管理) under /console/.
urlpatterns = [
    path("accounts/login/", auth.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth.SignOutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("console/", auth.console_home, name="console"),
]
