"""The public bulk files: every published row as rows.csv and rows.xlsx, and one pair per year,
built by a task (`public.tasks.bulk_files_rebuild_task`) through the storage API and served as they
are. A request never builds the whole-dataset workbook.

Layout in the default storage:
- bulk/<token>/rows.csv, rows.xlsx, rows-2025.csv, rows-2025.xlsx, …: one generation;
- bulk/manifest.json: the current generation (its token, time, the publication stamp it was
  built from, and each file's path, size and ETag). Switching the manifest switches every file
  at once; the previous generation is then deleted.

Idempotent and coalesced: a rebuild whose publication stamp equals the manifest's does nothing,
so ten publications in a minute enqueue ten tasks but build once or twice. On PostgreSQL an
advisory lock serialises two workers (the second then finds the files current).
"""

import hashlib
import json
import logging
import os
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from announcements.models import Announcement
from announcements.selectors import announcements_published

from .formats import DOWNLOADS
from .formats.rows import published_rows

logger = logging.getLogger(__name__)

BULK_DIR = "bulk"
MANIFEST = f"{BULK_DIR}/manifest.json"
_LOCK_ID = 0x5E_B01C  # pg advisory lock key of the bulk-file build


def publication_stamp() -> str:
    """Changes whenever the set of published rows can have changed (a publication, a revocation)."""
    published = announcements_published().aggregate(n=Count("pk"), last=Max("published_at"))
    revoked = Announcement.objects.aggregate(last=Max("revoked_at"))["last"]
    last = published["last"]
    return f"{published['n']}|{last and last.isoformat()}|{revoked and revoked.isoformat()}"


def read_manifest() -> dict | None:
    try:
        with default_storage.open(MANIFEST, "rb") as handle:
            return json.loads(handle.read().decode())
    except (FileNotFoundError, OSError, ValueError):
        return None


def file_entry(manifest: dict | None, name: str) -> dict | None:
    if not manifest:
        return None
    entry = manifest["files"].get(name)
    if entry is None:
        return None
    return {**entry, "generated_at": parse_datetime(manifest["generated_at"])}


@contextmanager
def _build_lock():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_ID])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_ID])


def _save(path: str, spool) -> dict:
    spool.seek(0)
    digest = hashlib.blake2s()
    for chunk in iter(lambda: spool.read(1 << 20), b""):
        digest.update(chunk)
    size = spool.tell()
    spool.seek(0)
    saved = default_storage.save(path, File(spool, name=os.path.basename(path)))
    return {"path": saved, "size": size, "etag": digest.hexdigest()[:32]}


def _write_manifest(manifest: dict) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    try:
        target = default_storage.path(MANIFEST)
    except NotImplementedError:  # object storage: a PUT replaces the object at once
        default_storage.delete(MANIFEST)
        default_storage.save(MANIFEST, ContentFile(data))
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".manifest-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)  # readers see the old manifest or the new one, never half


def bulk_files_rebuild(*, force: bool = False) -> dict:
    """Build the bulk files unless they are current; return the manifest in force.

    Side effects: new files under bulk/<token>/, bulk/manifest.json replaced, the previous
    generation's files deleted. Safe to run twice at once (see the module docstring)."""
    with _build_lock():
        stamp = publication_stamp()
        previous = read_manifest()
        if previous and previous.get("stamp") == stamp and not force:
            return previous
        generated = timezone.now()
        token = generated.strftime("%Y%m%dT%H%M%S%f")
        published = announcements_published()
        years = sorted(
            {y for y in published.values_list("year", flat=True).distinct() if y is not None}, reverse=True
        )
        files = {}
        with translation.override(settings.LANGUAGE_CODE):
            for suffix, notices in [("", published), *[(f"-{y}", published.filter(year=y)) for y in years]]:
                for ext, file_format in DOWNLOADS.items():
                    with tempfile.TemporaryFile() as spool:
                        file_format.write(published_rows(notices), spool)
                        files[f"rows{suffix}.{ext}"] = _save(f"{BULK_DIR}/{token}/rows{suffix}.{ext}", spool)
        manifest = {
            "token": token,
            "generated_at": generated.isoformat(),
            "stamp": stamp,
            "years": years,
            "files": files,
        }
        _write_manifest(manifest)
        if previous:
            for entry in previous.get("files", {}).values():
                try:
                    default_storage.delete(entry["path"])
                except OSError:  # already gone (another worker's cleanup)
                    pass
        logger.info("bulk files rebuilt: %d files, token %s", len(files), token)
        return manifest
