from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevdataConfig(AppConfig):
    """Demo and benchmark data (`seed_demo`, `seed_bulk`). Installed only when DEBUG is on
    (config/settings.py), so production has neither the commands nor the demo accounts; no other
    app imports it."""

    name = "devdata"
    verbose_name = _("Demo and benchmark data")
