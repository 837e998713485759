"""Reads of certificates: a user's own, an institution's staff, the revocation lists at hand,
and the 预警 of certificates about to expire."""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.alerts import Alert
from accounts.models import User

from .models import Certificate, RevocationList
from .pki import read_crl

logger = logging.getLogger(__name__)

EXPIRY_WARNING_DAYS = 30


def certificates_for_user(*, user) -> list[Certificate]:
    return list(Certificate.objects.filter(user=user).order_by("-bound_at", "-pk"))


def certificate_for_user(*, user, pk: int) -> Certificate | None:
    """One of the user's own certificates (None for anyone else's: nobody learns it exists)."""
    return Certificate.objects.filter(user=user, pk=pk).first()


def staff_certificates(*, institution) -> list[User]:
    """The institution's staff, each annotated with how many certificates it has bound and
    when the first of them expires (one query)."""
    return list(
        User.objects.filter(institution=institution, is_deleted=False)
        .annotate(
            certificate_count=Count("certificates"),
            certificate_expires=Min("certificates__not_after"),
        )
        .order_by("username")
    )


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def revocation_lists() -> list[bytes]:
    """The CRLs to check against: a file source is read as it is now (cheap, and the demo's
    list changes when seed_demo runs); a URL's list is the one crl_refresh_task last cached."""
    found = []
    cached = {row.source: bytes(row.der) for row in RevocationList.objects.all()}
    for source in settings.CA_CRL_SOURCES:
        if not _is_url(source) and Path(source).is_file():
            try:
                found.append(read_crl(Path(source).read_bytes()))
                continue
            except ValueError:
                logger.warning("The revocation list %s cannot be read", source)
        if source in cached:
            found.append(cached[source])
    return found


def certificate_alerts(user) -> list[Alert]:
    """预警: each of the user's certificates that expires within 30 days (or has expired)."""
    now = timezone.now()
    soon = Certificate.objects.filter(user=user, not_after__lte=now + timedelta(days=EXPIRY_WARNING_DAYS))
    alerts = []
    for certificate in soon.filter(Q(not_after__gte=now - timedelta(days=EXPIRY_WARNING_DAYS))):
        expired = certificate.not_after < now
        template = (
            gettext("Certificate %(name)s (serial %(serial)s) has expired; bind a renewed certificate.")
            if expired
            else gettext("Certificate %(name)s (serial %(serial)s) expires on %(date)s; renew it in time.")
        )
        alerts.append(
            Alert(
                kind="certificate",
                text=template
                % {
                    "name": certificate.subject_cn,
                    "serial": certificate.serial,
                    "date": timezone.localtime(certificate.not_after).date().isoformat(),
                },
                link=reverse("certificates:list"),
                when=certificate.not_after,
                level="danger" if expired else "warning",
            )
        )
    return alerts
