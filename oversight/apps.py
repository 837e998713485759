from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self):
        from accounts import menu
        from announcements import hooks

        from . import rules, selectors

        menu.register(
            menu.MenuItem(_("Filing campaigns"), "oversight:campaign_list", rules.can_oversee_filing, 60)
        )
        menu.register(
            menu.MenuItem(_("District comparison"), "oversight:compare", rules.can_oversee_filing, 61)
        )
        menu.register(
            menu.MenuItem(_("Reported statistics"), "oversight:statistics", rules.can_view_statistics, 62)
        )
        menu.register(
            menu.MenuItem(
                _("District publishing setting"), "oversight:district_setting", rules.is_district_finance, 64
            )
        )
        menu.register(menu.MenuItem(_("Spot checks"), "oversight:sample_list", rules.can_spot_check, 63))
        menu.register(
            menu.MenuItem(
                _("Final accounts check"), "oversight:final_accounts", rules.is_district_finance, 65
            )
        )
        hooks.register_deadline_provider(selectors.campaign_deadlines)

        from accounts import alerts as account_alerts

        from . import alerts

        account_alerts.register_provider(alerts.filing_alerts)
        account_alerts.register_provider(alerts.final_account_alerts)
