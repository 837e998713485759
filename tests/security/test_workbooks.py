"""Every import opens workbooks the same bounded way: a declared dimension of a million rows, empty
rows, a part that unpacks to far more than the upload, or a slow read are refused with a message
in seconds; and Hypothesis-made workbooks (dimensions, sizes, shared strings, formulas) are read
or refused, never a crash."""

import io
import re
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts import importers
from reservations import excel
from reservations.excel import SpreadsheetError

FUZZ = hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SHEET = "xl/worksheets/sheet1.xml"
NO_ROWS = "文件表头下没有数据行。"


def _rebuilt(content: bytes, change, *, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with its first sheet's XML changed (and parts added)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, change(data) if item.filename == SHEET else data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _far_row(xml: bytes, *, dimension: str = "A1:XFD1048576", row: int = 1048576) -> bytes:
    xml = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), xml)
    return xml.replace(b"</sheetData>", f'<row r="{row}"><c r="A{row}"/></row></sheetData>'.encode())


def _staff_template() -> bytes:
    return importers.template_workbook()


# --- the reproductions ----------------------------------------------------------------------------


@pytest.mark.parametrize("row", [10_000, 1_048_576])
def test_a_rows_sheet_claiming_every_column_and_a_far_row_is_refused_in_seconds(row):
    content = _rebuilt(excel.template_workbook(), lambda xml: _far_row(xml, row=row))
    started = time.monotonic()

    with pytest.raises(SpreadsheetError) as refused:
        excel.read_content(content)

    assert str(refused.value) == (NO_ROWS if row < 20_001 else "文件超过20001行。")
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_a_staff_sheet_with_a_far_row_is_refused_in_the_request_in_seconds(world):
    content = _rebuilt(_staff_template(), _far_row)
    started = time.monotonic()

    result = importers.staff_import(actor=world.admin, upload=SimpleUploadedFile("staff.xlsx", content))

    assert result.errors == [(0, "", "文件超过1001行。")]
    assert time.monotonic() - started < 5
    assert result.created == []


@pytest.mark.django_db
def test_a_staff_workbook_unpacking_far_past_its_size_is_refused(world, settings):
    bomb = b"0" * (settings.STAFF_IMPORT_MAX_UNPACKED_BYTES + 1)
    content = _rebuilt(_staff_template(), lambda xml: xml, extra={"xl/media/padding.bin": bomb})

    result = importers.staff_import(actor=world.admin, upload=SimpleUploadedFile("staff.xlsx", content))

    assert len(content) < 100_000
    assert result.errors == [(0, "", "工作簿解压后过大，请只保留明细工作表。")]


def test_a_rows_workbook_unpacking_past_the_limit_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    content = _rebuilt(
        excel.template_workbook(), lambda xml: xml, extra={"xl/media/padding.bin": b"0" * 2_000_000}
    )

    with pytest.raises(SpreadsheetError) as refused:
        excel.read_rows(SimpleUploadedFile("rows.xlsx", content))

    assert str(refused.value) == "工作簿解压后过大，请只保留明细工作表。"


def test_empty_rows_count_toward_the_sheet_limit(settings):
    settings.IMPORT_MAX_SHEET_ROWS = 50

    def padded(xml):
        rows = "".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t> </t></is></c></row>' for r in range(2, 80)
        )
        return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    with pytest.raises(SpreadsheetError) as refused:
        excel.read_content(_rebuilt(excel.template_workbook(), padded))

    assert str(refused.value) == "文件超过50行。"


def test_an_import_past_its_time_limit_is_refused_with_a_message(settings):
    settings.IMPORT_TIME_LIMIT_SECONDS = 0

    def many(xml):
        rows = "".join(
            f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(2, 200)
        )
        return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    with pytest.raises(SpreadsheetError) as refused:
        excel.read_content(_rebuilt(excel.template_workbook(), many))

    assert str(refused.value) == "读取文件超时：请只保留明细工作表，并删除空行。"


# --- Hypothesis: made-up workbooks ---------------------------------------------------------------

# Text a worksheet can hold (XML 1.0 forbids most control characters).
_text = st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=30)
_cells = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    _text,
    st.sampled_from(["=1/0", "=SUM(A1:A2)", "=A1", "+1", "-1", "@x", "=" + "A" * 200]),
)


@st.composite
def _workbooks(draw) -> bytes:
    book = Workbook()
    sheet = book.active
    if draw(st.booleans()):
        sheet.append(excel.headers())
    for _row in range(draw(st.integers(0, 30))):
        sheet.append(draw(st.lists(_cells, max_size=draw(st.integers(0, 40)))))
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    last_column = draw(st.sampled_from(["A", "Q", "XFD", "ZZZZ", ""]))
    last_row = draw(st.sampled_from([1, 10_000, 1_048_576, 10**12, 0]))
    far_row = draw(st.sampled_from([None, 100, 30_000, 1_048_576]))

    def change(xml):
        xml = re.sub(
            rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_column}{last_row}"/>'.encode(), xml
        )
        if far_row:
            xml = xml.replace(
                b"</sheetData>", f'<row r="{far_row}"><c r="A{far_row}"/></row></sheetData>'.encode()
            )
        return xml

    strings = draw(st.lists(_text, max_size=20))
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(
            f"<si><t>{s.encode('ascii', 'xmlcharrefreplace').decode()}</t></si>"
            for s in strings
            if "<" not in s and "&" not in s
        )
        + "</sst>"
    )
    extra = {"xl/sharedStrings.xml": shared.encode()} if draw(st.booleans()) else {}
    return _rebuilt(content, change, extra=extra)


@FUZZ
@given(content=_workbooks())
def test_made_up_rows_workbooks_are_read_or_refused_in_seconds(content, settings):
    # A lower sheet limit than production keeps a hundred examples quick; the far rows still pass it.
    settings.IMPORT_MAX_SHEET_ROWS = 2_000
    started = time.monotonic()

    try:
        result = excel.read_content(content)
    except SpreadsheetError as refused:
        assert str(refused)
    else:
        assert isinstance(result.rows, list) and isinstance(result.errors, list)
    assert time.monotonic() - started < 5


@pytest.mark.django_db
@FUZZ
@given(content=_workbooks())
def test_made_up_staff_workbooks_are_read_or_refused_in_seconds(world, content):
    started = time.monotonic()

    result = importers.staff_import(actor=world.admin, upload=SimpleUploadedFile("staff.xlsx", content))

    assert result.errors or result.created
    assert all(isinstance(message, str) and message for _row, _column, message in result.errors)
    assert time.monotonic() - started < 5
