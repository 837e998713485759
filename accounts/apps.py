from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import alerts, checks, inbox, menu, signin  # noqa: F401 - checks registers itself
        from .enums import Perm
        from .rules import user_holds

        def admin(user):
            return user_holds(user, Perm.MANAGE_STAFF)

        # 系统管理 as the seed lists it: 账户管理, 部门管理, 机构信息, 员工管理.
        menu.register(menu.MenuItem(_("Account management"), "accounts:account", lambda u: True, 85))
        menu.register(menu.MenuItem(_("Department management"), "accounts:department_list", admin, 86))
        menu.register(menu.MenuItem(_("Institution information"), "accounts:institution_info", admin, 87))
        menu.register(menu.MenuItem(_("Staff management"), "accounts:staff_list", admin, 90))
        # The console header's 消息 and 预警 badges (待办 comes from announcements).
        menu.register_counter("messages", inbox.unread_count)
        menu.register_counter("warnings", alerts.alert_count)
        # 登录记录: every sign-in and failed attempt.
        user_logged_in.connect(signin.on_logged_in, dispatch_uid="accounts.signin.ok")
        user_login_failed.connect(signin.on_login_failed, dispatch_uid="accounts.signin.failed")
