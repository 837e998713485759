"""Reading and checking X.509 certificates: the one place that decides whether a certificate is
acceptable (chains to a configured trust anchor, within its validity, a key usage fit for
signing in or signing, not revoked). Path validation is pyhanko-certvalidator's; this module
only gathers what it needs (the trust bundle, the cached CRLs) and words its verdict.
"""

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)


def run_coroutine(coroutine):
    """Run one of pyHanko's coroutines to its end from synchronous code. Where this thread
    already runs an event loop (an ASGI server's, a browser test's), asyncio.run cannot: the
    coroutine then runs on a loop of its own in a short-lived thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class CertificateRejected(Exception):
    """The certificate is not acceptable; `str()` is the reason a user may read."""


NOT_TRUSTED = _("The certificate was not issued by a trusted certificate authority.")
NO_REVOCATION_LIST = _(
    "The certificate's revocation status cannot be checked now (no revocation list); try again later."
)
OUT_OF_VALIDITY = _("The certificate is not within its validity period.")


@dataclass(frozen=True)
class CertificateFacts:
    """What the CA管理 page lists of one certificate."""

    der: bytes
    fingerprint: str  # SHA-256 of the DER, lowercase hex
    subject_cn: str
    subject_o: str
    issuer: str
    serial: str  # hexadecimal, as certificate tools print it
    not_before: datetime
    not_after: datetime


def load_certificate(data: bytes | str) -> x509.Certificate:
    """One certificate from PEM or DER bytes (or the URL-encoded PEM a proxy forwards)."""
    if isinstance(data, str):
        data = unquote(data).encode()
    data = data.strip()
    try:
        if pem.detect(data):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise CertificateRejected(_("The file is not an X.509 certificate (PEM or DER).")) from error


def _name_part(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def facts(certificate: x509.Certificate) -> CertificateFacts:
    der = certificate.public_bytes(serialization_der())
    issuer = _name_part(certificate.issuer, NameOID.COMMON_NAME) or certificate.issuer.rfc4514_string()
    return CertificateFacts(
        der=der,
        fingerprint=hashlib.sha256(der).hexdigest(),
        subject_cn=_name_part(certificate.subject, NameOID.COMMON_NAME),
        subject_o=_name_part(certificate.subject, NameOID.ORGANIZATION_NAME),
        issuer=issuer,
        serial=format(certificate.serial_number, "X"),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def serialization_der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def trust_anchors() -> list[asn1_x509.Certificate]:
    """The certificates of the PEM bundle named by CA_TRUST_BUNDLE (none when unset)."""
    path = settings.CA_TRUST_BUNDLE
    if not path or not Path(path).is_file():
        return []
    anchors = []
    for _type, _headers, der in pem.unarmor(Path(path).read_bytes(), multiple=True):
        anchors.append(asn1_x509.Certificate.load(der))
    return anchors


def read_crl(data: bytes) -> bytes:
    """A CRL's DER from PEM or DER bytes; raises ValueError when it is not one."""
    if pem.detect(data):
        _type, _headers, data = pem.unarmor(data)
    parsed = asn1_crl.CertificateList.load(data)
    parsed.native  # noqa: B018 - parses the whole list now, so a damaged file fails here
    return data


def fits_usage(certificate: x509.Certificate) -> bool:
    """A key usage fit for client authentication or for signing: digitalSignature or
    nonRepudiation, and, when the certificate restricts its extended usages, one of client
    authentication, document signing or e-mail protection (a personal signing certificate)."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    if not (usage.digital_signature or usage.content_commitment):
        return False
    try:
        extended = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    fit = {
        ExtendedKeyUsageOID.CLIENT_AUTH,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),  # Microsoft document signing
        x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"),  # id-kp-documentSigning (RFC 9336)
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    }
    return any(oid in fit for oid in extended)


def validation_context(*, crls: list[bytes], revocation_required: bool, moment=None) -> ValidationContext:
    anchors = trust_anchors()
    return ValidationContext(
        trust_roots=anchors,
        crls=crls,
        moment=moment,
        allow_fetching=False,
        # "require": every certificate below the anchor needs revocation information, so a CRL
        # that could not be had rejects the certificate (fail closed); "soft-fail" checks the
        # CRLs at hand and lets a missing one pass (CA_CRL_UNAVAILABLE=fail_open).
        revocation_mode="require" if revocation_required else "soft-fail",
    )


def check(certificate: x509.Certificate, *, crls: list[bytes], moment=None) -> None:
    """Raise CertificateRejected unless the certificate is acceptable now (or at `moment`):
    trusted chain, validity, key usage, not revoked. `crls` are the cached revocation lists."""
    if not trust_anchors():
        raise CertificateRejected(_("No trusted certificate authority is configured."))
    now = moment or timezone.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise CertificateRejected(OUT_OF_VALIDITY)
    if not fits_usage(certificate):
        raise CertificateRejected(_("The certificate's key usage is not fit for signing in or signing."))
    fail_closed = settings.CA_CRL_UNAVAILABLE != "fail_open"
    if fail_closed and not crls:
        raise CertificateRejected(NO_REVOCATION_LIST)
    context = validation_context(crls=crls, revocation_required=fail_closed, moment=moment)
    leaf = asn1_x509.Certificate.load(certificate.public_bytes(serialization_der()))
    validator = CertificateValidator(leaf, validation_context=context)
    try:
        run_coroutine(validator.async_validate_path())
    except RevokedError as error:
        raise CertificateRejected(_("The certificate has been revoked.")) from error
    except (ExpiredError, NotYetValidError) as error:
        raise CertificateRejected(OUT_OF_VALIDITY) from error
    except PathBuildingError as error:
        raise CertificateRejected(NOT_TRUSTED) from error
    except (PathValidationError, InvalidCertificateError) as error:
        if "revocation" in str(error).lower():
            raise CertificateRejected(NO_REVOCATION_LIST) from error
        raise CertificateRejected(NOT_TRUSTED) from error
