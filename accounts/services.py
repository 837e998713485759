"""Writes on staff accounts. Each service records a StaffChange (who, when, what).

Staff management (员工管理) rules live here, in one place, so that the single-row views and the
batch actions cannot drift apart:

- the actor must hold MANAGE_STAFF and belong to the staff member's institution; otherwise the
  service raises `StaffNotFound` (a 404: outsiders must not learn that an account exists);
- nobody disables or deletes their own account;
- an institution always keeps at least one active, not deleted 机构管理员;
- positions and single permissions must fit the institution's kind (POSITION_KINDS, PERM_KINDS).

Rule violations raise `StaffRuleError` (a ValidationError with a message for the user) and, since
every service runs in one transaction, nothing of a refused batch is saved.
"""

from collections.abc import Iterable, Sequence
from importlib import import_module

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .departments import department_ensure_offered
from .enums import POSITION_GROUP_NAMES, Perm, Position, StaffAction
from .models import Department, Institution, StaffChange, User
from .rules import can_manage_staff_of, forget_held_perms, perm_fits_institution, position_fits_institution
from .validators import validate_username_script

ADMIN_GROUP_NAME = POSITION_GROUP_NAMES[Position.INSTITUTION_ADMIN]
# Fields an admin may change with 编辑, in the order the change record lists them.
EDITABLE_FIELDS = ("full_name", "phone", "department", "title", "email")


class StaffNotFound(Http404):
    """The actor may not manage this account; shown as a plain 404."""


class StaffRuleError(ValidationError):
    """A staff-management rule refused the change; the message is for the user."""


def staff_change_record(
    *, staff: User, actor: User | None, action: StaffAction, detail: str = ""
) -> StaffChange:
    return StaffChange.objects.create(staff=staff, actor=actor, action=action, detail=detail[:500])


