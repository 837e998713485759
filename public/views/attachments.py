"""The public download of a published notice's attachments (staff use the console's)."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from announcements.files import attachment_response
from announcements.selectors import announcements_published


@require_safe
def public_attachment_download(request, public_id, attachment_id):
    announcement = get_object_or_404(announcements_published().filter(public_id=public_id))
    return attachment_response(announcement=announcement, attachment_id=attachment_id)
