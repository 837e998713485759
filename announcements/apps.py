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
        from .workflow_flows import keeps_a_flow

        # 流程管理 beside 员工管理 (系统管理): a unit's admin, or a finance bureau's reviewers.
        menu.register(menu.MenuItem(_("Flow management"), "announcements:flows", keeps_a_flow, 91))
        # 操作指南: for everyone signed in.
        menu.register(menu.MenuItem(_("Operation guide"), "announcements:guide", lambda u: True, 200))

        from . import notifications
        from .selectors import todo_count, todo_items
        from .signals import notice_transitioned

        # Mail and in-app message (消息通知) alike, e-mail address or not.
        notice_transitioned.connect(notifications.on_notice_transitioned, dispatch_uid="announcements.notify")

        from accounts import alerts as account_alerts

        from . import alerts

        account_alerts.register_provider(alerts.notice_alerts)
        account_alerts.register_banner("accounts:staff_list", alerts.staff_list_banners)

        # The console header's 待办 badge: what this user can move on now (我的待办).
        menu.register_counter("todo", todo_count)
        menu.register_todo_list(todo_items)

        # A policy rule changed in the admin re-flags the reports not frozen yet (on the task queue).
        from django.db.models.signals import post_delete, post_save

        from reservations.models import PolicyRule

        from .tasks import on_policy_rule_changed

        for signal in (post_save, post_delete):
            signal.connect(
                on_policy_rule_changed, sender=PolicyRule, dispatch_uid=f"announcements.rules.{id(signal)}"
            )
