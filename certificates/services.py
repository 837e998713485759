"""Writes of certificates: bind, unbind, the sign-in lookup, and refreshing the cached CRLs."""

import logging
import urllib.request
from pathlib import Path

from asn1crypto import crl as asn1_crl
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Certificate, RevocationList
from .pki import CertificateRejected, check, facts, load_certificate, read_crl
from .selectors import revocation_lists

logger = logging.getLogger(__name__)

ALREADY_BOUND = _("This certificate is already bound to an account; it cannot be bound again.")
NOT_BOUND = _("This certificate is not bound to any account; bind it on CA management first.")


def certificate_verify(*, data: bytes | str):
    """Parse and check a certificate (see pki.check); returns its facts or raises
    CertificateRejected with the reason."""
    certificate = load_certificate(data)
    check(certificate, crls=revocation_lists())
    return facts(certificate)


def certificate_bind(*, user, data: bytes | str) -> Certificate:
    """Bind a checked certificate to `user`. Raises CertificateRejected when it is not acceptable
    or is bound to any account already (whose is never said). Side effect: one Certificate row."""
    found = certificate_verify(data=data)
    if Certificate.objects.filter(fingerprint=found.fingerprint).exists():
        raise CertificateRejected(ALREADY_BOUND)
    certificate = Certificate(
        user=user,
        der=found.der,
        fingerprint=found.fingerprint,
        subject_cn=found.subject_cn[:200],
        subject_o=found.subject_o[:200],
        issuer=found.issuer[:300],
        serial=found.serial,
        not_before=found.not_before,
        not_after=found.not_after,
    )
    certificate.full_clean(exclude=["fingerprint"])
    try:
        # Two binds of one certificate at once: the unique fingerprint lets one through.
        with transaction.atomic():
            certificate.save()
    except IntegrityError as error:
        raise CertificateRejected(ALREADY_BOUND) from error
    return certificate


def certificate_unbind(*, certificate: Certificate) -> None:
    """Delete the binding; the certificate can no longer sign in to this account."""
    certificate.delete()


def certificate_sign_in_user(*, data: bytes | str):
    """The active account bound to a presented certificate, checked again here whatever the
    proxy said; raises CertificateRejected when there is none. Records the last use."""
    found = certificate_verify(data=data)
    certificate = Certificate.objects.select_related("user").filter(fingerprint=found.fingerprint).first()
    if certificate is None:
        raise CertificateRejected(NOT_BOUND)
    Certificate.objects.filter(pk=certificate.pk).update(last_used_at=timezone.now())
    return certificate.user


def _fetch(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=settings.CA_CRL_FETCH_TIMEOUT) as response:  # noqa: S310
            return response.read()
    return Path(source).read_bytes()


def revocation_lists_refresh() -> int:
    """Fetch every CA_CRL_SOURCES list and cache it in RevocationList; returns how many were
    refreshed. A source that fails keeps its previous list and is logged; raises OSError
    after the others when any failed, so the task is retried."""
    refreshed, failed = 0, []
    for source in settings.CA_CRL_SOURCES:
        try:
            der = read_crl(_fetch(source))
        except (OSError, ValueError) as error:
            logger.warning("Revocation list %s could not be fetched: %s", source, error)
            failed.append(source)
            continue
        next_update = asn1_crl.CertificateList.load(der)["tbs_cert_list"]["next_update"].native
        RevocationList.objects.update_or_create(
            source=source, defaults={"der": der, "fetched_at": timezone.now(), "next_update": next_update}
        )
        refreshed += 1
    if failed:
        raise OSError(f"Revocation lists not fetched: {', '.join(failed)}")
    return refreshed


__all__ = [
    "CertificateRejected",
    "certificate_bind",
    "certificate_sign_in_user",
    "certificate_unbind",
    "certificate_verify",
    "revocation_lists_refresh",
]
