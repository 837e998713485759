"""Reads for staff management. Every selector takes the user it reads for and never widens
beyond that user's institution; a staff id of another institution is simply not found (404)."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .enums import PERM_KINDS, POSITION_GROUP_NAMES, POSITION_KINDS, POSITION_PERMS, Perm, Position
from .models import StaffChange, User
from .rules import user_holds

# The checkbox tree of 岗位权限设置: branch label → the single permissions under it.
PERM_TREE = (
    (_("Notice management"), (Perm.SUBMIT_NOTICE, Perm.PURCHASER_REVIEW, Perm.FINANCE_REVIEW)),
    (_("Supervision and spot checks"), (Perm.OVERSEE,)),
    (_("System management"), (Perm.MANAGE_STAFF,)),
)


def staff_for_admin(*, admin: User, deleted: bool | None = False) -> QuerySet[User]:
    """The staff of the admin's own institution (none without MANAGE_STAFF).

    `deleted=False` is the 全部 tab, `True` the 已删除 tab, `None` both. Positions are
    prefetched so a list page costs the same number of queries for 1 or 50 rows.
    """
    if not user_holds(admin, Perm.MANAGE_STAFF):
        return User.objects.none()
    qs = User.objects.filter(institution_id=admin.institution_id)
    if deleted is not None:
        qs = qs.filter(is_deleted=deleted)
    return qs.select_related("institution", "department").prefetch_related("groups")


def staff_get_for_admin(*, admin: User, pk: int, deleted: bool | None = None) -> User:
    """One staff member of the admin's institution, or 404."""
    return get_object_or_404(staff_for_admin(admin=admin, deleted=deleted), pk=pk)


def staff_many_for_admin(*, admin: User, pks, deleted: bool | None = False) -> list[User]:
    """The staff with these ids; 404 unless every id is one of the admin's own staff.

    Batch actions use it so that a forged id from another institution refuses the whole batch.
    """
    try:
        wanted = {int(pk) for pk in pks}
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    found = list(staff_for_admin(admin=admin, deleted=deleted).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise Http404
    return found


def staff_positions_held(staff: User) -> list[Position]:
    """The positions the account holds, in the enum's order (uses prefetched groups if any)."""
    names = {group.name for group in staff.groups.all()}
    return [p for p in Position if POSITION_GROUP_NAMES[p] in names]


def staff_perms_held(staff: User) -> list[Perm]:
    """The single permissions granted to the account itself, outside its positions."""
    codenames = set(
        staff.user_permissions.filter(content_type__app_label="accounts").values_list("codename", flat=True)
    )
    return [p for p in Perm if p.value in codenames]


def staff_changes(*, staff: User) -> QuerySet[StaffChange]:
    """The change history (newest first) shown on 详情."""
    return StaffChange.objects.filter(staff=staff).select_related("actor")


def positions_for_institution(institution) -> list[Position]:
    """Positions an admin of this institution may grant (a budget unit cannot grant 财政审核岗)."""
    return [p for p in Position if institution is not None and institution.kind in POSITION_KINDS[p]]


def perm_tree_for_institution(institution) -> list[tuple[str, list[Perm]]]:
    """The 岗位权限设置 tree, pruned to the permissions that fit the institution's kind."""
    tree = []
    for branch, perms in PERM_TREE:
        fitting = [p for p in perms if institution is not None and institution.kind in PERM_KINDS[p]]
        if fitting:
            tree.append((branch, fitting))
    return tree


def positions_granting(perm: Perm) -> list[Position]:
    return [p for p in Position if perm in POSITION_PERMS[p]]
