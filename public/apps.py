from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public site")

    def ready(self):
        from announcements.signals import notice_transitioned

        from .services import on_notice_transitioned

        notice_transitioned.connect(on_notice_transitioned, dispatch_uid="public.search-and-cache")
