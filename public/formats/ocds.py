"""Published rows as OCDS 1.1 release packages (/api/ocds/releases/), one release per reserved row.

Mapping (domain.md §9, docs/ocds-extension.md):
- ocid: {settings.OCDS_OCID_PREFIX}-{institution}-{year}-{项目编号}: stable when a notice is
  revoked and refiled (a new notice, a new public id), so the refiled row is a new release of the
  same contracting process; the release id adds the notice's public id;
- buyer party: the publishing unit, address.region = the notice's district code;
- tender: the project (title, id = 项目编号 or the ocid), mainProcurementCategory from 项目属性;
- award + contract: the SME procurement amount in CNY 元 (万元 × 10000, exact Decimal) when the
  contract is the SMEs' (整体预留, 专门采购包); for 联合体 and 分包 the contract is the whole
  consortium's or main contractor's, whose value the notice does not give, so no value there;
  the 合同链接 as a contractNotice document;
- tender.smeReservation: the local extension (option, ratio, SME and small/micro amounts, and
  the notice's 说明 when a threshold was missed).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..http import canonical_query, json_response, site_url
from ..paging import FILTER_PARAMS, PAGE_PARAMS, next_url, page_of_notices, published_for_api

YUAN_PER_WAN = Decimal(10000)
CATEGORY = {"goods": "goods", "works": "works", "services": "services"}
# Chinese unified social credit codes, as listed by org-id.guide.
CREDIT_CODE_SCHEME = "CN-USCC"


def yuan(amount_wan: Decimal | None) -> Decimal | None:
    """万元 → 元, exact: one fen (0.000001 万元) is 0.01 元."""
    if amount_wan is None:
        return None
    return (Decimal(amount_wan) * YUAN_PER_WAN).quantize(Decimal("0.01"))


def cny(amount_wan):
    return {"amount": yuan(amount_wan), "currency": "CNY"}


def buyer_party(notice) -> dict:
    institution = notice.institution
    party = {
        "id": f"{CREDIT_CODE_SCHEME}-{institution.credit_code}"
        if institution.credit_code
        else f"unit-{institution.pk}",
        "name": institution.name,
        "address": {"region": notice.district.code, "countryName": "中国"},
        "roles": ["buyer"],
    }
    if institution.credit_code:
        party["identifier"] = {
            "scheme": CREDIT_CODE_SCHEME,
            "id": institution.credit_code,
            "legalName": institution.name,
        }
    return party


SAFE_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,63}$")
# The contract is the SMEs' own only for these options; otherwise the SME amount is a share of it.
OWN_CONTRACT_OPTIONS = {"whole", "dedicated_lot"}


def institution_key(institution) -> str:
    return institution.credit_code or f"unit{institution.pk}"


def row_keys(rows) -> list[str]:
    """Per row: its 项目编号 when it is a plain code, else its 序号; a repeated key gets a suffix."""
    keys, seen = [], {}
    for row in rows:
        key = row.code.strip() if SAFE_CODE.match(row.code.strip()) else f"n{row.number}"
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys


def ocid_for(notice, row_key: str) -> str:
    """Stable across revocation and refiling: the institution, the year and the row's code."""
    return f"{settings.OCDS_OCID_PREFIX}-{institution_key(notice.institution)}-{notice.year}-{row_key}"


def releases_for_notice(notice) -> list[dict]:
    rows = list(notice.report.rows.all()) if notice.report else []
    return [release_for_row(notice, row, key) for row, key in zip(rows, row_keys(rows), strict=True)]


def release_for_row(notice, row, row_key: str | None = None) -> dict:
    ocid = ocid_for(notice, row_key or f"n{row.number}")
    party = buyer_party(notice)
    notice_url = site_url(reverse("public:detail", args=[notice.public_id]))
    tender = {
        "id": row.code or ocid,
        "title": row.name,
        "status": "complete",
        "smeReservation": {
            "option": row.option,
            "optionTitle": str(row.get_option_display()),
            "ratio": row.ratio,
            "smeAmount": cny(row.sme_amount),
            "smallMicroAmount": cny(row.small_micro_amount),
            "year": notice.year,
            "noticeUrl": notice_url,
            # The budget unit of the row (a department notice compiles several units).
            "budgetUnit": (row.unit or notice.institution).name,
        },
    }
    explanation = notice.report.published_explanation if notice.report else ""
    if explanation:
        tender["smeReservation"]["shortfallExplanation"] = explanation
    if row.category in CATEGORY:
        tender["mainProcurementCategory"] = CATEGORY[row.category]
    if row.budget_amount is not None:
        tender["value"] = cny(row.budget_amount)
    award_id = f"{ocid}-award"
    award = {"id": award_id, "status": "active"}
    contract = {"id": f"{ocid}-contract", "awardID": award_id}
    if row.option in OWN_CONTRACT_OPTIONS:
        award["value"] = contract["value"] = cny(row.sme_amount)
    return {
        "ocid": ocid,
        "id": f"{ocid}-{notice.public_id}",
        "date": notice.published_at.isoformat(),
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "zh",
        "parties": [party],
        "buyer": {"id": party["id"], "name": party["name"]},
        "tender": tender,
        "awards": [award],
        "contracts": [
            {
                **contract,
                "documents": [
                    {
                        "id": f"{ocid}-contract-notice",
                        "documentType": "contractNotice",
                        "title": _("Contract notice"),
                        "url": row.contract_url,
                        "language": "zh",
                    }
                ],
            }
        ],
    }


