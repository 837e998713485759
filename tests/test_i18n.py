"""The zh_Hans catalogue is complete: every marked string has a translation, and the .mo is current."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


def test_every_marked_string_is_in_the_catalogue(tmp_path):
    # Run makemessages on a copy of the source so the committed catalogue is untouched.
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "var", "staticfiles", "node_modules", "__pycache__", "tests"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-i", "tests/*"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = sorted(
        {e.msgid for e in fresh.untranslated_entries()} | {e.msgid for e in fresh.fuzzy_entries()}
    )
    assert untranslated == []


def test_compiled_catalogue_is_current():
    mo = PO.with_suffix(".mo")
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo))}
    source = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if e.translated() and not e.msgid_plural}
    assert {k: compiled.get(k) for k in source} == source
