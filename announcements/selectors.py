"""Reads of notices. Every selector takes the user; views never call Model.objects.all().

Visibility (outsiders get 404 for what they may not see):
- staff of the notice's institution see all its notices, drafts included;
- 财政审核岗 of a finance bureau see notices of their district once submitted to finance
  review (finance review, published, revoked);
- 监督检查岗 see every notice past the draft and purchaser-review steps;
- everyone else sees only published notices, through `announcements_published()`.
"""

from django.db.models import Q, QuerySet

from accounts.enums import InstitutionKind, Perm
from accounts.rules import user_holds

from .enums import State
from .models import Announcement

FINANCE_VISIBLE_STATES = (State.FINANCE_REVIEW, State.PUBLISHED, State.REVOKED)


def announcements_for_user(*, user) -> QuerySet[Announcement]:
    """All notices this user may open in the console."""
    qs = Announcement.objects.select_related("institution", "district", "report")
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.institution_id is None:
        return qs.none()
    institution = user.institution
    visible = Q(institution_id=institution.pk)
    if institution.kind == InstitutionKind.FINANCE_BUREAU and user_holds(user, Perm.FINANCE_REVIEW):
        visible |= Q(district_id=institution.district_id, state__in=FINANCE_VISIBLE_STATES)
    if user_holds(user, Perm.OVERSEE):
        visible |= Q(state__in=FINANCE_VISIBLE_STATES)
    return qs.filter(visible)


def announcements_published() -> QuerySet[Announcement]:
    """What the public may read: published, not test data. The one source of every public page and export."""
    return Announcement.objects.select_related("institution", "district", "report").filter(
        state=State.PUBLISHED, is_test=False, institution__is_test=False
    )
