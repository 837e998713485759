"""Writes on staff accounts. Each service records a StaffChange (who, when, what)."""

from django.db import transaction

from .enums import StaffAction
from .models import StaffChange, User


def staff_change_record(*, staff: User, actor: User | None, action: StaffAction, detail: str = "") -> StaffChange:
    return StaffChange.objects.create(staff=staff, actor=actor, action=action, detail=detail[:500])


@transaction.atomic
def staff_password_changed(*, user: User) -> None:
    """The user chose their own password: lift the first-login requirement and record it."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    staff_change_record(staff=user, actor=user, action=StaffAction.CHANGE_PASSWORD)
