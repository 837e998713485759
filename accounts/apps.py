from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import menu
        from .enums import Perm
        from .rules import user_holds

        menu.register(
            menu.MenuItem(
                _("Staff management"), "accounts:staff_list", lambda u: user_holds(u, Perm.MANAGE_STAFF), 90
            )
        )