@transaction.atomic
def staff_password_changed(*, user: User) -> None:
    """The user chose their own password: lift the first-login requirement and record it."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    staff_change_record(staff=user, actor=user, action=StaffAction.CHANGE_PASSWORD)


# --- checks shared by every service -------------------------------------------------------------


def _ensure_manages(actor: User, staff: Iterable[User]) -> None:
    for member in staff:
        if not can_manage_staff_of(actor, member.institution):
            raise StaffNotFound


def _ensure_not_self(actor: User, staff: Iterable[User], message) -> None:
    if any(member.pk == actor.pk for member in staff):
        raise StaffRuleError(message)


def _ensure_an_admin_remains(*, institution: Institution, losing: set[int]) -> None:
    """Refuse when the accounts in `losing` are all the institution's active, not deleted admins.

    The institution's row is locked first (PostgreSQL), so every service that can remove an admin
    (set positions, disable, delete) runs one at a time per institution: the second one reads the
    admins after the first has committed. Locking the admins' user rows alone was not enough,
    since a position change alters their group memberships, not their rows: two concurrent
    changes could each see the other admin and leave the institution with none.
    """
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    admins = set(
        User.objects.select_for_update(of=("self",))
        .filter(institution=institution, is_active=True, is_deleted=False, groups__name=ADMIN_GROUP_NAME)
        .values_list("pk", flat=True)
    )
    if admins & losing and not admins - losing:
        raise StaffRuleError(
            _(
                "%(institution)s must keep at least one active institution administrator: "
                "appoint another administrator first."
            )
            % {"institution": institution.name}
        )


def _end_sessions(user_ids: Iterable[int]) -> int:
    """Delete every stored session of these users: a disabled or deleted account is
    signed out everywhere at once, and restoring it later revives no old cookie.

    Sessions live in the database (settings.SESSION_ENGINE, enforced by config.E002); the user id
    sits inside the encoded data, so the live sessions are decoded (a few hundred signed-in staff
    at most: sessions expire after SESSION_COOKIE_AGE)."""
    wanted = {str(pk) for pk in user_ids}
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not wanted or not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    doomed = [
        row.session_key
        for row in model.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
        if store().decode(row.session_data).get("_auth_user_id") in wanted
    ]
    model.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


def _in_default_language(func, *args):
    # Change records are kept in the site's language, whatever the admin's browser asks for.
    with translation.override(settings.LANGUAGE_CODE):
        return func(*args)


def _position_names(positions: Iterable[Position]) -> str:
    return "、".join(POSITION_GROUP_NAMES[p] for p in Position if p in set(positions)) or gettext("none")


def _perm_labels(perms: Iterable[Perm]) -> str:
    return "、".join(str(p.label) for p in Perm if p in set(perms)) or gettext("none")


def user_insert(user: User) -> None:
    """Save a new account. Its name (NFKC-normalised by full_clean) must use one script and differ
    from every other account's in more than case (ValidationError at the account field). Two
    admins creating one username at once both pass the form's uniqueness check; the loser's insert
    breaks the unique constraint: the same ValidationError, never a 500."""
    try:
        validate_username_script(user.username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from None
    if User.objects.filter(username__iexact=user.username).exists():
        raise ValidationError({"username": _("This account already exists.")})
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        if not User.objects.filter(username=user.username).exists():
            raise
        raise ValidationError({"username": _("This account already exists.")}) from None


# --- services ------------------------------------------------------------------------------------


@transaction.atomic
def staff_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    password: str,
    phone: str = "",
    department: Department | None = None,
    title: str = "",
    email: str = "",
) -> User:
    """Create an account in the actor's institution with an initial password.

    The new user must change the password at first sign-in (must_change_password). Records a
    StaffChange. Raises ValidationError for bad fields or a password the validators refuse. The
    phone is not verified (phone_verified stays False) until its holder enters a code.
    """
    if not can_manage_staff_of(actor, actor.institution):
        raise StaffNotFound
    department_ensure_offered(institution=actor.institution, department=department)
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        department=department,
        title=title,
        email=email,
        institution=actor.institution,
        must_change_password=True,
    )
    user.full_clean(exclude=["password"])
    password_validation.validate_password(password, user)
    user.set_password(password)
    user_insert(user)
    staff_change_record(
        staff=user,
        actor=actor,
        action=StaffAction.CREATE,
        detail=_in_default_language(lambda: gettext("Account %(username)s created") % {"username": username}),
    )
    return user


@transaction.atomic
def staff_update(*, actor: User, staff: User, **fields) -> User:
    """Change 姓名, 绑定手机, 所属部门, 职务 and e-mail; records the old and new values.

    A changed 绑定手机 typed by the admin is unverified until its holder enters a code.
    """
    _ensure_manages(actor, [staff])
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"staff_update cannot change {sorted(unknown)}")
    # Read the stored values: a ModelForm bound to `staff` has already written the new ones on it.
    stored = User.objects.select_for_update(of=("self",)).select_related("department").get(pk=staff.pk)
    before = {name: getattr(stored, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        setattr(staff, name, value)
    staff.full_clean(exclude=["password"])
    changed = [name for name in EDITABLE_FIELDS if getattr(staff, name) != before[name]]
    if not changed:
        return staff
    if "department" in changed:
        department_ensure_offered(institution=staff.institution, department=staff.department)
    update_fields = list(changed)
    if "phone" in changed:
        staff.phone_verified = False
        update_fields.append("phone_verified")
    staff.save(update_fields=update_fields)

    def describe():
        return "; ".join(
            f"{User._meta.get_field(n).verbose_name}: {before[n] or '-'} → {getattr(staff, n) or '-'}"
            for n in changed
        )

    staff_change_record(
        staff=staff, actor=actor, action=StaffAction.UPDATE, detail=_in_default_language(describe)
    )
    return staff


def _ensure_fit(institution: Institution, positions: Iterable[Position], perms: Iterable[Perm]) -> None:
    misfits = [str(p.label) for p in positions if not position_fits_institution(p, institution)]
    misfits += [str(p.label) for p in perms if not perm_fits_institution(p, institution)]
    if misfits:
        raise StaffRuleError(
            _("%(names)s cannot be granted in an institution of this kind.") % {"names": "、".join(misfits)}
        )


@transaction.atomic
def staff_set_positions(
    *, actor: User, staff: Sequence[User], positions: Iterable[Position], perms: Iterable[Perm] | None = None
) -> None:
    """Give each account exactly `positions` (岗位) and, unless `perms` is None, exactly `perms` as
    single permissions (岗位权限设置). One StaffChange per account names what was set.

    Refuses positions or permissions that do not fit the institution's kind and the removal of the
    institution's last admin. Clears the held-permission cache of the changed users.
    """
    positions = [Position(p) for p in positions]
    perms = None if perms is None else [Perm(p) for p in perms]
    _ensure_manages(actor, staff)
    for institution in {member.institution for member in staff}:
        _ensure_fit(institution, positions, perms or [])
    if Position.INSTITUTION_ADMIN not in positions:
        for institution in {member.institution for member in staff}:
            losing = {member.pk for member in staff if member.institution_id == institution.pk}
            _ensure_an_admin_remains(institution=institution, losing=losing)
    groups = list(Group.objects.filter(name__in=[POSITION_GROUP_NAMES[p] for p in positions]))
    accounts_perms = Permission.objects.filter(
        content_type__app_label="accounts", codename__in=[p.value for p in Perm]
    )
    chosen_perms = [
        perm for perm in accounts_perms if perms is not None and perm.codename in {p.value for p in perms}
    ]
    for member in staff:
        member.groups.set(groups)
        if perms is not None:
            # Only our own permissions are replaced; anything else granted in the admin site stays.
            member.user_permissions.remove(*accounts_perms)
            member.user_permissions.add(*chosen_perms)
        forget_held_perms(member)

        def describe():
            names = _position_names(positions)
            if perms is None:
                return gettext("Positions: %(positions)s") % {"positions": names}
            return gettext("Positions: %(positions)s; single permissions: %(perms)s") % {
                "positions": names,
                "perms": _perm_labels(perms),
            }

        staff_change_record(
            staff=member, actor=actor, action=StaffAction.SET_POSITIONS, detail=_in_default_language(describe)
        )
    forget_held_perms(actor)


def _set_active(*, actor: User, staff: Sequence[User], active: bool) -> list[User]:
    _ensure_manages(actor, staff)
    changing = [member for member in staff if member.is_active != active]
    if not active:
        _ensure_not_self(actor, staff, _("You cannot disable your own account."))
        for institution in {member.institution for member in changing}:
            losing = {member.pk for member in changing if member.institution_id == institution.pk}
            _ensure_an_admin_remains(institution=institution, losing=losing)
    action = StaffAction.ENABLE if active else StaffAction.DISABLE
    User.objects.filter(pk__in=[member.pk for member in changing]).update(is_active=active)
    if not active:
        _end_sessions(member.pk for member in changing)
    for member in changing:
        member.is_active = active
        staff_change_record(staff=member, actor=actor, action=action)
    return changing


@transaction.atomic
def staff_enable(*, actor: User, staff: Sequence[User]) -> list[User]:
    """Enable (启用) the accounts; returns those that changed, each with a StaffChange."""
    return _set_active(actor=actor, staff=staff, active=True)


@transaction.atomic
def staff_disable(*, actor: User, staff: Sequence[User]) -> list[User]:
    """Disable (停用) the accounts, who can then no longer sign in; returns those that changed.

    Refuses, saving nothing, when the batch holds the actor or the institution's last admin.
    """
    return _set_active(actor=actor, staff=staff, active=False)


@transaction.atomic
def staff_delete(*, actor: User, staff: User) -> User:
    """Soft-delete (is_deleted, deleted_at, deleted_by): the account can no longer sign in and moves
    to the 已删除 tab. Refuses the actor's own account and the institution's last admin."""
    _ensure_manages(actor, [staff])
    _ensure_not_self(actor, [staff], _("You cannot delete your own account."))
    if staff.is_deleted:
        return staff
    _ensure_an_admin_remains(institution=staff.institution, losing={staff.pk})
    staff.is_deleted = True
    staff.deleted_at = timezone.now()
    staff.deleted_by = actor
    staff.save(update_fields=["is_deleted", "deleted_at", "deleted_by"])
    _end_sessions([staff.pk])
    staff_change_record(staff=staff, actor=actor, action=StaffAction.DELETE)
    return staff


@transaction.atomic
def staff_restore(*, actor: User, staff: User) -> User:
    """Bring a deleted account back to the 全部 tab, with its former state and positions."""
    _ensure_manages(actor, [staff])
    if not staff.is_deleted:
        return staff
    staff.is_deleted = False
    staff.deleted_at = None
    staff.deleted_by = None
    staff.save(update_fields=["is_deleted", "deleted_at", "deleted_by"])
    staff_change_record(staff=staff, actor=actor, action=StaffAction.RESTORE)
    return staff


def district_unit_publishing_set(*, district, unit_publishing: str, actor) -> None:
    """Who publishes the subordinate units' data in `district` (set by its finance bureau).
    Side effect: updates the District row."""
    district.unit_publishing = unit_publishing
    district.full_clean()
    district.save(update_fields=["unit_publishing"])


def institution_set_competent_unit(*, institution, competent_unit, actor) -> None:
    """Set (or clear, with None) a budget unit's 主管预算单位, validated (same district or 市本级,
    one level). Side effect: updates the Institution row; ValidationError writes nothing."""
    institution.competent_unit = competent_unit
    institution.full_clean()
    institution.save(update_fields=["competent_unit"])
