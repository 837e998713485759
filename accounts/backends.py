from django.contrib.auth.backends import ModelBackend


class ActiveStaffBackend(ModelBackend):
    """Disabled (账号停用) and deleted (已删除) accounts cannot sign in or stay signed in."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not getattr(user, "is_deleted", False)
