"""The JSON API of published notices: /api/notices/ (filters, cursor pagination) and
/api/notices/<public_id>/ (rows, totals, reservation options).

Read-only and public; every query starts from `announcements_published()`. Money goes out as
JSON numbers written from the Decimal's own digits (never through float), in 万元 here and in
元 in the OCDS output.
"""

from datetime import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from announcements.enums import Kind
from announcements.models import Announcement
from announcements.selectors import announcement_revoked_publicly
from reservations.enums import ReservationOption
from reservations.models import ReservedProject
from reservations.money import small_micro_share

from ..http import json_response, path_prefix, site_url
from ..paging import (
    DEFAULT_LIMIT,
    FILTER_PARAMS,
    MAX_LIMIT,
    after_position,
    decode_cursor,
    encode_position,
    next_url,
    published_for_api,
)
from ..prepared import PreparedQuery
from ..search import ApiNoticeFilter
from .compiled import UnitPart, explanation_text, rules_missed, unit_parts


def notice_summary(notice: Announcement, parts: dict[int, UnitPart] | None = None) -> dict:
    """The summary of a notice; `parts` are a department notice's units (compiled.unit_parts),
    read when not given."""
    report = notice.report
    if parts is None and report is not None and notice.kind == Kind.DEPARTMENT:
        parts = unit_parts([report]).get(report.pk)
    sme_total = report.sme_total if report else Decimal("0")
    small_total = report.small_micro_total if report else Decimal("0")
    return {
        "id": notice.public_id,
        "url": site_url(reverse("public:detail", args=[notice.public_id])),
        "api_url": site_url(reverse("public:api_detail", args=[notice.public_id])),
        "title": notice.title,
        "district": {"code": notice.district.code, "name": notice.district.name},
        "year": notice.year,
        "kind": notice.kind,
        "publishing_unit": notice.institution.name,
        "competent_unit": report.competent_unit_name if report else "",
        "published_at": notice.published_at,
        # 46号 第十八条: the 说明 of a missed threshold is published with the notice (None: no
        # shortfall); a department notice's adds each unit's 说明, as its text prints them.
        "shortfall_explanation": explanation_text(own=report.published_explanation, parts=parts)
        if report
        else None,
        "totals": {
            "sme_amount_wan": sme_total,
            "small_micro_amount_wan": small_total,
            "small_micro_share_percent": small_micro_share(
                sme_total=sme_total, small_micro_total=small_total
            ),
        },
    }


def row_dict(row: ReservedProject) -> dict:
    return {
        "number": row.number,
        "name": row.name,
        "code": row.code,
        "category": row.category or None,
        "procurement_date": row.procurement_date.isoformat() if row.procurement_date else None,
        "option": {"code": row.option, "label": str(row.get_option_display())},
        "ratio_percent": row.ratio,
        "budget_amount_wan": row.budget_amount,
        "sme_amount_wan": row.sme_amount,
        "small_micro_amount_wan": row.small_micro_amount,
        "contract_url": row.contract_url,
        # The stored policy verdict (reservations.verdict): the one every page and report reads.
        "policy_verdict": {"status": row.verdict_status or None, "rules_missed": rules_missed(row)},
    }


# What a page of the list reads: one row of plain columns per notice, no model instances.
SUMMARY_COLUMNS = (
    "pk",
    "public_id",
    "title",
    "district__code",
    "district__name",
    "year",
    "institution__name",
    "report__competent_unit_name",
    "published_at",
    "report__needs_explanation",
    "report__explanation",
    "report__sme_total",
    "report__small_micro_total",
    "kind",
    "report_id",
)


def _newest_first(queryset):
    return queryset.select_related(None).order_by("-published_at", "-id")


# The unfiltered pages (what most readers and harvesters ask for), compiled once per page size.
_first_page = PreparedQuery(
    Announcement,
    lambda limit: _newest_first(published_for_api()).values_list(*SUMMARY_COLUMNS)[: limit + 1],
    server_plan=True,
)
_next_page = PreparedQuery(
    Announcement,
    lambda limit, moment, pk: after_position(_newest_first(published_for_api()), moment, pk).values_list(
        *SUMMARY_COLUMNS
    )[: limit + 1],
    moment=datetime,
    pk=int,
    server_plan=True,
)


