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

        menu.register(
            menu.MenuItem(
                _("Staff management"), "accounts:staff_list", lambda u: user_holds(u, Perm.MANAGE_STAFF), 90
            )
        )
        # The console header's 消息 and 预警 badges (待办 comes from announcements).
        menu.register_counter("messages", inbox.unread_count)
        menu.register_counter("warnings", alerts.alert_count)
        # 登录记录: every sign-in and failed attempt.
        user_logged_in.connect(signin.on_logged_in, dispatch_uid="accounts.signin.ok")
        user_login_failed.connect(signin.on_login_failed, dispatch_uid="accounts.signin.failed")
