from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import menu
        from .enums import Perm
        from .rules import user_holds

        def admin(user):
            return user_holds(user, Perm.MANAGE_STAFF)

        # 系统管理 as the seed lists it: 账户管理, 部门管理, 机构信息, 员工管理.
        menu.register(menu.MenuItem(_("Account management"), "accounts:account", lambda u: True, 85))
        menu.register(menu.MenuItem(_("Department management"), "accounts:department_list", admin, 86))
        menu.register(menu.MenuItem(_("Institution information"), "accounts:institution_info", admin, 87))
        menu.register(menu.MenuItem(_("Staff management"), "accounts:staff_list", admin, 90))
