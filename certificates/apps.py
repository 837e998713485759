from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Digital certificates")

    def ready(self):
        from accounts import alerts, menu
        from accounts.enums import Perm
        from accounts.rules import user_holds

        from . import checks  # noqa: F401 - registers the settings check
        from .selectors import certificate_alerts

        # 系统管理 as the seed lists it: CA管理 first.
        menu.register(menu.MenuItem(_("CA management"), "certificates:list", lambda u: True, 84))
        menu.register(
            menu.MenuItem(
                _("Staff certificates"),
                "certificates:staff",
                lambda u: user_holds(u, Perm.MANAGE_STAFF),
                89,
            )
        )
        alerts.register_provider(certificate_alerts)
