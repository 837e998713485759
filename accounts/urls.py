from django.urls import path

from .views import account, auth, institution, invite, password, security, staff, workbench

app_name = "accounts"

# Sign-in lives under /accounts/, the console (and staff management, 员工管理) under /console/.
urlpatterns = [
    path("accounts/login/", auth.SignInView.as_view(), name="login"),
    path("accounts/login/code/", auth.sign_in_code, name="login_code"),
    path("accounts/logout/", auth.SignOutView.as_view(), name="logout"),
    path("accounts/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/forgot/", password.forgot, name="password_forgot"),
    path("accounts/password/forgot/code/<str:token>/", password.forgot_code, name="password_forgot_code"),
    path("accounts/password/forgot/email/", password.forgot_email, name="password_forgot_email"),
    path(
        "accounts/password/forgot/email/sent/", password.forgot_email_sent, name="password_forgot_email_sent"
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("console/", auth.console_home, name="console"),
    path("console/account/", account.account, name="account"),
    path("console/account/phone/", account.phone_bind, name="phone_bind"),
    path("console/account/phone/<str:token>/", account.phone_bind_code, name="phone_bind_code"),
    path("console/institution/", institution.institution_info, name="institution_info"),
    path("console/departments/", institution.department_list, name="department_list"),
    path("console/departments/new/", institution.department_create, name="department_create"),
    path("console/departments/<int:pk>/edit/", institution.department_update, name="department_update"),
    path("console/departments/<int:pk>/toggle/", institution.department_toggle, name="department_toggle"),
    path("console/departments/<int:pk>/delete/", institution.department_delete, name="department_delete"),
    path("accounts/invitation/<str:token>/", invite.invitation_accept, name="invitation_accept"),
    path("console/messages/", workbench.inbox_list, name="inbox"),
    path("console/messages/<int:pk>/", workbench.message_open, name="message_open"),
    path("console/messages/read/", workbench.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("console/warnings/", workbench.alert_list, name="alerts"),
    path("console/sign-ins/", workbench.sign_in_list, name="sign_ins"),
    path("console/security/", security.security, name="security"),
    path("console/security/recovery-codes/", security.recovery_codes_renew, name="recovery_codes_renew"),
    path("console/staff/", staff.staff_list, name="staff_list"),
    path("console/staff/new/", staff.staff_create, name="staff_create"),
    path("console/staff/invite/", invite.staff_invite, name="staff_invite"),
    path("console/staff/import/", invite.staff_import, name="staff_import"),
    path("console/staff/import/template.xlsx", invite.staff_import_template, name="staff_import_template"),
    path("console/staff/batch/", staff.staff_batch, name="staff_batch"),
    path("console/staff/batch/positions/", staff.staff_batch_positions, name="staff_batch_positions"),
    path("console/staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("console/staff/<int:pk>/edit/", staff.staff_update, name="staff_update"),
    path("console/staff/<int:pk>/positions/", staff.staff_positions, name="staff_positions"),
    path("console/staff/<int:pk>/delete/", staff.staff_delete, name="staff_delete"),
    path("console/staff/<int:pk>/restore/", staff.staff_restore, name="staff_restore"),
    path(
        "console/staff/<int:pk>/reset-password/", password.staff_reset_password, name="staff_reset_password"
    ),
    path("console/staff/<int:pk>/invite/", invite.staff_reinvite, name="staff_reinvite"),
    path("console/staff/<int:pk>/second-factor/reset/", invite.staff_otp_reset, name="staff_otp_reset"),
]