def release_package(*, releases, uri, published_date, next_link=None) -> dict:
    package = {
        "uri": uri,
        "version": "1.1",
        "publishedDate": published_date.isoformat(),
        "publisher": {"name": str(_("Shanghai Government Procurement")), "uri": settings.SITE_URL + "/"},
        "extensions": [site_url(reverse("public:ocds_extension"))],
        "releases": releases,
    }
    if next_link:
        package["links"] = {"next": next_link}
    return package


EXTENSION_SCHEMA_PATCH = {
    "definitions": {
        "Tender": {
            "properties": {
                "smeReservation": {
                    "title": "SME reservation",
                    "description": "How this project was reserved for small and medium-sized "
                    "enterprises under 财库〔2020〕46号 (Shanghai 面向中小企业预留项目执行情况公告).",
                    "type": "object",
                    "properties": {
                        "option": {
                            "title": "Reservation option",
                            "type": "string",
                            "enum": ["whole", "dedicated_lot", "consortium", "subcontract"],
                        },
                        "optionTitle": {"title": "Reservation option, official wording", "type": "string"},
                        "ratio": {
                            "title": "Reserved share (%)",
                            "type": "number",
                            "minimum": 0,
                            "maximum": 100,
                        },
                        "smeAmount": {"title": "Amount procured from SMEs", "$ref": "#/definitions/Value"},
                        "smallMicroAmount": {
                            "title": "Of which from small and micro enterprises",
                            "$ref": "#/definitions/Value",
                        },
                        "year": {"title": "Reporting year", "type": ["integer", "null"]},
                        "noticeUrl": {"title": "The published notice", "type": "string", "format": "uri"},
                        "shortfallExplanation": {
                            "title": "Explanation of the shares not reached",
                            "description": "未达到预留份额比例的说明: published with the notice when a "
                            "policy threshold was missed (财库〔2020〕46号 第十八条).",
                            "type": "string",
                        },
                        "budgetUnit": {"title": "The budget unit of the project", "type": "string"},
                    },
                }
            }
        }
    }
}


def releases(request):
    """/api/ocds/releases/: a release package of a page of notices (400 with the errors of an
    invalid filter or cursor; 404 when nothing matches, since a package holds one release at least)."""
    queryset = published_for_api().prefetch_related("report__rows__unit")
    notices, next_cursor, errors = page_of_notices(request, queryset)
    if errors:
        return json_response({"errors": errors}, status=400)
    items = [release for n in notices for release in releases_for_notice(n)]
    if not items:
        return json_response({"detail": _("No releases match.")}, status=404)
    newest = max(n.published_at for n in notices)
    query = canonical_query(request, FILTER_PARAMS + PAGE_PARAMS)
    package = release_package(
        releases=items,
        # From the known parameters only: the package is cached and shared by every reader.
        uri=site_url(f"{request.path}?{query}" if query else request.path),
        published_date=newest or timezone.now(),
        next_link=next_url(request, "public:ocds_releases", next_cursor),
    )
    return json_response(package)


def extension(request):
    """The extension's metadata (extension.json)."""
    return json_response(
        {
            "name": {"en": "SME reservation (Shanghai)", "zh": "面向中小企业预留"},
            "description": {
                "en": "Adds tender.smeReservation: the reservation option, share and amounts of a project "
                "reserved for SMEs, as published in Shanghai's 面向中小企业预留项目执行情况公告."
            },
            "documentationUrl": {"en": site_url("/api/ocds/")},
            "schemas": ["release-schema.json"],
            "compatibility": ["1.1"],
        }
    )


def release_schema(request):
    """The extension's release-schema.json patch."""
    return json_response(EXTENSION_SCHEMA_PATCH)
