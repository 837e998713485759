"""Reads of notices. Every selector takes the user; views never call Model.objects.all().

Visibility (outsiders get 404 for what they may not see):
- staff of the notice's institution see all its notices, drafts included;
- 财政审核岗 of a finance bureau see notices of their district once submitted to finance
  review (finance review, published, revoked);
- 监督检查岗 see every notice past the draft and purchaser-review steps;
- everyone else sees only published notices, through `announcements_published()`.
"""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse

from accounts.enums import Perm
from accounts.models import Institution, User
from accounts.rules import is_district_finance, user_holds

from .enums import Kind, State
from .models import Announcement
from .rules import user_may_draft
from .workflow import awaiting_filter, waiting_on

FINANCE_VISIBLE_STATES = (State.FINANCE_REVIEW, State.PUBLISHED, State.REVOKED)


def announcements_for_user(*, user) -> QuerySet[Announcement]:
    """All notices this user may open in the console."""
    qs = Announcement.objects.select_related("institution", "district", "report")
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.institution_id is None:
        return qs.none()
    institution = user.institution
    visible = Q(institution_id=institution.pk)
    if is_district_finance(user):
        visible |= Q(district_id=institution.district_id, state__in=FINANCE_VISIBLE_STATES)
    if user_holds(user, Perm.OVERSEE):
        visible |= Q(state__in=FINANCE_VISIBLE_STATES)
    return qs.filter(visible)


# The kinds whose content a handler types or imports; a department notice's rows are compiled
# copies that only 重新汇总 changes.
DRAFTED_KINDS = (Kind.SME_RESERVATION, Kind.MANUAL)


def announcement_for_user(
    *, user, public_id: str, for_edit: bool = False, kinds: tuple[Kind, ...] | None = None
) -> Announcement:
    """The one access-checked fetch of a notice for the console views (healthchecks'
    `_get_check_for_user`): a notice the user may open (`announcements_for_user`), of one of
    `kinds` when given, and with `for_edit` only for a handler of its institution who may draft.

    Raises Http404 for everything else, so an outsider cannot tell someone's draft from a notice
    that does not exist. The state is not checked: the drafting services refuse a notice that has
    left DRAFT with a message the user can read.
    """
    visible = announcements_for_user(user=user)
    if kinds is not None:
        visible = visible.filter(kind__in=kinds)
    announcement = visible.filter(public_id=public_id).first()
    if announcement is None or (for_edit and not user_may_draft(user, announcement.institution)):
        raise Http404
    return announcement


def _public(state: State) -> QuerySet[Announcement]:
    """Notices in `state` that the public may know of: not test data, not of a test institution."""
    # Test institutions are few: excluding them by a subquery (a hashed anti-join) lets counts
    # of the public list run on its partial index alone (migration 0003) instead of joining.
    return Announcement.objects.filter(state=state, is_test=False).exclude(
        institution__in=Institution.objects.filter(is_test=True).values("pk")
    )


def announcements_published() -> QuerySet[Announcement]:
    """What the public may read. The one source of every public page and export, the sitemap and
    oversight's spot-check population."""
    return _public(State.PUBLISHED).select_related("institution", "district", "report")


def announcement_revoked_publicly(*, public_id: str) -> dict | None:
    """{revoked_at, revoke_reason} of a notice the public once read and that was revoked (the
    410 answer shows these, never the content); None for anything else."""
    return _public(State.REVOKED).filter(public_id=public_id).values("revoked_at", "revoke_reason").first()


def review_queue(*, user) -> QuerySet[Announcement]:
    """我的待办: the notices this user can move on now, derived from the workflow's table
    (`workflow.awaiting_filter`): a handler's drafts, and the notices waiting at a step of their
    flow that this user may approve (not submitted by them, not yet approved by them)."""
    qs = announcements_for_user(user=user)
    if qs.query.is_empty():
        return qs
    return qs.filter(awaiting_filter(user))


def todo_count(user) -> int:
    """The console header's 待办 badge."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return review_queue(user=user).count()


def current_reviewers(announcement) -> list[User]:
    """当前步审核人: who the notice's current step still waits for (announcements.workflow)."""
    return waiting_on(announcement)


def todo_items(user, limit: int) -> tuple[list[dict], str]:
    """The home page's 待办事项: the `limit` most urgent of 我的待办 (returned drafts first, then
    the longest waiting) and the link to the whole list."""
    queue = review_queue(user=user)
    urgent = queue.annotate(
        returned=Case(
            When(state=State.DRAFT, return_reason__gt="", then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("returned", "submitted_at", "created_at")[:limit]
    items = [
        {
            "title": notice.title,
            "url": reverse("announcements:detail", args=[notice.public_id]),
            "state": notice.get_state_display(),
            "returned": notice.returned == 0,
            "time": notice.submitted_at or notice.created_at,
        }
        for notice in urgent
    ]
    return items, reverse("announcements:list") + "?tab=todo"
