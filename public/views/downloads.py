"""Bulk downloads of every published row, as CSV and .xlsx.

Unfiltered, or filtered by 年份 alone, the answer is a file that a task built (public.bulk):
served as it is, with ETag, Last-Modified and its generation time, in milliseconds at any size.
Other filters (keyword, region, dates) come from the task queue too (public.filtered): the
first request enqueues the build and answers a page that reloads itself until the file is
there, which is then served the same way. No request builds a file.
"""

from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.network import client_key
from announcements.selectors import announcements_published

from ..bulk import file_entry, read_manifest
from ..downloads import filtered_download_request
from ..filtered import FilteredDownloadsBusy, filter_params, filtered_download_forget
from ..formats import csv, xlsx
from ..search import PublicNoticeFilter
from ..tasks import bulk_files_rebuild_task

PENDING_REFRESH_SECONDS = 3
BUSY_REFRESH_SECONDS = 30


def filter_values(request) -> dict[str, str] | None:
    """The filter's cleaned values as strings, or None for an invalid filter."""
    filterset = PublicNoticeFilter(request.GET or None, queryset=announcements_published())
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filter_params(filterset.form.cleaned_data) if filterset.is_bound else {}


def static_file_name(params: dict[str, str], ext: str) -> str | None:
    """The bulk file that answers these cleaned filter values (rows.xlsx, rows-2025.csv…), or
    None when they filter by more than the year."""
    if not params:
        return f"rows.{ext}"
    if set(params) == {"year"}:
        return f"rows-{params['year']}.{ext}"
    return None


def file_response(request, *, path, size, etag, generated_at, download_name, content_type):
    """A stored file as an attachment, with ETag, Last-Modified and its generation time;
    304 to a conditional request for the same file. Raises OSError when the file is gone."""
    etag = quote_etag(etag)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        # The time a reader in Shanghai reads on the clock (TIME_ZONE), not UTC.
        filename=f"{download_name}-{timezone.localtime(generated_at):%Y%m%d-%H%M}.{path.rsplit('.', 1)[1]}",
        content_type=content_type,
    )
    response["Content-Length"] = str(size)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(generated_at.timestamp())
    response["X-Generated-At"] = generated_at.isoformat()
    response["Cache-Control"] = "public, max-age=60"
    return response


def serve_bulk_file(request, name: str, ext: str, content_type: str):
    manifest = read_manifest()
    if manifest is None:
        # First start: no file yet. The task builds it (at once with the immediate backend).
        bulk_files_rebuild_task.enqueue()
        manifest = read_manifest()
        if manifest is None:
            response = HttpResponse(
                _("The download file is being prepared. Please try again in a minute."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "60"
            return response
    entry = file_entry(manifest, name)
    if entry is None:  # a year without a published notice
        return HttpResponse(
            _("No published rows for this year."), status=404, content_type="text/plain; charset=utf-8"
        )
    return file_response(
        request,
        path=entry["path"],
        size=entry["size"],
        etag=entry["etag"],
        generated_at=entry["generated_at"],
        download_name=name.rsplit(".", 1)[0].replace("rows", "sme-reserved-projects"),
        content_type=content_type,
    )


def _pending_page(request, params: dict[str, str], ext: str, *, busy: bool):
    refresh = BUSY_REFRESH_SECONDS if busy else PENDING_REFRESH_SECONDS
    query = urlencode(params)
    response = render(
        request,
        "public/download_pending.html",
        {
            "busy": busy,
            "refresh": refresh,
            "download_url": f"{reverse(f'public:download_{ext}')}?{query}",
            "list_url": f"{reverse('public:list')}?{query}",
        },
        status=503 if busy else 202,
    )
    # No script reloads the page (CSP): the Refresh header and the page's meta refresh do.
    response["Refresh"] = str(refresh)
    response["Retry-After"] = str(refresh)
    response["Cache-Control"] = "no-store"
    return response


def _download(request, ext: str, content_type: str):
    params = filter_values(request)
    if params is None:
        return HttpResponseBadRequest(_("Invalid filter."))
    name = static_file_name(params, ext)
    if name:
        return serve_bulk_file(request, name, ext, content_type)
    for _attempt in range(2):
        try:
            download = filtered_download_request(params=params, ext=ext, client=client_key(request))
        except FilteredDownloadsBusy:
            return _pending_page(request, params, ext, busy=True)
        if download.built_at is None:
            return _pending_page(request, params, ext, busy=False)
        try:
            return file_response(
                request,
                path=download.path,
                size=download.size,
                etag=download.etag,
                generated_at=download.built_at,
                download_name="sme-reserved-projects-filtered",
                content_type=content_type,
            )
        except OSError:  # the file went (a cleanup raced this request): build it again
            filtered_download_forget(download)
    return _pending_page(request, params, ext, busy=False)


@require_safe
def download_csv(request):
    return _download(request, csv.EXTENSION, csv.CONTENT_TYPE)


@require_safe
def download_xlsx(request):
    return _download(request, xlsx.EXTENSION, xlsx.CONTENT_TYPE)
