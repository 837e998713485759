"""The public download of a published notice's attachments (staff use the console's)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from announcements.selectors import announcements_published


@require_safe
def public_attachment_download(request, public_id, attachment_id):
    announcement = get_object_or_404(announcements_published().filter(public_id=public_id))
    attachment = get_object_or_404(announcement.attachments, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
