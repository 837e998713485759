"""URLs of a notice's pages, some of them owned by other parts of the project (drafting, the
public site): a page that does not exist yet gives None and its link is simply not shown."""

from django.urls import NoReverseMatch, reverse

from accounts.enums import Perm
from accounts.rules import user_holds

from .enums import State


def _reverse(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def detail_url(announcement):
    return reverse("announcements:detail", args=[announcement.public_id])


def public_url(announcement):
    """外网链接: the public page, only while published."""
    if announcement.state != State.PUBLISHED:
        return None
    return _reverse("public:detail", announcement.public_id)


def edit_url(announcement, user):
    """编辑: drafts only, for the handlers of the notice's institution."""
    if announcement.state != State.DRAFT or user.institution_id != announcement.institution_id:
        return None
    if not user_holds(user, Perm.SUBMIT_NOTICE):
        return None
    return _reverse("announcements:edit", announcement.public_id)


def create_url(user):
    if not user_holds(user, Perm.SUBMIT_NOTICE):
        return None
    return _reverse("announcements:create")


def attachment_url(announcement, attachment):
    return _reverse("announcements:attachment_download", announcement.public_id, attachment.pk)


def row_links(announcement, user, actions) -> dict:
    """The 操作 cell: 审批 for a reviewer, 编辑 for drafts, 外网链接 when published, and the
    actions that need no reason (撤回) or lead to the detail page's reason form (撤回发布)."""
    names = {t.action.value for t in actions}
    return {
        "detail_url": detail_url(announcement),
        "review": bool(names & {"purchaser_approve", "finance_approve"}),
        "edit_url": edit_url(announcement, user),
        "public_url": public_url(announcement),
        "can_withdraw": "withdraw" in names,
        "can_revoke": "revoke" in names,
    }
