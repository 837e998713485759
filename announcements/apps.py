from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = _("Announcements")

    def ready(self):
        from accounts import menu
        from accounts.enums import Perm
        from accounts.rules import user_holds

        def works_on_notices(user):
            return any(
                user_holds(user, p) for p in (Perm.SUBMIT_NOTICE, Perm.PURCHASER_REVIEW, Perm.FINANCE_REVIEW)
            )

        menu.register(
            menu.MenuItem(
                _("Other government procurement notices"), "announcements:list", works_on_notices, 10
            )
        )

        from .department import user_may_compile

        menu.register(
            menu.MenuItem(_("New department notice"), "announcements:department_create", user_may_compile, 11)
        )

        from . import notifications
        from .selectors import todo_count
        from .signals import notice_transitioned

        notice_transitioned.connect(notifications.on_notice_transitioned, dispatch_uid="announcements.mail")

        # The console header's 待办 badge: what this user can move on now (我的待办).
        menu.register_counter("todo", todo_count)
