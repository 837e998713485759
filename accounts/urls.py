from django.urls import path

from .views import auth, staff

app_name = "accounts"

# Sign-in lives under /accounts/, the console (and staff management, 员工管理) under /console/.
urlpatterns = [
    path("accounts/login/", auth.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth.SignOutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("console/", auth.console_home, name="console"),
    path("console/staff/", staff.staff_list, name="staff_list"),
    path("console/staff/new/", staff.staff_create, name="staff_create"),
    path("console/staff/batch/", staff.staff_batch, name="staff_batch"),
    path("console/staff/batch/positions/", staff.staff_batch_positions, name="staff_batch_positions"),
    path("console/staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("console/staff/<int:pk>/edit/", staff.staff_update, name="staff_update"),
    path("console/staff/<int:pk>/positions/", staff.staff_positions, name="staff_positions"),
    path("console/staff/<int:pk>/delete/", staff.staff_delete, name="staff_delete"),
    path("console/staff/<int:pk>/restore/", staff.staff_restore, name="staff_restore"),
]
