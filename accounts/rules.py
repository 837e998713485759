"""Small predicates about who holds what. Scoping by institution and district lives here.

Superusers get no position by default: `user_holds` looks only at groups and single grants,
never at `is_superuser` (Django's `has_perm` would say yes to everything for a superuser).
"""

from django.contrib.auth.models import Permission
from django.db.models import Q

from .enums import PERM_KINDS, POSITION_GROUP_NAMES, POSITION_KINDS, InstitutionKind, Perm, Position


def held_perms(user) -> frozenset[str]:
    """Codenames of the accounts permissions the user holds through positions or single grants."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_held_perms", None)
    if cached is None:
        cached = frozenset(
            Permission.objects.filter(
                Q(group__user=user) | Q(user=user), content_type__app_label="accounts"
            ).values_list("codename", flat=True)
        )
        user._held_perms = cached
    return cached


def forget_held_perms(user) -> None:
    user.__dict__.pop("_held_perms", None)


def user_holds(user, perm: Perm | str) -> bool:
    """True when an active, not deleted user of an institution holds the permission."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_deleted:
        return False
    if user.institution_id is None:
        return False
    return str(perm) in held_perms(user)


def works_at_finance_bureau(user, *, district_id: int | None = None) -> bool:
    """The user's institution is a finance bureau (of `district_id`, when given); positions apart."""
    institution = getattr(user, "institution", None)
    return (
        institution is not None
        and institution.kind == InstitutionKind.FINANCE_BUREAU
        and (district_id is None or institution.district_id == district_id)
    )


def is_district_finance(user) -> bool:
    """A 财政审核岗 of a finance bureau: reviews its district's notices and runs its campaigns."""
    return user_holds(user, Perm.FINANCE_REVIEW) and works_at_finance_bureau(user)


def user_positions(user) -> list[str]:
    names = set(user.groups.values_list("name", flat=True)) if user.pk else set()
    return [name for name in POSITION_GROUP_NAMES.values() if name in names]


def holds_any_position(user, positions, *, memo: str) -> bool:
    """True when the signed-in user holds one of `positions` (Position values, e.g. a setting
    such as OTP_REQUIRED_POSITIONS); remembered on the user object under `memo`, so a request
    asks the database once."""
    names = [POSITION_GROUP_NAMES[Position(p)] for p in positions]
    if not names or not getattr(user, "is_authenticated", False):
        return False
    held = getattr(user, memo, None)
    if held is None:
        held = user.groups.filter(name__in=names).exists()
        setattr(user, memo, held)
    return held


def position_fits_institution(position: Position, institution) -> bool:
    return institution is not None and institution.kind in POSITION_KINDS[position]


def perm_fits_institution(perm: Perm, institution) -> bool:
    return institution is not None and institution.kind in PERM_KINDS[perm]


def can_manage_staff_of(user, institution) -> bool:
    return (
        user_holds(user, Perm.MANAGE_STAFF)
        and institution is not None
        and user.institution_id == institution.pk
    )
