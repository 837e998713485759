from django.apps import AppConfig


class OpsConfig(AppConfig):
    # No models, so the name never shows in the admin and needs no translation.
    name = "ops"
    verbose_name = "ops"
