"""What a notice says, as HTML: one function for the edit preview, the review page and the public page.
The workflow freezes its output into `published_html` at publication."""

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from reservations.rendering import render_department_notice, render_notice

from .enums import Kind
from .rules import is_frozen
from .sanitize import clean_html


def notice_date(announcement):
    if announcement.published_at:
        return timezone.localdate(announcement.published_at)
    return timezone.localdate()


def render_announcement(announcement) -> SafeString:
    """SME notices: the generated text of their report; manual notices: the sanitised body."""
    if announcement.kind == Kind.SME_RESERVATION and announcement.report_id:
        return render_notice(
            report=announcement.report, title=announcement.title, notice_date=notice_date(announcement)
        )
    if announcement.kind == Kind.DEPARTMENT and announcement.report_id:
        return render_department_notice(
            report=announcement.report, title=announcement.title, notice_date=notice_date(announcement)
        )
    return SafeString(clean_html(announcement.body_html))


def notice_html(announcement) -> SafeString:
    """What the notice says now: the text frozen at approval once finance approved it (published,
    revoked, or approved and waiting for its 定时发布), else the live rendering."""
    if is_frozen(announcement) and announcement.published_html:
        # published_html was made by render_announcement at approval: trusted, frozen HTML.
        return mark_safe(announcement.published_html)  # noqa: S308
    return render_announcement(announcement)
