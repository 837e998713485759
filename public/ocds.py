"""Published rows as OCDS 1.1 release packages (/api/ocds/releases/), one release per reserved row.

Mapping (domain.md §9, docs/ocds-extension.md):
- ocid: {settings.OCDS_OCID_PREFIX}-{notice public id}-{序号}; the release id adds nothing
  since a published notice never changes (it is revoked and replaced instead);
- buyer party: the publishing unit, address.region = the notice's district code;
- tender: the project (title, id = 项目编号 or the ocid), mainProcurementCategory from 项目属性;
- award + contract: the SME procurement amount in CNY 元 (万元 × 10000, exact Decimal);
  the 合同链接 as a contractNotice document;
- tender.smeReservation: the local extension (option, ratio, SME and small/micro amounts).
"""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .http import site_url

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


def release_for_row(notice, row) -> dict:
    ocid = f"{settings.OCDS_OCID_PREFIX}-{notice.public_id}-{row.number}"
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
    if row.category in CATEGORY:
        tender["mainProcurementCategory"] = CATEGORY[row.category]
    if row.budget_amount is not None:
        tender["value"] = cny(row.budget_amount)
    award_id = f"{ocid}-award"
    return {
        "ocid": ocid,
        "id": f"{ocid}-{notice.published_at:%Y%m%d}",
        "date": notice.published_at.isoformat(),
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "zh",
        "parties": [party],
        "buyer": {"id": party["id"], "name": party["name"]},
        "tender": tender,
        "awards": [{"id": award_id, "status": "active", "value": cny(row.sme_amount)}],
        "contracts": [
            {
                "id": f"{ocid}-contract",
                "awardID": award_id,
                "value": cny(row.sme_amount),
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
                        "budgetUnit": {"title": "The budget unit of the project", "type": "string"},
                    },
                }
            }
        }
    }
}
