"""机构信息: the institution admin keeps its own institution's details.

Name, 统一社会信用代码, address, contact person and phone are the admin's; kind, district and the
competent unit stay with the platform administrator. Each change is kept (InstitutionChange), so
a former name remains readable.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import Institution, InstitutionChange, User
from .rules import can_manage_staff_of

INFO_FIELDS = ("name", "credit_code", "address", "contact_person", "contact_phone")


def institution_for_admin(*, admin: User) -> Institution:
    if not can_manage_staff_of(admin, admin.institution):
        raise Http404
    return admin.institution


@transaction.atomic
def institution_update(*, actor: User, institution: Institution, **fields) -> list[str]:
    """Save the changed fields of 机构信息 and record each (old → new); returns their names.

    Raises ValidationError for a bad value (e.g. a credit code whose check digit is wrong or one
    that another institution holds) and Http404 outside the actor's own institution.
    """
    if not can_manage_staff_of(actor, institution):
        raise Http404
    unknown = set(fields) - set(INFO_FIELDS)
    if unknown:
        raise TypeError(f"institution_update cannot change {sorted(unknown)}")
    stored = Institution.objects.select_for_update().get(pk=institution.pk)
    for name, value in fields.items():
        setattr(institution, name, value)
    institution.full_clean(validate_constraints=False)
    if (
        institution.credit_code
        and Institution.objects.filter(credit_code=institution.credit_code)
        .exclude(pk=institution.pk)
        .exists()
    ):
        raise ValidationError({"credit_code": _("Another institution already has this code.")})
    changed = [name for name in INFO_FIELDS if getattr(institution, name) != getattr(stored, name)]
    if not changed:
        return []
    institution.save(update_fields=changed)
    InstitutionChange.objects.bulk_create(
        InstitutionChange(
            institution=institution,
            actor=actor,
            field=name,
            old_value=getattr(stored, name),
            new_value=getattr(institution, name),
        )
        for name in changed
    )
    return changed


def institution_changes(*, institution: Institution):
    return InstitutionChange.objects.filter(institution=institution).select_related("actor")
