"""The sealed notice (电子签章): when a notice is published, its frozen text, table and 说明 are
drawn as a PDF from the print view's own template and stylesheets (WeasyPrint, the CJK font
embedded), and the finance bureau of the notice's district signs it (certificates.sealing, PAdES).

The PDF's keywords carry the notice's id, its publication time and a SHA-256 digest of the
frozen content, all inside the signed bytes; the verification page recomputes the digest from
the published notice to say whether the content still matches. A file is stored per
publication (sealed/<public id>/<publication time>.pdf) and never rewritten: revocation leaves
it as it was, and a new publication gets a file of its own.
"""

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import InstitutionKind
from accounts.models import Institution
from announcements.enums import State
from announcements.models import Announcement
from certificates.sealing import SealCheck, pdf_seal, pdf_seal_verify, seal_file

from . import rendering
from .http import site_url

logger = logging.getLogger(__name__)

# The stylesheets of the print view (base.html links print.css for print), then the PDF's own.
STYLESHEETS = ("css/site.css", "css/public.css", "css/print.css", "css/notice_pdf.css")
KEYWORDS = re.compile(
    r"sme-notice:(?P<public_id>[\w-]+);published:(?P<published>[^;]+);sha256:(?P<digest>[0-9a-f]{64})"
)


def content_digest(*, public_id: str, title: str, unit: str, published_at, published_html: str) -> str:
    """SHA-256 of what the notice froze at publication."""
    text = "\n".join((public_id, title, unit, published_at.isoformat(), published_html))
    return hashlib.sha256(text.encode()).hexdigest()


def sealed_pdf_path(*, public_id: str, published_at) -> str:
    return f"sealed/{public_id}/{published_at.astimezone(timezone.UTC):%Y%m%dT%H%M%S%f}.pdf"


def sealed_pdf_name(notice: dict) -> str | None:
    """The stored sealed PDF of this publication of the notice (a detail_content dict), or None
    while it is being made."""
    path = sealed_pdf_path(public_id=notice["public_id"], published_at=notice["published_at"])
    return path if default_storage.exists(path) else None


def _finance_bureau(district_id: int) -> Institution | None:
    return Institution.objects.filter(district_id=district_id, kind=InstitutionKind.FINANCE_BUREAU).first()


def notice_pdf_render(content: dict) -> bytes:
    """The notice as a PDF: the detail page's content partial in the print stylesheets."""
    from weasyprint import CSS, HTML

    with translation.override(settings.LANGUAGE_CODE):
        page = render_to_string(
            "public/notice_sealed.html",
            {
                "notice": content,
                "keywords": _keywords(content),
                "verify_url": site_url(reverse("public:seal_verify")),
            },
        )
    sheets = [CSS(filename=finders.find(name)) for name in STYLESHEETS]
    return HTML(string=page, base_url=settings.SITE_URL).write_pdf(stylesheets=sheets)


def _keywords(content: dict) -> str:
    digest = content_digest(
        public_id=content["public_id"],
        title=content["title"],
        unit=content["unit"],
        published_at=content["published_at"],
        published_html=content["published_html"],
    )
    return (
        f"sme-notice:{content['public_id']};published:{content['published_at'].isoformat()};sha256:{digest}"
    )


def notice_seal(*, public_id: str) -> str | None:
    """Make and store the sealed PDF of the notice's current publication; returns its storage
    name (None when the notice is not published). Idempotent: an existing file is kept as it is.
    Raises certificates.sealing.SealUnavailable when no seal is configured for the district."""
    content = rendering.detail_content(public_id)
    if content is None:
        return None
    path = sealed_pdf_path(public_id=public_id, published_at=content["published_at"])
    if default_storage.exists(path):
        return path
    notice = Announcement.objects.select_related("district").get(pk=content["pk"])
    seal_file(district_code=notice.district.code)  # no seal: stop before drawing the PDF
    bureau = _finance_bureau(notice.district_id)
    signed = pdf_seal(
        pdf=notice_pdf_render(content),
        district_code=notice.district.code,
        reason=f"发布：{content['title']}",
        location=bureau.name if bureau else notice.district.name,
    )
    return default_storage.save(path, ContentFile(signed))


@dataclass(frozen=True)
class SealVerdict:
    """The verification page's answer: the signature check and whether the content is the
    published notice's."""

    check: SealCheck
    public_id: str = ""
    notice_title: str = ""
    # True: the digest in the PDF is the notice's now; False: it differs (or the notice is not
    # published any more); None: the PDF names no notice of this site.
    matches: bool | None = None
    revoked: bool = False

    @property
    def valid(self) -> bool:
        return self.check.valid


def sealed_pdf_verify(*, data: bytes) -> SealVerdict:
    """Check an uploaded PDF: its signature (certificates.sealing) and, when its signed keywords
    name a notice, whether that notice's published content has the same digest."""
    check = pdf_seal_verify(data=data)
    found = KEYWORDS.search(check.keywords or "")
    if not check.signed or not found:
        return SealVerdict(check=check)
    public_id = found["public_id"]
    notice = Announcement.objects.filter(public_id=public_id).select_related("institution").first()
    if notice is None:
        return SealVerdict(check=check, public_id=public_id, matches=False)
    if notice.state != State.PUBLISHED:
        return SealVerdict(
            check=check, public_id=public_id, notice_title=notice.title, matches=False, revoked=True
        )
    content = rendering.detail_content(public_id)
    digest = content_digest(
        public_id=public_id,
        title=content["title"],
        unit=content["unit"],
        published_at=content["published_at"],
        published_html=content["published_html"],
    )
    return SealVerdict(
        check=check,
        public_id=public_id,
        notice_title=content["title"],
        matches=check.intact and digest == found["digest"],
    )
