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
from accounts.models import Institution
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
    # Test institutions are few: excluding them by a subquery (a hashed anti-join) lets counts
    # of the public list run on its partial index alone (migration 0003) instead of joining.
    return (
        Announcement.objects.select_related("institution", "district", "report")
        .filter(state=State.PUBLISHED, is_test=False)
        .exclude(institution__in=Institution.objects.filter(is_test=True).values("pk"))
    )


def review_queue(*, user) -> QuerySet[Announcement]:
    """我的待办: the notices this user can move on now (the same rules as workflow.available_actions).

    A handler's drafts (to submit), a purchaser reviewer's notices in 采购人初审 that someone else
    submitted, a finance reviewer's notices of their district in 财政审核 not yet approved.
    Withdrawing and revoking are possible too, but they are not work waiting for anyone.
    """
    qs = announcements_for_user(user=user)
    if not qs.query.is_empty():
        todo = Q(pk__in=[])
        if user_holds(user, Perm.SUBMIT_NOTICE):
            todo |= Q(institution_id=user.institution_id, state=State.DRAFT)
        if user_holds(user, Perm.PURCHASER_REVIEW):
            todo |= Q(institution_id=user.institution_id, state=State.PURCHASER_REVIEW) & ~Q(
                submitted_by_id=user.pk
            )
        if user.institution.kind == InstitutionKind.FINANCE_BUREAU and user_holds(user, Perm.FINANCE_REVIEW):
            todo |= Q(
                district_id=user.institution.district_id, state=State.FINANCE_REVIEW, approved_at__isnull=True
            )
        qs = qs.filter(todo)
    return qs


def todo_count(user) -> int:
    """The console header's 待办 badge."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return review_queue(user=user).count()


def announcements_published_search(*, keyword: str = "") -> QuerySet[Announcement]:
    """Published notices whose title, publishing unit or project names contain every word of
    `keyword` (announcements.search explains the indexes). No side effects."""
    from .search import keyword_filter

    return keyword_filter(announcements_published(), keyword)