def summary_rows(request):
    """(rows of SUMMARY_COLUMNS for this page, next cursor or None, errors or None); the same
    filters, cursor and limit rules as `paging.page_of_notices`, which the OCDS list uses."""
    filtered = any(request.GET.get(name) for name in FILTER_PARAMS)
    if filtered:
        filterset = ApiNoticeFilter(request.GET, queryset=published_for_api())
        if not filterset.is_valid():
            return None, None, {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
    position = None
    cursor = request.GET.get("cursor")
    if cursor:
        position = decode_cursor(cursor)
        if position is None:
            return None, None, {"cursor": [_("Invalid cursor.")]}
    try:
        limit = min(max(int(request.GET.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        return None, None, {"limit": [_("Enter a whole number.")]}
    if filtered:
        queryset = _newest_first(filterset.qs)
        if position is not None:
            queryset = after_position(queryset, *position)
        rows = list(queryset.values_list(*SUMMARY_COLUMNS)[: limit + 1])
    elif position is not None:
        rows = _next_page.rows(limit, moment=position[0], pk=position[1])
    else:
        rows = _first_page.rows(limit)
    next_cursor = None
    if len(rows) > limit:
        pk, published_at = rows[limit - 1][0], rows[limit - 1][8]
        next_cursor = encode_position(published_at, pk)
    return rows[:limit], next_cursor, None


def summary_from_row(row, detail_prefix: str, api_prefix: str, parts: dict | None = None) -> dict:
    """`notice_summary` of one row of SUMMARY_COLUMNS (the same keys, in the same order);
    `parts` are compiled.unit_parts of the page's department notices."""
    (
        _pk,
        public_id,
        title,
        district_code,
        district_name,
        year,
        unit,
        competent_unit,
        published_at,
        needs_explanation,
        explanation,
        sme_total,
        small_total,
        kind,
        report_id,
    ) = row
    has_report = sme_total is not None
    if not has_report:
        sme_total = small_total = Decimal("0")
    # Report.published_explanation: the 说明 only when a threshold is missed.
    published_explanation = explanation.strip() if has_report and needs_explanation else ""
    return {
        "id": public_id,
        "url": f"{detail_prefix}{public_id}/",
        "api_url": f"{api_prefix}{public_id}/",
        "title": title,
        "district": {"code": district_code, "name": district_name},
        "year": year,
        "kind": kind,
        "publishing_unit": unit,
        "competent_unit": competent_unit or "",
        "published_at": published_at,
        "shortfall_explanation": explanation_text(
            own=published_explanation, parts=(parts or {}).get(report_id)
        ),
        "totals": {
            "sme_amount_wan": sme_total,
            "small_micro_amount_wan": small_total,
            "small_micro_share_percent": small_micro_share(
                sme_total=sme_total, small_micro_total=small_total
            ),
        },
    }


def _compiled_from(parts: dict[int, UnitPart], row) -> dict | None:
    """Where a department notice's row comes from: the unit's own published notice (a compiled
    copy: counted there) or None when the unit's notice is not published (counted here)."""
    part = parts.get(row.unit_id)
    if part is None or not part.is_copy:
        return None
    return {
        "notice_id": part.source_id,
        "title": part.source_title,
        "api_url": site_url(reverse("public:api_detail", args=[part.source_id])),
    }


def notice_list(request):
    """/api/notices/: a page of summaries and the link to the next one (400 with the errors of
    an invalid filter, cursor or limit)."""
    rows, next_cursor, errors = summary_rows(request)
    if errors:
        return json_response({"errors": errors}, status=400)
    detail_prefix = site_url(path_prefix("public:detail"))
    api_prefix = site_url(path_prefix("public:api_detail"))
    departments = [row[-1] for row in rows if row[-2] == Kind.DEPARTMENT]
    parts = unit_parts(departments) if departments else {}
    return json_response(
        {
            "results": [summary_from_row(row, detail_prefix, api_prefix, parts) for row in rows],
            "next": next_url(request, "public:api_list", next_cursor),
        }
    )


def notice_detail(request, public_id):
    """/api/notices/<id>/: the summary, every row and the reservation options (410 with the date
    and reason of a revoked notice, 404 otherwise)."""
    notice = published_for_api().filter(public_id=public_id).prefetch_related("report__rows__unit").first()
    if notice is None:
        revoked = announcement_revoked_publicly(public_id=public_id)
        if revoked:
            return json_response({"id": public_id, **revoked}, status=410)
        return json_response({"detail": _("Not found.")}, status=404)
    parts = {}
    if notice.report and notice.kind == Kind.DEPARTMENT:
        parts = unit_parts([notice.report]).get(notice.report_id, {})
    data = notice_summary(notice, parts)
    # Every row names its budget unit (a department notice groups several units) and, in a
    # department notice, the unit's own notice it was compiled from.
    data["rows"] = [
        row_dict(r) | {"unit": (r.unit or notice.institution).name, "compiled_from": _compiled_from(parts, r)}
        for r in (notice.report.rows.all() if notice.report else [])
    ]
    if notice.kind == Kind.DEPARTMENT:
        data["unit_explanations"] = [
            {"unit": p.name, "explanation": p.explanation} for p in parts.values() if p.explanation
        ]
    data["reservation_options"] = [{"code": c, "label": str(label)} for c, label in ReservationOption.choices]
    return json_response(data)
