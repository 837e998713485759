"""The Atom feed of newly published notices (/notices/feed/, ?district=<code> narrows it).

Written from the notices' stored columns (title, district and unit names, publication time) by a
plain generator: one query of 50 rows (two with a district), no model instances, no per-item
template or XML-writer calls. The XML is what django.contrib.syndication's Atom1Feed wrote before.
"""

import re

from django.http import HttpResponse
from django.utils.http import http_date
from django.utils.timezone import now
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from announcements.models import Announcement
from announcements.selectors import announcements_published

from ..http import path_prefix, site_url, url_path
from ..prepared import PreparedQuery

FEED_SIZE = 50
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
TITLE = _("SME reserved-project execution notices")
SUBTITLE = _("SME reserved-project execution notices published on the Shanghai government procurement site")
COLUMNS = ("public_id", "title", "district__name", "institution__name", "published_at")

# XML 1.0 has no place for control characters: they are dropped rather than failing the feed.
# Escaping by str.replace and one regex (C loops) rather than str.translate with a table, which
# looks up every character in Python's dict: it cost 1.7 ms of a feed's 4.9 ms.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: str) -> str:
    return _CONTROL_RE.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    escaped = _text(value).replace('"', "&quot;")
    return escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _newest(queryset):
    return queryset.select_related(None).order_by("-published_at", "-id").values_list(*COLUMNS)[:FEED_SIZE]


_all_items = PreparedQuery(Announcement, lambda: _newest(announcements_published()), server_plan=True)
_district_items = PreparedQuery(
    Announcement,
    lambda district_id: _newest(announcements_published().filter(district_id=district_id)),
    district_id=int,
    server_plan=True,
)
_district = PreparedQuery(
    District,
    lambda code: District.objects.filter(code=code).order_by().values_list("pk", "code", "name")[:1],
    code=str,
    server_plan=True,
)


def feed_items(district_code: str):
    """(district (pk, code, name) or None, rows of COLUMNS): an unknown code gives every district,
    as the feed always did."""
    found = _district.rows(code=district_code) if district_code else []
    if not found:
        return None, _all_items.rows()
    return found[0], _district_items.rows(district_id=found[0][0])


def atom_feed(district, rows) -> tuple[str, object]:
    """(the Atom document, the newest publication time or now)."""
    query = f"?district={district[1]}" if district else ""
    link = site_url(url_path("public:list") + query)
    feed_url = site_url(url_path("public:feed") + query)
    title = f"{TITLE} · {district[2]}" if district else str(TITLE)
    updated = rows[0][4] if rows else now()
    detail = site_url(path_prefix("public:detail"))
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed xml:lang="{_attribute(get_language())}" xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{_text(title)}</title>",
        f'<link href="{_attribute(link)}" rel="alternate"/>',
        f'<link href="{_attribute(feed_url)}" rel="self"/>',
        f"<id>{_text(link)}</id>",
        f"<updated>{updated.isoformat()}</updated>",
        f"<subtitle>{_text(str(SUBTITLE))}</subtitle>",
    ]
    for public_id, notice_title, district_name, unit, published_at in rows:
        url = _text(f"{detail}{public_id}/")
        stamp = published_at.isoformat()
        unit = _text(unit)
        out.append(
            f"<entry><title>{_text(f'【{district_name}】{notice_title}')}</title>"
            f'<link href="{url}" rel="alternate"/><published>{stamp}</published><updated>{stamp}</updated>'
            f"<author><name>{unit}</name></author><id>{url}</id>"
            f'<summary type="html">{unit} · {published_at:%Y-%m-%d}</summary></entry>'
        )
    out.append("</feed>")
    return "".join(out), updated


def feed(request):
    """/notices/feed/: the newest FEED_SIZE notices (of one district with ?district=<code>)."""
    district_code = request.GET.get("district", "").strip()[:6]
    xml, updated = atom_feed(*feed_items(district_code))
    response = HttpResponse(xml, content_type=CONTENT_TYPE)
    response["Last-Modified"] = http_date(updated.timestamp())
    return response
