"""The JSON API of published notices: /api/notices/ (filters, cursor pagination) and
/api/notices/<public_id>/ (rows, totals, reservation options).

Read-only and public; every query starts from `announcements_published()`. Money goes out as
JSON numbers written from the Decimal's own digits (never through float), in 万元 here and in
元 in the OCDS output.
"""

import base64
import json
import re
import secrets
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reservations.enums import ReservationOption
from reservations.models import ReservedProject

from .enums import State
from .models import Announcement
from .search import ApiNoticeFilter
from .selectors import announcements_published
from .views.public import cache_params, cached_public_response, site_url

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
FILTER_PARAMS = ("q", "district", "year", "date_from", "date_to", "unit", "updated_since")
PAGE_PARAMS = ("cursor", "limit")
SHARE_QUANTUM = Decimal("0.01")

# A Decimal is written as a marker string, then the marker (quotes included) is replaced by its
# digits. The per-process random tag keeps user text from ever forming a marker.
_TAG = secrets.token_hex(8)
_MARKER_RE = re.compile(rf'"@{_TAG}:(-?[0-9.]+)@"')


def decimal_text(value: Decimal) -> str:
    """12.500000 → "12.5", 1E+2 → "100": plain digits without exponent or trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class _ExactEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return f"@{_TAG}:{decimal_text(o)}@"
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def exact_json_dumps(data, **kwargs) -> str:
    return _MARKER_RE.sub(r"\1", json.dumps(data, cls=_ExactEncoder, ensure_ascii=False, **kwargs))


def json_response(data, status=200, content_type="application/json") -> HttpResponse:
    return HttpResponse(exact_json_dumps(data), status=status, content_type=f"{content_type}; charset=utf-8")


def small_micro_share(sme_total, small_micro_total):
    try:
        from reservations.money import small_micro_share as share
    except ImportError:  # the money helpers are optional for this module
        share = None
    if share is not None:
        return share(sme_total=sme_total, small_micro_total=small_micro_total)
    if not sme_total:
        return None
    return (Decimal(small_micro_total) * 100 / Decimal(sme_total)).quantize(SHARE_QUANTUM, ROUND_HALF_UP)


# Cursor pagination on (published_at, id) newest first: stable while notices are published
# in between, and each page is an index range scan however deep it is.
def encode_cursor(notice) -> str:
    raw = f"{notice.published_at.isoformat()}|{notice.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        moment = parse_datetime(stamp)
        if moment is None:
            return None
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def page_of_notices(request, queryset):
    """(notices of this page, next cursor or None, errors or None) for the API and OCDS lists."""
    filterset = ApiNoticeFilter(request.GET, queryset=queryset)
    if not filterset.is_valid():
        return None, None, {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
    qs = filterset.qs.order_by("-published_at", "-id")
    cursor = request.GET.get("cursor")
    if cursor:
        position = decode_cursor(cursor)
        if position is None:
            return None, None, {"cursor": [_("Invalid cursor.")]}
        moment, pk = position
        qs = qs.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk))
    try:
        limit = min(max(int(request.GET.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        return None, None, {"limit": [_("Enter a whole number.")]}
    notices = list(qs[: limit + 1])
    next_cursor = encode_cursor(notices[limit - 1]) if len(notices) > limit else None
    return notices[:limit], next_cursor, None


def next_url(request, url_name, next_cursor):
    if next_cursor is None:
        return None
    params = [(k, request.GET[k]) for k in (*FILTER_PARAMS, "limit") if request.GET.get(k)]
    params.append(("cursor", next_cursor))
    from urllib.parse import urlencode

    return site_url(reverse(url_name)) + "?" + urlencode(params)


def notice_summary(notice: Announcement) -> dict:
    report = notice.report
    sme_total = report.sme_total if report else Decimal("0")
    small_total = report.small_micro_total if report else Decimal("0")
    return {
        "id": notice.public_id,
        "url": site_url(reverse("public:detail", args=[notice.public_id])),
        "api_url": site_url(reverse("public:api_detail", args=[notice.public_id])),
        "title": notice.title,
        "district": {"code": notice.district.code, "name": notice.district.name},
        "year": notice.year,
        "publishing_unit": notice.institution.name,
        "competent_unit": report.competent_unit_name if report else "",
        "published_at": notice.published_at,
        "totals": {
            "sme_amount_wan": sme_total,
            "small_micro_amount_wan": small_total,
            "small_micro_share_percent": small_micro_share(sme_total, small_total),
        },
    }


def row_dict(row: ReservedProject) -> dict:
    return {
        "number": row.number,
        "name": row.name,
        "code": row.code,
        "category": row.category or None,
        "option": {"code": row.option, "label": str(row.get_option_display())},
        "ratio_percent": row.ratio,
        "budget_amount_wan": row.budget_amount,
        "sme_amount_wan": row.sme_amount,
        "small_micro_amount_wan": row.small_micro_amount,
        "contract_url": row.contract_url,
    }


def published_queryset():
    return announcements_published().defer("search_text", "search_grams", "body_html", "published_html")


@require_safe
def notice_list(request):
    def build():
        notices, next_cursor, errors = page_of_notices(request, published_queryset())
        if errors:
            return json_response({"errors": errors}, status=400)
        return json_response(
            {
                "results": [notice_summary(n) for n in notices],
                "next": next_url(request, "public:api_list", next_cursor),
            }
        )

    return cached_public_response(
        request, "api-list", cache_params(request, FILTER_PARAMS + PAGE_PARAMS), build
    )


@require_safe
def notice_detail(request, public_id):
    def build():
        notice = (
            published_queryset()
            .filter(public_id=public_id)
            .prefetch_related(
                Prefetch("report__rows", queryset=ReservedProject.objects.order_by("position", "id"))
            )
            .first()
        )
        if notice is None:
            revoked = (
                Announcement.objects.filter(
                    public_id=public_id, state=State.REVOKED, is_test=False, institution__is_test=False
                )
                .values("revoked_at", "revoke_reason")
                .first()
            )
            if revoked:
                return json_response(
                    {
                        "id": public_id,
                        "revoked_at": revoked["revoked_at"],
                        "revoke_reason": revoked["revoke_reason"],
                    },
                    status=410,
                )
            return json_response({"detail": _("Not found.")}, status=404)
        data = notice_summary(notice)
        data["rows"] = [row_dict(r) for r in (notice.report.rows.all() if notice.report else [])]
        data["reservation_options"] = [
            {"code": c, "label": str(label)} for c, label in ReservationOption.choices
        ]
        return json_response(data)

    return cached_public_response(request, "api-detail", public_id, build)
