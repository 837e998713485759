"""Who may do what with a notice, written once: drafting, and the two scopes a workflow step
belongs to (the notice's own institution; the finance bureau of the notice's 行政区划).

The workflow, the selectors, the links and the views all call these predicates.
"""

from enum import StrEnum

from django.db.models import Q

from accounts.enums import InstitutionKind, Perm
from accounts.rules import user_holds, works_at_finance_bureau

from .enums import Kind, State


class Scope(StrEnum):
    INSTITUTION = "institution"  # staff of the notice's institution
    DISTRICT = "district"  # the finance bureau of the notice's 行政区划


def user_may_draft(user, institution=None) -> bool:
    """项目采购经办岗 of a budget unit (and of `institution`, when given) create and edit notices."""
    if not user_holds(user, Perm.SUBMIT_NOTICE) or user.institution.kind != InstitutionKind.BUDGET_UNIT:
        return False
    return institution is None or user.institution_id == institution.pk


def may_change_content(user, announcement) -> bool:
    """A draft, and the user a handler of its institution: the 编辑 link, the edit pages' saves."""
    return announcement.state == State.DRAFT and user_may_draft(user, announcement.institution)


def may_refile(user, announcement) -> bool:
    """重新填报: a revoked SME notice, for the handlers of its institution."""
    return (
        announcement.state == State.REVOKED
        and announcement.kind == Kind.SME_RESERVATION
        and user_may_draft(user, announcement.institution)
    )


def refile_filter(user) -> Q | None:
    """`may_refile` as a filter on notices; None for a user who may refile nothing."""
    if not user_may_draft(user):
        return None
    return Q(state=State.REVOKED, kind=Kind.SME_RESERVATION, institution_id=user.institution_id)


def is_own_institution(user, announcement) -> bool:
    return (
        getattr(user, "institution_id", None) is not None
        and user.institution_id == announcement.institution_id
    )


def in_scope(user, announcement, scope: Scope) -> bool:
    if scope == Scope.INSTITUTION:
        return is_own_institution(user, announcement)
    return works_at_finance_bureau(user, district_id=announcement.district_id)


def scope_filter(user, scope: Scope) -> Q | None:
    """`in_scope` as a filter on notices; None when the user is in no such scope."""
    if getattr(user, "institution_id", None) is None:
        return None
    if scope == Scope.INSTITUTION:
        return Q(institution_id=user.institution_id)
    institution = user.institution
    if not works_at_finance_bureau(user):
        return None
    return Q(district_id=institution.district_id)


# Frozen once finance approves: from finance's approval on, a notice's text (`published_html`)
# and its report's stored flags stay as approved, through 定时发布, publication and revocation.
# `approved_at` is cleared by a return, so it alone says "approved" only while under review.
FROZEN_STATES = (State.PUBLISHED, State.REVOKED)


def is_frozen(announcement) -> bool:
    """Finance approved the notice: its text and flags stay as they were approved."""
    return announcement.approved_at is not None or announcement.state in FROZEN_STATES


def frozen_filter(prefix: str = "") -> Q:
    """`is_frozen` as a filter; `prefix` reaches the notice from another model ("announcement__")."""
    return Q(**{f"{prefix}approved_at__isnull": False}) | Q(**{f"{prefix}state__in": FROZEN_STATES})
