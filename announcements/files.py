"""Serving a notice's attachment: the console's download and the public one share this."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404


def attachment_response(*, announcement, attachment_id) -> FileResponse:
    """The stored file under its original name; 404 when it is not the notice's or is gone."""
    attachment = get_object_or_404(announcement.attachments, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
