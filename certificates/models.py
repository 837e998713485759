from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    """A digital certificate bound to one account (one account may bind several). The
    fingerprint is unique: a certificate binds to one account only. Written only by
    certificates.services; the facts are read from the certificate when it is bound."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    der = models.BinaryField()
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    subject_cn = models.CharField(_("holder"), max_length=200, blank=True)
    subject_o = models.CharField(_("organization"), max_length=200, blank=True)
    issuer = models.CharField(_("issuer"), max_length=300)
    serial = models.CharField(_("serial number"), max_length=80)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    bound_at = models.DateTimeField(_("bound at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        ordering = ["-bound_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.subject_cn} ({self.serial})"


class RevocationList(models.Model):
    """The last CRL fetched from one source (CA_CRL_SOURCES: a file or a URL), by
    crl_refresh_task; certificate checks read these rows, never the network."""

    source = models.CharField(max_length=500, unique=True)
    der = models.BinaryField()
    fetched_at = models.DateTimeField()
    next_update = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate revocation list")
        verbose_name_plural = _("certificate revocation lists")

    def __str__(self) -> str:
        return self.source
