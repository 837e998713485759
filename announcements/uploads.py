"""Attachment checks: size, an allow-list of types by extension AND by content (magic bytes).

A renamed file (an .exe called report.pdf) is refused because its first bytes do not match.
"""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls)
ZIP = (b"PK\x03\x04", b"PK\x05\x06")

# extension -> (accepted leading bytes, content type, marker file inside a zip or None)
ALLOWED_TYPES = {
    "pdf": ((b"%PDF-",), "application/pdf", None),
    "ofd": (ZIP, "application/ofd", "OFD.xml"),
    "doc": ((OLE,), "application/msword", None),
    "docx": (ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/"),
    "xls": ((OLE,), "application/vnd.ms-excel", None),
    "xlsx": (ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
    "jpg": ((b"\xff\xd8\xff",), "image/jpeg", None),
    "jpeg": ((b"\xff\xd8\xff",), "image/jpeg", None),
    "png": ((b"\x89PNG\r\n\x1a\n",), "image/png", None),
    "zip": (ZIP, "application/zip", None),
}
ALLOWED_LABEL = "pdf, ofd, doc, docx, xls, xlsx, jpg, png, zip"


def _zip_has(upload, marker: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return any(name == marker or name.startswith(marker) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)


def check_attachment(upload) -> str:
    """Validate one uploaded file; return its content type. Raises ValidationError with a clear message."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("%(name)s: this file type is not accepted (allowed: %(types)s)."),
            code="attachment_type",
            params={"name": name, "types": ALLOWED_LABEL},
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("%(name)s: the file is larger than %(limit)s MB."),
            code="attachment_size",
            params={"name": name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )
    magics, content_type, marker = ALLOWED_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(magics) or (marker and not _zip_has(upload, marker)):
        raise ValidationError(
            _("%(name)s: the content does not match its .%(extension)s extension."),
            code="attachment_content",
            params={"name": name, "extension": extension},
        )
    return content_type
