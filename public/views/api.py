"""The JSON API of published notices: /api/notices/ (filters, cursor pagination) and
/api/notices/<public_id>/ (rows, totals, reservation options).

Read-only and public; every query starts from `announcements_published()`. Money goes out as
JSON numbers written from the Decimal's own digits (never through float), in 万元 here and in
元 in the OCDS output.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from announcements.models import Announcement
from announcements.selectors import announcement_revoked_publicly
from reservations.enums import ReservationOption
from reservations.models import ReservedProject
from reservations.money import small_micro_share

from ..http import cache_params, cached_public_response, json_response, site_url
from ..paging import FILTER_PARAMS, PAGE_PARAMS, next_url, page_of_notices, published_for_api


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
        # 46号 第十八条: the 说明 of a missed threshold is published with the notice (None: no shortfall).
        "shortfall_explanation": (report.published_explanation or None) if report else None,
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
    }


@require_safe
def api_notice_list(request):
    def build():
        notices, next_cursor, errors = page_of_notices(request, published_for_api())
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
def api_notice_detail(request, public_id):
    def build():
        notice = (
            published_for_api().filter(public_id=public_id).prefetch_related("report__rows__unit").first()
        )
        if notice is None:
            revoked = announcement_revoked_publicly(public_id=public_id)
            if revoked:
                return json_response({"id": public_id, **revoked}, status=410)
            return json_response({"detail": _("Not found.")}, status=404)
        data = notice_summary(notice)
        # Every row names its budget unit (a department notice groups several units).
        data["rows"] = [
            row_dict(r) | {"unit": (r.unit or notice.institution).name}
            for r in (notice.report.rows.all() if notice.report else [])
        ]
        data["reservation_options"] = [
            {"code": c, "label": str(label)} for c, label in ReservationOption.choices
        ]
        return json_response(data)

    return cached_public_response(request, "api-detail", public_id, build)
