"""Helpers for the drafting tests: a draft notice, typed rows, spreadsheets built in memory."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from announcements.enums import PublishMode
from announcements.services import announcement_create_sme
from reservations import excel

LINK = "https://www.zfcg.sh.gov.cn/contract/{}"


def row(n=1, **overrides) -> dict:
    data = {
        "name": f"项目{n}",
        "code": f"SHXM-{n:04d}",
        "category": "services",
        "option": "whole",
        "ratio": Decimal("100"),
        "budget_amount": Decimal("100"),
        "sme_amount": Decimal("100"),
        "small_micro_amount": Decimal("80"),
        "contract_url": LINK.format(n),
    }
    data.update(overrides)
    return data


def draft(user, year=2025):
    return announcement_create_sme(
        user=user, district=user.institution.district, year=year, publish_mode=PublishMode.ON_APPROVAL
    )


def xlsx(lines, headers=None, name="rows.xlsx") -> SimpleUploadedFile:
    """An .xlsx upload: a header row (the template's by default) and `lines` of cell values."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers if headers is not None else excel.headers())
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=excel.XLSX_CONTENT_TYPE)


def line(n=1, **overrides) -> list:
    """One spreadsheet line as a user would type it (Chinese labels, numbers as numbers)."""
    values = {
        "number": n,
        "name": f"导入项目{n}",
        "code": f"IMP-{n}",
        "category": "服务",
        "option": "设置专门采购包",
        "ratio": 40,
        "budget": 500,
        "sme": 200.5,
        "small_micro": 150.25,
        "link": LINK.format(f"imp{n}"),
    }
    values.update(overrides)
    return list(values.values())
