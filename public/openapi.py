"""The OpenAPI 3.1 description of the public JSON API and the OCDS endpoints, served at
/api/openapi.json. Written by hand next to the views it describes; tests/public/test_openapi.py
checks real responses against it and fuzzes every operation with schemathesis."""

from django.conf import settings

from .paging import MAX_LIMIT

MONEY = {"type": "number", "description": "Exact decimal digits (never rounded through float)."}
TEXT_FILTER = {"type": "string", "maxLength": 100}


def _param(name, description, schema):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


FILTERS = [
    _param("q", "Keyword: every word must occur in the title, unit or project names.", TEXT_FILTER),
    _param("district", "District code, e.g. 310107.", {"type": "string", "maxLength": 20}),
    _param("year", "Reporting year.", {"type": "string", "pattern": "^[0-9]{4}$"}),
    _param("date_from", "Published on or after (YYYY-MM-DD).", {"type": "string", "format": "date"}),
    _param("date_to", "Published on or before (YYYY-MM-DD).", {"type": "string", "format": "date"}),
    _param("unit", "Publishing unit: part of its name, or its credit code.", TEXT_FILTER),
    _param(
        "updated_since", "Published or changed since (ISO 8601).", {"type": "string", "format": "date-time"}
    ),
    _param("cursor", "The `next` link's cursor.", {"type": "string", "maxLength": 200}),
    _param(
        "limit",
        f"Page size, 1 to {MAX_LIMIT} (values outside are clamped).",
        {"type": "integer", "default": 20},
    ),
]
PUBLIC_ID = {
    "name": "public_id",
    "in": "path",
    "required": True,
    "description": "The notice's public id (32 lower-case hex digits).",
    "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


BAD_REQUEST = _json("#/components/schemas/Errors", "Invalid parameters: the message of each field.")
NOT_FOUND = _json("#/components/schemas/Detail", "No such published notice.")
UNAVAILABLE = {
    "description": "The database is unreachable or too slow: the site's 服务暂时不可用 page, with "
    "Retry-After. Try again later.",
    "headers": {"Retry-After": {"schema": {"type": "string"}}},
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "面向中小企业预留项目执行情况公告 API",
            "version": "1.0",
            "description": "Published notices of the SME reserved-project report: read-only, public, "
            "amounts in 万元 (JSON API) or in 元 (OCDS), exact decimals.",
        },
        "servers": [{"url": settings.SITE_URL}],
        "paths": {
            "/api/notices/": {
                "get": {
                    "operationId": "listNotices",
                    "summary": "Published notices, newest first, with cursor pagination.",
                    "parameters": FILTERS,
                    "responses": {
                        "200": _json("#/components/schemas/NoticeList", "A page of notices."),
                        "400": BAD_REQUEST,
                        "503": UNAVAILABLE,
                    },
                }
            },
            "/api/notices/{public_id}/": {
                "get": {
                    "operationId": "getNotice",
                    "summary": "One published notice with its reserved rows.",
                    "parameters": [PUBLIC_ID],
                    "responses": {
                        "200": _json("#/components/schemas/NoticeDetail", "The notice."),
                        "404": NOT_FOUND,
                        "410": _json("#/components/schemas/Revoked", "The notice was revoked."),
                        "503": UNAVAILABLE,
                    },
                }
            },
            "/api/ocds/releases/": {
                "get": {
                    "operationId": "ocdsReleases",
                    "summary": "OCDS 1.1 release package: one release per reserved row.",
                    "parameters": FILTERS,
                    "responses": {
                        "200": _json("#/components/schemas/ReleasePackage", "A release package."),
                        "400": BAD_REQUEST,
                        "404": _json("#/components/schemas/Detail", "No release matches."),
                        "503": UNAVAILABLE,
                    },
                }
            },
            "/api/ocds/extension.json": {
                "get": {
                    "operationId": "ocdsExtension",
                    "summary": "The OCDS extension metadata (tender.smeReservation).",
                    "responses": {"200": _json("#/components/schemas/Object", "extension.json")},
                }
            },
            "/api/ocds/release-schema.json": {
                "get": {
                    "operationId": "ocdsExtensionSchema",
                    "summary": "The extension's release-schema patch.",
                    "responses": {"200": _json("#/components/schemas/Object", "release-schema.json")},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }


TOTALS = {
    "type": "object",
    "required": ["sme_amount_wan", "small_micro_amount_wan", "small_micro_share_percent"],
    "properties": {
        "sme_amount_wan": MONEY,
        "small_micro_amount_wan": MONEY,
        "small_micro_share_percent": {"type": ["number", "null"]},
    },
}

SCHEMAS = {
    "Object": {"type": "object"},
    "Detail": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}},
    "Errors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        },
    },
    "NoticeSummary": {
        "type": "object",
        "required": [
            "id",
            "url",
            "api_url",
            "title",
            "district",
            "year",
            "publishing_unit",
            "competent_unit",
            "published_at",
            "totals",
        ],
        "properties": {
            "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "url": {"type": "string", "format": "uri"},
            "api_url": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "district": {
                "type": "object",
                "required": ["code", "name"],
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "year": {"type": ["integer", "null"]},
            "kind": {
                "type": "string",
                "enum": ["sme_reservation", "department", "manual"],
                "description": "department: a 主管预算单位's notice compiling its budget units' rows "
                "(部门汇总); its rows say which unit notice they were compiled from.",
            },
            "publishing_unit": {"type": "string"},
            "competent_unit": {"type": "string"},
            "published_at": {"type": "string", "format": "date-time"},
            "shortfall_explanation": {
                "type": ["string", "null"],
                "description": "未达到预留份额比例的说明, published when a threshold is missed; in a "
                "department notice its own 说明 followed by one line 单位：说明 per unit with a shortfall.",
            },
            "totals": TOTALS,
        },
    },
    "NoticeList": {
        "type": "object",
        "required": ["results", "next"],
        "properties": {
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/NoticeSummary"}},
            "next": {"type": ["string", "null"], "format": "uri"},
        },
    },
    "Row": {
        "type": "object",
        "required": ["number", "name", "code", "option", "sme_amount_wan", "small_micro_amount_wan"],
        "properties": {
            "number": {"type": "integer"},
            "name": {"type": "string"},
            "code": {"type": "string"},
            "category": {"type": ["string", "null"]},
            "option": {
                "type": "object",
                "required": ["code", "label"],
                "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
            },
            "ratio_percent": {"type": ["number", "null"]},
            "budget_amount_wan": {"type": ["number", "null"]},
            "sme_amount_wan": MONEY,
            "small_micro_amount_wan": MONEY,
            "contract_url": {"type": "string"},
            "unit": {"type": "string", "description": "The budget unit of the row."},
            "policy_verdict": {
                "type": "object",
                "description": "The row's policy verdict as stored when it was saved: status pass, "
                "shortfall (a 说明 is due) or unknown (无法判断), and the codes of the rules missed.",
                "properties": {
                    "status": {"type": ["string", "null"], "enum": ["pass", "shortfall", "unknown", None]},
                    "rules_missed": {"type": "array", "items": {"type": "string"}},
                },
            },
            "compiled_from": {
                "type": ["object", "null"],
                "description": "In a department notice: the unit's own published notice this row "
                "was copied from. The project is counted there; sum only rows where this is null to "
                "count every project once.",
                "properties": {
                    "notice_id": {"type": "string"},
                    "title": {"type": "string"},
                    "api_url": {"type": "string", "format": "uri"},
                },
            },
        },
    },
    "NoticeDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/NoticeSummary"},
            {
                "type": "object",
                "required": ["rows", "reservation_options"],
                "properties": {
                    "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                    "unit_explanations": {
                        "type": "array",
                        "description": "In a department notice: each unit's 说明 where its rows "
                        "miss a threshold.",
                        "items": {
                            "type": "object",
                            "required": ["unit", "explanation"],
                            "properties": {"unit": {"type": "string"}, "explanation": {"type": "string"}},
                        },
                    },
                    "reservation_options": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["code", "label"],
                            "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
                        },
                    },
                },
            },
        ]
    },
    "Revoked": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
    "ReleasePackage": {
        "type": "object",
        "required": ["uri", "version", "publishedDate", "publisher", "releases"],
        "properties": {
            "uri": {"type": "string", "format": "uri"},
            "version": {"const": "1.1"},
            "publishedDate": {"type": "string", "format": "date-time"},
            "publisher": {"type": "object", "required": ["name"]},
            "extensions": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "releases": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "object", "required": ["ocid", "id", "date", "tag", "initiationType"]},
            },
            "links": {"type": "object", "properties": {"next": {"type": "string", "format": "uri"}}},
        },
    },
}
