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
  the notice's 说明 when a threshold was missed);
- a department notice (部门汇总) compiles its units' rows: each is a release of the department's
  compilation (its own ocid), whose `relatedProcesses` names the unit's own process
  (relationship `compiledFrom`, scheme `ocid`) and whose `smeReservation.compiledFrom` says
  whether the project is counted in the unit's own published notice; its
  `shortfallExplanation` is the unit's 说明 (public.formats.compiled).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from announcements.enums import Kind

from ..http import canonical_query, json_response, site_url
from ..paging import FILTER_PARAMS, PAGE_PARAMS, next_url, page_of_notices, published_for_api
from .compiled import UnitPart, rules_missed, unit_parts

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


def row_keys(rows, numbers=None) -> list[str]:
    """Per row: its 项目编号 when it is a plain code, else its 序号 (`numbers` when the rows are a
    unit's part of a department notice, numbered as in the unit's own notice); a repeated key
    gets a suffix."""
    keys, seen = [], {}
    numbers = numbers or [row.number for row in rows]
    for row, number in zip(rows, numbers, strict=True):
        key = row.code.strip() if SAFE_CODE.match(row.code.strip()) else f"n{number}"
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys


def ocid_for(notice, row_key: str) -> str:
    """Stable across revocation and refiling: the institution, the year and the row's code."""
    return f"{settings.OCDS_OCID_PREFIX}-{institution_key(notice.institution)}-{notice.year}-{row_key}"


def releases_for_notice(notice, parts: dict[int, UnitPart] | None = None) -> list[dict]:
    """The releases of a notice's rows; `parts` are a department notice's units
    (compiled.unit_parts)."""
    rows = list(notice.report.rows.all()) if notice.report else []
    if parts is None:
        return [release_for_row(notice, row, key) for row, key in zip(rows, row_keys(rows), strict=True)]
    by_unit: dict[int, list] = {}
    for row in rows:
        by_unit.setdefault(row.unit_id, []).append(row)
    releases = []
    for unit_rows in by_unit.values():
        # Keyed as in the unit's own notice, where the copied rows keep their order.
        keys = row_keys(unit_rows, numbers=range(1, len(unit_rows) + 1))
        releases += [
            release_for_row(notice, row, key, part=parts.get(row.unit_id))
            for row, key in zip(unit_rows, keys, strict=True)
        ]
    return releases


def _compiled(notice, row, row_key: str, part: UnitPart | None) -> tuple[str, dict, dict]:
    """(the copy's ocid, its relatedProcess, its smeReservation.compiledFrom)."""
    unit = row.unit or notice.institution
    unit_ocid = f"{settings.OCDS_OCID_PREFIX}-{institution_key(unit)}-{notice.year}-{row_key}"
    ocid = f"{ocid_for(notice, 'dept')}-{institution_key(unit)}-{row_key}"
    related = {
        "id": "1",
        "relationship": ["compiledFrom"],
        "title": part.source_title if part and part.is_copy else unit.name,
        "scheme": "ocid",
        "identifier": unit_ocid,
    }
    compiled_from = {"budgetUnit": unit.name, "ocid": unit_ocid, "countedInUnitNotice": False}
    if part and part.is_copy:
        related["uri"] = site_url(reverse("public:api_detail", args=[part.source_id]))
        compiled_from |= {
            "countedInUnitNotice": True,
            "noticeId": part.source_id,
            "noticeUrl": site_url(reverse("public:detail", args=[part.source_id])),
        }
    return ocid, related, compiled_from


def release_for_row(notice, row, row_key: str | None = None, *, part: UnitPart | None = None) -> dict:
    """One row's release. `part`: in a department notice, the row's unit (compiled.unit_parts)."""
    row_key = row_key or f"n{row.number}"
    department = notice.kind == Kind.DEPARTMENT
    related = None
    if department:
        ocid, related, compiled_from = _compiled(notice, row, row_key, part)
    else:
        ocid = ocid_for(notice, row_key)
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
            "policyVerdict": {"status": row.verdict_status or None, "rulesMissed": rules_missed(row)},
        },
    }
    if department:
        tender["smeReservation"]["compiledFrom"] = compiled_from
        # The row's unit's 说明, as the department notice prints it under the unit's name.
        explanation = part.explanation if part else ""
    else:
        explanation = notice.report.published_explanation if notice.report else ""
    if explanation:
        tender["smeReservation"]["shortfallExplanation"] = explanation
    # The notice's sealed PDF (public.sealing), the same document for each of its rows.
    tender["documents"] = [
        {
            "id": f"{ocid}-sealed-notice",
            "title": _("Sealed notice (PDF)"),
            "url": site_url(reverse("public:sealed_pdf", args=[notice.public_id])),
            "format": "application/pdf",
            "language": "zh",
        }
    ]
    if row.category in CATEGORY:
        tender["mainProcurementCategory"] = CATEGORY[row.category]
    if row.budget_amount is not None:
        tender["value"] = cny(row.budget_amount)
    award_id = f"{ocid}-award"
    award = {"id": award_id, "status": "active"}
    contract = {"id": f"{ocid}-contract", "awardID": award_id}
    if row.option in OWN_CONTRACT_OPTIONS:
        award["value"] = contract["value"] = cny(row.sme_amount)
    release = {
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
    if related:
        release["relatedProcesses"] = [related]
    return release


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
                        "policyVerdict": {
                            "title": "Policy verdict",
                            "description": "The rules of 财库〔2020〕46号 and the later measures that apply "
                            "to the project, judged by its region and procurement date: pass, shortfall (a "
                            "说明 is published) or unknown (the data cannot decide), with the codes of the "
                            "rules missed, the strictest first.",
                            "type": "object",
                            "properties": {
                                "status": {
                                    "type": ["string", "null"],
                                    "enum": ["pass", "shortfall", "unknown", None],
                                },
                                "rulesMissed": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                        "compiledFrom": {
                            "title": "Compiled from a budget unit's notice",
                            "description": "Set on the rows of a department notice "
                            "(部门汇总, 46号 第十八条), which copies its budget units' rows. When "
                            "countedInUnitNotice is true the "
                            "project is also published, and counted, in the unit's own notice "
                            "(noticeId): sum only the releases without it, or with it false, to count "
                            "every project once. relatedProcesses names the unit's own process "
                            "(relationship compiledFrom, scheme ocid).",
                            "type": "object",
                            "properties": {
                                "budgetUnit": {"title": "The budget unit", "type": "string"},
                                "ocid": {"title": "The ocid of the unit's own process", "type": "string"},
                                "countedInUnitNotice": {
                                    "title": "Counted in the unit's own published notice",
                                    "type": "boolean",
                                },
                                "noticeId": {"title": "The unit's own notice", "type": "string"},
                                "noticeUrl": {
                                    "title": "The unit's own notice",
                                    "type": "string",
                                    "format": "uri",
                                },
                            },
                        },
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
    parts = unit_parts([n.report_id for n in notices if n.kind == Kind.DEPARTMENT and n.report_id])
    items = []
    for n in notices:
        items += releases_for_notice(n, parts.get(n.report_id, {}) if n.kind == Kind.DEPARTMENT else None)
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
