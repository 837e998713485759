"""部门管理: an institution's departments as data, kept by its admin.

A department is renamed, reordered, disabled or enabled; it is deleted only while no account
(deleted ones included, since they can be restored) belongs to it. Staff forms offer only the
enabled departments of the admin's own institution.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, ProtectedError, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .enums import Perm
from .models import Department, Institution, User
from .rules import can_manage_staff_of, user_holds


class DepartmentError(ValidationError):
    """A department rule refused the change; the message is for the user."""


def departments_for_admin(*, admin: User) -> QuerySet[Department]:
    """The admin's institution's departments (enabled and disabled) with their staff counts."""
    if not user_holds(admin, Perm.MANAGE_STAFF):
        return Department.objects.none()
    # Explicit order: Meta.ordering is not applied to a GROUP BY query.
    return (
        Department.objects.filter(institution_id=admin.institution_id)
        .annotate(staff_count=Count("staff"))
        .order_by("sort_order", "name", "id")
    )


def departments_offered(*, institution: Institution | None) -> QuerySet[Department]:
    """What 所属部门 offers: the institution's enabled departments, in their order."""
    if institution is None:
        return Department.objects.none()
    return Department.objects.filter(institution=institution, is_active=True)


def department_by_name(*, institution: Institution, name: str) -> Department | None:
    """The enabled department of this name, for imports that carry 所属部门 as text; None for an
    empty name; DepartmentError when the institution has no such enabled department."""
    name = name.strip()
    if not name:
        return None
    department = departments_offered(institution=institution).filter(name=name).first()
    if department is None:
        raise DepartmentError(
            _("There is no enabled department named %(name)s: add it in Department management first.")
            % {"name": name}
        )
    return department


def department_get_for_admin(*, admin: User, pk: int) -> Department:
    department = departments_for_admin(admin=admin).filter(pk=pk).first()
    if department is None:
        raise Http404
    return department


def department_ensure_offered(*, institution: Institution | None, department: Department | None) -> None:
    """Refuse a department of another institution (404) or a disabled one (a message)."""
    if department is None:
        return
    if institution is None or department.institution_id != institution.pk:
        raise Http404
    if not department.is_active:
        raise DepartmentError(_("The department %(name)s is disabled.") % {"name": department.name})


def _ensure(actor: User, institution: Institution) -> None:
    if not can_manage_staff_of(actor, institution):
        raise Http404


def _save(department: Department) -> Department:
    department.full_clean(exclude=["institution"], validate_constraints=False)
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError as error:
        raise DepartmentError(
            _("A department named %(name)s already exists.") % {"name": department.name}
        ) from error
    return department


def department_create(*, actor: User, name: str, sort_order: int = 0) -> Department:
    """Add an enabled department to the actor's institution. Raises DepartmentError for a name
    that already exists there."""
    _ensure(actor, actor.institution)
    return _save(Department(institution=actor.institution, name=name.strip(), sort_order=sort_order))


def department_update(*, actor: User, department: Department, name: str, sort_order: int) -> Department:
    """Rename and reorder; the accounts keep pointing at the same department."""
    _ensure(actor, department.institution)
    department.name = name.strip()
    department.sort_order = sort_order
    return _save(department)


def department_set_active(*, actor: User, department: Department, active: bool) -> Department:
    """Disable (no longer offered; its staff keep it) or enable again."""
    _ensure(actor, department.institution)
    department.is_active = active
    department.save(update_fields=["is_active"])
    return department


def department_delete(*, actor: User, department: Department) -> None:
    """Delete a department that no account belongs to; otherwise DepartmentError (disable it)."""
    _ensure(actor, department.institution)
    refusal = DepartmentError(
        _("%(name)s still has staff: it cannot be deleted, only disabled.") % {"name": department.name}
    )
    try:
        with transaction.atomic():
            locked = Department.objects.select_for_update().get(pk=department.pk)
            if User.objects.filter(department=locked).exists():
                raise refusal
            locked.delete()
    except (ProtectedError, IntegrityError) as error:
        # Someone joined the department between the check and the delete.
        raise refusal from error
