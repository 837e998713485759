"""电子签章: signing a PDF as PAdES with an institution's seal (a PKCS#12 file) and verifying a
sealed PDF against the trusted CAs, with pyHanko. Knows nothing of notices: the caller says what
to sign and reads back the document's keywords (where public writes what the PDF claims to be).
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from .pki import run_coroutine, trust_anchors

logger = logging.getLogger(__name__)

SEAL_FIELD = "Seal"


class SealUnavailable(Exception):
    """No seal (PKCS#12 file) is configured for the institution, or it cannot be opened."""


def sealing_configured() -> bool:
    """Whether any seal is configured (NOTICE_SEAL_DIR or NOTICE_SEAL_PKCS12); asks no file."""
    return bool(settings.NOTICE_SEAL_DIR or settings.NOTICE_SEAL_PKCS12)


def seal_file(*, district_code: str) -> Path:
    """The PKCS#12 file of the finance bureau of `district_code`: NOTICE_SEAL_DIR/<code>.p12 when
    it exists, else NOTICE_SEAL_PKCS12 (one seal for every district)."""
    if settings.NOTICE_SEAL_DIR:
        own = Path(settings.NOTICE_SEAL_DIR) / f"{district_code}.p12"
        if own.is_file():
            return own
    if settings.NOTICE_SEAL_PKCS12 and Path(settings.NOTICE_SEAL_PKCS12).is_file():
        return Path(settings.NOTICE_SEAL_PKCS12)
    raise SealUnavailable(f"No seal for district {district_code} (NOTICE_SEAL_DIR, NOTICE_SEAL_PKCS12)")


def pdf_seal(*, pdf: bytes, district_code: str, reason: str, location: str) -> bytes:
    """The PDF signed (PAdES B-B, SHA-256) with the seal of `district_code`. Raises SealUnavailable."""
    path = seal_file(district_code=district_code)
    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=str(path), passphrase=settings.NOTICE_SEAL_PASSWORD.encode() or None
    )
    if signer is None:
        raise SealUnavailable(f"The seal {path} cannot be opened (NOTICE_SEAL_PASSWORD)")
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    # pyHanko's sync sign_pdf calls asyncio.run, which refuses a thread that already runs an event
    # loop (a browser test's, an ASGI server's); run_coroutine signs outside it, as check() does.
    signed = run_coroutine(signers.async_sign_pdf(writer, meta, signer=signer))
    return signed.getvalue()


@dataclass(frozen=True)
class SealCheck:
    """What the verification page says of a PDF."""

    signed: bool  # it carries a signature at all
    intact: bool = False  # the signed bytes are unchanged and cover the whole file
    trusted: bool = False  # the signer's certificate chains to a trusted CA
    signer: str = ""  # the seal's CN (and O)
    signed_at: datetime | None = None
    keywords: str = ""  # the document's keywords (what public wrote before signing)
    problem: str = ""

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted


def _subject(certificate: asn1_x509.Certificate) -> str:
    names = certificate.subject.native
    cn, o = names.get("common_name", ""), names.get("organization_name", "")
    return f"{cn}（{o}）" if o and o != cn else cn


def pdf_seal_verify(*, data: bytes) -> SealCheck:
    """Check the PDF's last signature against CA_TRUST_BUNDLE; a damaged file or one without a
    signature says so instead of raising."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # noqa: BLE001 - any unreadable upload is "not a sealed PDF"
        return SealCheck(signed=False, problem=f"unreadable: {error}")
    if not signatures:
        return SealCheck(signed=False, problem="no signature")
    keywords = ""
    try:
        info = reader.trailer["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except (KeyError, TypeError):
        pass
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=trust_anchors(), allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = run_coroutine(async_validate_pdf_signature(embedded, signer_validation_context=context))
    except (SignatureValidationError, ValueError) as error:
        return SealCheck(signed=True, keywords=keywords, problem=str(error))
    entire = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return SealCheck(
        signed=True,
        intact=bool(status.intact and status.valid and entire),
        trusted=bool(status.trusted),
        signer=_subject(status.signing_cert),
        signed_at=status.signer_reported_dt,
        keywords=keywords,
        problem="" if entire else "modified after signing",
    )
