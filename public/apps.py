from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public site")

    def ready(self):
        from announcements.signals import notice_transitioned

        from .listeners import on_notice_published_seal, on_notice_transitioned

        notice_transitioned.connect(on_notice_transitioned, dispatch_uid="public.search-and-cache")
        notice_transitioned.connect(on_notice_published_seal, dispatch_uid="public.seal")

        from django.urls import reverse

        from announcements import hooks

        # The console links to the public page and download without naming public's URLs.
        hooks.register_public_urls(
            notice=lambda public_id: reverse("public:detail", args=[public_id]),
            attachment=lambda public_id, attachment_id: reverse(
                "public:attachment", args=[public_id, attachment_id]
            ),
        )
