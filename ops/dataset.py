"""Export and import of the whole dataset (database rows and uploaded files) with checksums.

Layout of an export directory:
    manifest.json   format, creation time, applied migrations, row counts, SHA-256 of every file
    data.json       every row of every model (Django's JSON serialization with whole microseconds,
                    natural foreign keys)
    files/<name>    every file referenced by a FileField, under its storage name
"""

import hashlib
import json
import shutil
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "sme-notices-dataset"
FORMAT_VERSION = 1
# Rebuilt by `migrate` (content types, permissions), short-lived (sessions, current lockouts),
# or a cache rebuilt on demand whose files are not in the dataset (filtered downloads).
EXCLUDED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "axes.accessattempt",
    "public.filtereddownload",
}
CHUNK = 1024 * 1024


class DatasetError(Exception):
    """The dataset cannot be exported or imported; the message says why."""


def exported_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.label_lower not in EXCLUDED_MODELS and m._meta.managed and not m._meta.proxy
    ]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _file_names(using: str) -> list[str]:
    """Storage names of every file a FileField points at, each once."""
    names = set()
    for model in exported_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                values = (
                    model._default_manager.using(using)
                    .exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                )
                names.update(v for v in values if v)
    return sorted(names)


def dataset_export(*, target: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the whole dataset into the empty or new directory `target`; returns the manifest.

    Side effects: creates `target` with data.json, files/ and manifest.json (written last, so a
    directory without a manifest is an interrupted export)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise DatasetError(f"{target} is not empty.")
    (target / "files").mkdir(parents=True, exist_ok=True)
    data_path = target / "data.json"
    # One repeatable-read snapshot on PostgreSQL, so rows and counts agree while the site runs.
    outermost = not connections[using].in_atomic_block
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql" and outermost:
            with connections[using].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        labels = [m._meta.label for m in exported_models()]
        call_command(
            "dumpdata",
            *labels,
            database=using,
            natural_foreign=True,
            format="exactjson",  # microseconds kept (ops.exact_json)
            output=str(data_path),
            verbosity=0,
        )
        counts = {m._meta.label_lower: m._default_manager.using(using).count() for m in exported_models()}
        file_names = _file_names(using)
        migrations_applied = _applied_migrations(using)
    files = []
    for name in file_names:
        if not default_storage.exists(name):
            raise DatasetError(f"The file {name} is referenced in the database but missing from storage.")
        destination = target / "files" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, open(destination, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        files.append({"name": name, "size": destination.stat().st_size, "sha256": sha256_of(destination)})
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database_vendor": connections[using].vendor,
        "migrations": migrations_applied,
        "counts": counts,
        "data": {"path": "data.json", "size": data_path.stat().st_size, "sha256": sha256_of(data_path)},
        "files": files,
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest


def dataset_verify(*, source: Path) -> dict:
    """Check the manifest and every checksum without touching the database; returns the manifest."""
    source = Path(source)
    try:
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"No readable manifest.json in {source}: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise DatasetError("manifest.json does not describe a dataset of this format and version.")
    problems = []
    entries = [(manifest["data"]["path"], manifest["data"])] + [
        (f"files/{f['name']}", f) for f in manifest["files"]
    ]
    for relative, entry in entries:
        path = (source / relative).resolve()
        if source.resolve() not in path.parents:
            problems.append(f"{relative}: outside the dataset directory")
        elif not path.is_file():
            problems.append(f"{relative}: missing")
        elif path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            problems.append(f"{relative}: checksum mismatch")
    if problems:
        raise DatasetError("The dataset is damaged: " + "; ".join(problems))
    return manifest


def dataset_import(*, source: Path, using: str = DEFAULT_DB_ALIAS, check_migrations: bool = True) -> dict:
    """Load a verified export into an empty, migrated database; returns the counts loaded.

    Side effects: inserts every row (in one transaction) and writes every file to the default
    storage under its original name; on any failure the database is left unchanged."""
    source = Path(source)
    manifest = dataset_verify(source=source)
    if get_user_model()._default_manager.using(using).exists():
        raise DatasetError(
            "The target database already has accounts: import only into an empty, migrated database."
        )
    if check_migrations:
        here = {tuple(m) for m in _applied_migrations(using)}
        there = {tuple(m) for m in manifest["migrations"]}
        if here != there:
            missing = sorted(there - here)[:5]
            raise DatasetError(
                "The database schema differs from the exported one (run `migrate` with the same code "
                f"version first); for example not applied here: {missing}"
            )
    with transaction.atomic(using=using):
        call_command("loaddata", str(source / manifest["data"]["path"]), database=using, verbosity=0)
        for entry in manifest["files"]:
            _restore_file(source / "files" / entry["name"], entry)
        counts = {m._meta.label_lower: m._default_manager.using(using).count() for m in exported_models()}
        wrong = {
            label: (counts.get(label), expected)
            for label, expected in manifest["counts"].items()
            if counts.get(label) != expected
        }
        if wrong:
            raise DatasetError(f"Row counts differ after loading (found, expected): {wrong}")
    return counts


def _restore_file(path: Path, entry: dict) -> None:
    name = entry["name"]
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            digest = hashlib.sha256()
            for chunk in iter(lambda: existing.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() == entry["sha256"]:
            return
        raise DatasetError(f"A different file already exists in storage under {name}.")
    with open(path, "rb") as handle:
        saved = default_storage.save(name, File(handle, name=name))
    if saved != name:
        raise DatasetError(f"Storage saved {name} as {saved}; the database would point at the wrong file.")


def dataset_fingerprint(*, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Every exported row (serialized, natural foreign keys) and the SHA-256 of every stored file:
    two databases with equal fingerprints hold the same dataset."""
    rows = {}
    for model in exported_models():
        queryset = model._default_manager.using(using).order_by("pk")
        rows[model._meta.label_lower] = json.loads(
            serializers.serialize("exactjson", queryset, use_natural_foreign_keys=True)
        )
    files = {}
    for name in _file_names(using):
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        files[name] = digest.hexdigest()
    return {"rows": rows, "files": files}
