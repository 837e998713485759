from django.db import models
from django.utils.translation import gettext_lazy as _


class FilteredDownload(models.Model):
    """One file (.xlsx or .csv) of the published rows under a filter other than the year (public.filtered),
    for one publication stamp: asked for by a request, built by a task, then served as it is.

    `key` digests the filter's canonical values, the format and the stamp, so a publication or revocation
    makes every earlier row stale (never served again; the cleanup deletes it and its file).
    Written only by public.filtered."""

    key = models.CharField(max_length=64, unique=True)
    stamp = models.CharField(max_length=200)
    ext = models.CharField(max_length=4, default="xlsx")
    params = models.JSONField()  # the filter's cleaned values, as the request gave them
    client = models.CharField(max_length=64, blank=True, default="")  # accounts.network.client_key
    requested_at = models.DateTimeField()
    built_at = models.DateTimeField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    etag = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("filtered download")
        verbose_name_plural = _("filtered downloads")

    def __str__(self) -> str:
        return self.key
