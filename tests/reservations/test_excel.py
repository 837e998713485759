"""Excel: the template, export → import round trip, formula injection, bad spreadsheets."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from reservations import excel
from reservations.services import report_create, report_rows_save
from tests import drafting_support as S


def test_template_has_headers_drop_downs_and_instructions():
    workbook = load_workbook(io.BytesIO(excel.template_workbook()))
    rows, notes = workbook.worksheets
    assert [c.value for c in rows[1]] == [
        "序号", "项目名称", "项目编号", "项目属性", "预留选项", "预留比例（%）", "项目预算金额（万元）",
        "面向中小企业采购金额（万元）", "其中面向小微企业采购金额（万元）", "合同链接",
        "采购日期或合同签订日期",
    ]  # fmt: skip
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in rows.data_validations.dataValidation}
    assert lists["E2"] == '"采购项目整体预留,设置专门采购包,要求以联合体形式参加,要求合同分包"'
    assert lists["D2"] == '"货物,工程,服务"'
    assert notes.title == "填写说明" and "导入模板" in notes["A1"].value


def test_read_rows_accepts_labels_and_converts_floats_exactly():
    result = excel.read_rows(
        S.xlsx([S.line(1, sme=0.1, small_micro=0.07), S.line(2, option="采购项目整体预留", ratio=None)])
    )
    assert result.errors == []
    first, second = result.rows
    assert (first["option"], first["category"], first["sme_amount"], first["small_micro_amount"]) == (
        "dedicated_lot", "services", Decimal("0.1"), Decimal("0.07"),
    )  # fmt: skip
    assert (second["option"], second["ratio"]) == ("whole", Decimal("100"))


@pytest.mark.django_db
def test_export_then_import_gives_the_same_rows(world):
    report = report_create(institution=world.unit, year=2025)
    typed = [
        S.row(1, category="goods", budget_amount=Decimal("180.5")),
        S.row(
            2,
            option="subcontract",
            ratio=Decimal("35.5"),
            budget_amount=Decimal("3500"),
            sme_amount=Decimal("1234.567891"),
            small_micro_amount=Decimal("0"),
        ),
        S.row(
            3,
            name='=HYPERLINK("http://x")',
            code="+86-21",
            category="works",
            option="consortium",
            ratio=Decimal("30"),
            procurement_date=date(2022, 8, 1),
        ),
    ]
    report_rows_save(report=report, rows=typed)
    content = excel.rows_workbook(report=report, title="标题", exported_on=date(2026, 1, 5))
    result = excel.read_rows(SimpleUploadedFile("export.xlsx", content))
    assert result.errors == []
    fields = list(S.row()) + ["procurement_date"]
    stored = [{f: getattr(r, f) for f in fields} for r in report.rows.all()]
    imported = [{f: (v if v not in (None,) else None) for f, v in r.items()} for r in result.rows]
    for row in imported:
        row["code"], row["category"] = row["code"] or "", row["category"] or ""
    assert imported == stored


@pytest.mark.django_db
def test_export_writes_formula_like_cells_as_text_and_strips_illegal_chars(world):
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(report=report, rows=[S.row(1, name="=1+2", code="@SUM(A1)\x07")])
    sheet = load_workbook(
        io.BytesIO(excel.rows_workbook(report=report, title="t", exported_on=date.today()))
    ).active
    assert sheet["B2"].value == "=1+2" and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == "@SUM(A1)" and sheet["C2"].data_type == "s"
    totals = load_workbook(
        io.BytesIO(excel.rows_workbook(report=report, title="t", exported_on=date.today()))
    )["合计"]
    assert [c.value for c in totals["B"]][3:6] == [100, 80, "80.00"]


def error_table(upload):
    return [(e.row, e.column, e.value, e.message) for e in excel.read_rows(upload).errors]


def test_bad_rows_are_all_listed_with_row_column_value_and_reason():
    upload = S.xlsx([
        S.line(1, sme="一百"),
        S.line(2, sme=-5),
        S.line(3, ratio=150),
        S.line(4, ratio=None),
        S.line(5, small_micro=300),
        S.line(6),
    ])  # fmt: skip
    assert error_table(upload) == [
        (2, "面向中小企业采购金额（万元）", "一百", "“一百”不是数字：请只填写数字，最多一个小数点。"),
        (3, "面向中小企业采购金额（万元）", "-5", "面向中小企业采购金额须大于0。"),
        (4, "预留比例（%）", "150", "预留比例须大于0且不超过100。"),
        (5, "预留比例（%）", "空", "请填写预留比例：除采购项目整体预留外均须填写。"),
        (
            6,
            "其中面向小微企业采购金额（万元）",
            "300",
            "面向小微企业采购金额不能超过面向中小企业采购金额。",
        ),
    ]


def with_cached_formulas(upload, cells: dict) -> SimpleUploadedFile:
    """`upload` with formulas whose last computed values are cached, as Excel saves them
    (openpyxl writes formulas without values): {"H2": ("G2*0.40408", "60.20399999999999")}."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, (formula, value) in cells.items():
                    text = re.sub(
                        rf'<c r="{ref}"[^>]*>.*?</c>',
                        f'<c r="{ref}"><f>{formula}</f><v>{value}</v></c>',
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return SimpleUploadedFile("formulas.xlsx", out.getvalue())


def test_numbers_computed_by_formulas_round_to_the_fen():
    upload = with_cached_formulas(
        S.xlsx([S.line(1, budget=149, sme=0, small_micro=0)]),
        {"H2": ("G2*0.40405369", "60.20399999999999"), "I2": ("H2*0.7", "42.14279999999999")},
    )
    result = excel.read_rows(upload)
    assert result.errors == []
    assert (result.rows[0]["sme_amount"], result.rows[0]["small_micro_amount"]) == (
        Decimal("60.204"), Decimal("42.1428"),
    )  # fmt: skip


def test_a_typed_number_finer_than_the_fen_is_still_refused_with_its_value():
    assert error_table(S.xlsx([S.line(1, sme=1.0000001)]))[0][2] == "1.0000001"


def test_a_ratio_formatted_as_a_percentage_reads_as_percent():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(excel.headers())
    sheet.append(S.line(1, ratio=0.3))
    sheet["F2"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = excel.read_rows(SimpleUploadedFile("p.xlsx", buffer.getvalue()))
    assert result.errors == [] and result.rows[0]["ratio"] == Decimal("30")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: S.xlsx([S.line(1)], headers=["名称", "金额"]), "表头与导入模板不一致"),
        (
            lambda: SimpleUploadedFile("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
            "不是Excel .xlsx",
        ),
        (lambda: SimpleUploadedFile("fake.xlsx", b"PK\x03\x04 not really a zip"), "不是Excel .xlsx"),
        (lambda: SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024)), "超过5MB"),
        (lambda: S.xlsx([]), "没有数据行"),
    ],
)
def test_bad_files_give_a_clear_message(upload, message):
    with pytest.raises(excel.SpreadsheetError) as caught:
        excel.read_rows(upload())
    assert message in str(caught.value)


def test_zip_bomb_refused_before_parsing(settings):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (101 * 1024 * 1024))
    with pytest.raises(excel.SpreadsheetError) as caught:
        excel.read_rows(SimpleUploadedFile("bomb.xlsx", buffer.getvalue()))
    assert "解压后过大" in str(caught.value)


def test_a_sheet_from_the_older_template_without_the_date_column_is_read():
    result = excel.read_rows(S.xlsx([S.line(1)], headers=excel.headers()[:-1]))
    assert result.errors == [] and result.rows[0]["procurement_date"] is None
