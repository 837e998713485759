"""Fill translations into the zh_Hans catalogue and compile it.

    python scripts/po_fill.py --list            # untranslated or fuzzy msgids, as JSON
    python scripts/po_fill.py translations.json # [{"msgid": ..., "msgstr": ..., "msgctxt": optional}]

Run every command that touches the catalogue under `flock /tmp/po.lock` when several people
work in one tree.
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(argv):
    catalogue = polib.pofile(str(PO))
    if argv[:1] == ["--list"]:
        todo = [
            {
                "msgid": e.msgid,
                **({"msgctxt": e.msgctxt} if e.msgctxt else {}),
                **({"plural": True} if e.msgid_plural else {}),
            }
            for e in catalogue
            if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
        ]
        print(json.dumps(todo, ensure_ascii=False, indent=1))
        return 0
    items = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    by_key = {(e.msgctxt or None, e.msgid): e for e in catalogue}
    unknown = []
    for item in items:
        entry = by_key.get((item.get("msgctxt"), item["msgid"]))
        if entry is None:
            unknown.append(item["msgid"])
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: item["msgstr"]}
        else:
            entry.msgstr = item["msgstr"]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            entry.previous_msgid_plural = None
            entry.previous_msgctxt = None
    catalogue.save(str(PO))
    catalogue.save_as_mofile(str(PO.with_suffix(".mo")))
    if unknown:
        print("not in the catalogue (run makemessages first):", json.dumps(unknown, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
