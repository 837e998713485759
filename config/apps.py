from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project's own system checks (config/checks.py); no models."""

    name = "config"
    label = "site_config"
    verbose_name = "Site configuration"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
