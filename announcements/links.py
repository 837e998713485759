"""URLs of a notice's pages for the list and the detail page; None where the user has no such link."""

from django.urls import reverse

from .enums import Kind, State
from .hooks import public_notice_url
from .models import Announcement
from .rules import may_change_content, may_refile, user_may_draft


def detail_url(announcement):
    return reverse("announcements:detail", args=[announcement.public_id])


def public_url(announcement):
    """外网链接: the public page, only while published."""
    if announcement.state != State.PUBLISHED:
        return None
    return public_notice_url(announcement.public_id)


def edit_url(announcement, user):
    """编辑: drafts only, for the handlers of the notice's institution."""
    if not may_change_content(user, announcement):
        return None
    if announcement.kind == Kind.DEPARTMENT:
        return reverse("announcements:department", args=[announcement.public_id])
    return reverse("announcements:edit", args=[announcement.public_id])


def refile_url(announcement, user):
    """重新填报: a revoked SME notice, for the handlers of its institution (POST)."""
    if not may_refile(user, announcement):
        return None
    return reverse("announcements:refile", args=[announcement.public_id])


def create_url(user):
    if not user_may_draft(user):
        return None
    return reverse("announcements:create")


def attachment_url(announcement, attachment):
    return reverse("announcements:attachment_download", args=[announcement.public_id, attachment.pk])


def row_links(announcement, user, actions) -> dict:
    """The 操作 cell: 审批 for a reviewer, 编辑 for drafts, 外网链接 when published, and the
    actions that need no reason (撤回) or lead to the detail page's reason form (撤回发布)."""
    names = {t.action.value for t in actions}
    return {
        "detail_url": detail_url(announcement),
        "review": any(t.approves for t in actions),
        "edit_url": edit_url(announcement, user),
        "public_url": public_url(announcement),
        "can_withdraw": "withdraw" in names,
        "can_revoke": "revoke" in names,
        "refile_url": refile_url(announcement, user),
    }


def compiled_into_a_department():
    """An annotation for a notice query: whether its report was compiled into a department notice
    (so that the public page asks for department links only then, in the same query)."""
    from django.db.models import Exists, OuterRef

    from reservations.models import ReportUnit

    return Exists(ReportUnit.objects.filter(source_report_id=OuterRef("report_id"), filed=True))


def public_relations(notice: Announcement) -> dict:
    """What the public page of a published notice says about its department, as plain values
    (cached with the page): a unit's 主管预算单位 and the published department notices that include
    it; a department notice's published unit notices. At most one query besides the notice's own
    (none for a unit notice that no department compiled: annotate `compiled_into_a_department`)."""
    from .selectors import announcements_published

    def link(a):
        return {
            "title": a.title,
            "unit": a.institution.name,
            "url": public_notice_url(a.public_id),
        }

    def published():  # built only when asked: a queryset costs its building even unused
        qs = announcements_published().select_related(None).select_related("institution")
        return qs.only("public_id", "title", "institution__name")

    competent = notice.institution.competent_unit
    relations = {"competent_unit": competent.name if competent else "", "departments": [], "unit_notices": []}
    if notice.report_id is None:
        return relations
    if notice.kind == Kind.DEPARTMENT:
        units = (
            published()
            .filter(
                kind=Kind.SME_RESERVATION,
                report__compiled_into__report_id=notice.report_id,
                report__compiled_into__filed=True,
            )
            .order_by("report__compiled_into__position")
        )
        relations["unit_notices"] = [link(a) for a in units]
    elif getattr(notice, "compiled", True):
        departments = (
            published()
            .filter(
                kind=Kind.DEPARTMENT,
                report__units__source_report_id=notice.report_id,
                report__units__filed=True,
            )
            .distinct()
        )
        relations["departments"] = [link(a) for a in departments]
    return relations
