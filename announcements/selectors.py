"""Reads of notices. Every selector takes the user; views never call Model.objects.all().

Visibility (outsiders get 404 for what they may not see):
- staff of the notice's institution see all its notices, drafts included;
- 财政审核岗 of a finance bureau see notices of their district once submitted to finance
  review (finance review, published, revoked);
- 监督检查岗 see every notice past the draft and purchaser-review steps;
- everyone else sees only published notices, through `announcements_published()`.
"""

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Perm
from accounts.models import Institution, User
from accounts.rules import is_district_finance, user_holds

from .enums import Kind, State
from .models import Announcement, FlowLogEntry
from .rules import refile_filter, user_may_draft
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


def _revoked_before(*, institution_id, year, created_at) -> Q:
    """The revoked SME notices that a notice of `institution_id` and `year` created at `created_at`
    files again (重新填报, or 新增 after the revocation): values, or OuterRefs in a subquery."""
    return Q(
        institution_id=institution_id,
        year=year,
        kind=Kind.SME_RESERVATION,
        state=State.REVOKED,
        revoked_at__lte=created_at,
    )


def _year_has_a_live_notice() -> Exists:
    """For a notice in a subquery: its institution has a notice of its year that is not revoked."""
    return Exists(
        Announcement.objects.filter(
            institution_id=OuterRef("institution_id"), year=OuterRef("year"), kind=Kind.SME_RESERVATION
        ).exclude(state=State.REVOKED)
    )


def review_queue(*, user) -> QuerySet[Announcement]:
    """我的待办: the notices this user can move on now, derived from the workflow's table
    (`workflow.awaiting_filter`): a handler's drafts, and the notices waiting at a step of their
    flow that this user may approve (not submitted by them, not yet approved by them); and, for
    the handlers of its institution, a revoked notice whose year has no new notice yet (已撤回，
    待重新填报). `awaits_refile` marks that notice and the draft that files it again."""
    qs = announcements_for_user(user=user)
    if qs.query.is_empty():
        return qs
    waiting = awaiting_filter(user)
    refile = refile_filter(user)
    if refile is not None:
        waiting |= refile & ~Q(_year_has_a_live_notice())
    refiling = Q(state=State.DRAFT, return_reason="") & Q(
        Exists(
            Announcement.objects.filter(
                _revoked_before(
                    institution_id=OuterRef("institution_id"),
                    year=OuterRef("year"),
                    created_at=OuterRef("created_at"),
                )
            )
        )
    )
    awaits_refile = ExpressionWrapper(Q(state=State.REVOKED) | refiling, output_field=BooleanField())
    return qs.filter(waiting).annotate(awaits_refile=awaits_refile)


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
            "state": _("Revoked, to be filed again") if notice.awaits_refile else notice.get_state_display(),
            "returned": notice.returned == 0,
            "time": notice.submitted_at or notice.created_at,
        }
        for notice in urgent
    ]
    return items, reverse("announcements:list") + "?tab=todo"


def revocation(*, user, announcement) -> dict | None:
    """撤回发布 of a revoked notice that `user` opened: when, why and who (the flow log's row
    that revoked it); None for any other notice."""
    if announcement.state != State.REVOKED:
        return None
    entry = (
        FlowLogEntry.objects.filter(announcement=announcement, to_state=State.REVOKED)
        .select_related("actor__institution")
        .order_by("-created_at", "-id")
        .first()
    )
    # The notice that files the year again since (重新填报), when this user may open it.
    refiled = (
        announcements_for_user(user=user)
        .filter(
            institution_id=announcement.institution_id,
            year=announcement.year,
            kind=Kind.SME_RESERVATION,
            created_at__gte=announcement.revoked_at,
        )
        .exclude(state=State.REVOKED)
        .first()
        if announcement.revoked_at
        else None
    )
    return {
        "notice": announcement,
        "refiled": refiled,
        "refiled_url": reverse("announcements:detail", args=[refiled.public_id]) if refiled else None,
        "url": reverse("announcements:detail", args=[announcement.public_id]),
        "when": announcement.revoked_at,
        "reason": announcement.revoke_reason,
        "by": entry.actor if entry else None,
    }


def refiled_revocation(*, user, announcement) -> dict | None:
    """For a notice that files its year again after a revocation (重新填报): the revocation of the
    latest revoked notice it replaces, when `user` may open that notice; None otherwise."""
    if announcement.kind != Kind.SME_RESERVATION or announcement.state == State.REVOKED:
        return None
    earlier = (
        announcements_for_user(user=user)
        .filter(
            _revoked_before(
                institution_id=announcement.institution_id,
                year=announcement.year,
                created_at=announcement.created_at,
            )
        )
        .order_by("-revoked_at", "-id")
        .first()
    )
    return revocation(user=user, announcement=earlier) if earlier is not None else None
