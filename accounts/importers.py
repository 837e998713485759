"""批量新增: staff from an xlsx (姓名, 账号, 绑定手机, 部门/职务, 岗位), all or nothing.

Three phases (pretix): read every row and validate it through the same form as 新增/邀请 plus
the positions against the institution's kind, collecting (row, column, message); if any row
fails nothing is saved and the errors are shown; otherwise every account is created with its
positions and an invitation in one transaction.
"""

import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .departments import DepartmentError, department_by_name
from .enums import POSITION_GROUP_NAMES, Position
from .forms.security import StaffInviteForm
from .invitations import staff_invite
from .models import User
from .rules import position_fits_institution
from .services import staff_set_positions
from .workbooks import WorkbookRefused, deadline_after, sheet_rows, workbook_bytes, workbook_open

COLUMNS = ("姓名", "账号", "绑定手机", "部门/职务", "岗位")
FIELDS = {"姓名": "full_name", "账号": "username", "绑定手机": "phone"}
MAX_ROWS = 500
POSITION_BY_NAME = {name: position for position, name in POSITION_GROUP_NAMES.items()}
SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass
class ImportResult:
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    created: list[tuple[User, str]] = field(default_factory=list)  # (user, invitation token)


def template_workbook() -> bytes:
    """The template to download: the header row, and an example on a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "员工"
    sheet.append(COLUMNS)
    for column, width in zip("ABCDE", (12, 18, 14, 20, 28), strict=True):
        sheet.column_dimensions[column].width = width
    example = book.create_sheet("填写说明")
    example.append(COLUMNS)
    example.append(("张三", "zhangsan01", "13800000000", "办公室/科员", "项目采购经办岗、采购人审核岗"))
    example.append(("说明：第一张表从第二行起每行一人；账号用于登录，不可重复；岗位可填多个，用顿号分隔。",))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number
    return str(value).strip()


def _read_rows(upload) -> tuple[list[tuple[int, dict]], list[tuple[int, str, str]]]:
    # This runs inside the request: the one workbook opener bounds it (unpacked size, rows
    # counted empty or not, columns, IMPORT_REQUEST_TIME_LIMIT_SECONDS). A read-only workbook
    # parses each sheet's XML while its rows are read, so a damaged sheet (truncated XML, entity
    # bombs stopped by the parser) fails there, not at loading: the same answer, never a 500.
    try:
        content = workbook_bytes(upload, max_unpacked=settings.STAFF_IMPORT_MAX_UNPACKED_BYTES)
        book = workbook_open(content)
        try:
            return _read_rows_of(book)
        finally:
            book.close()
    except WorkbookRefused as refused:
        return [], [(0, "", str(refused))]
    except Exception:  # noqa: BLE001 - any unreadable upload is the same answer to the user
        return [], [(0, "", _("The file is damaged or is not a valid Excel file: use the template."))]


def _read_rows_of(book) -> tuple[list[tuple[int, dict]], list[tuple[int, str, str]]]:
    sheet = book.worksheets[0]
    rows = sheet_rows(
        sheet,
        values_only=True,
        # the header, MAX_ROWS people and as many empty rows between them
        max_rows=2 * MAX_ROWS + 1,
        max_columns=len(COLUMNS) + 5,
        deadline=deadline_after(settings.IMPORT_REQUEST_TIME_LIMIT_SECONDS),
    )
    header = [_text(v) for v in next(rows, ())]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [(1, "、".join(missing), _("The header row lacks these columns: use the template."))]
    index = {c: header.index(c) for c in COLUMNS}
    found = []
    for number, values in enumerate(rows, start=2):
        values = list(values) + [None] * len(header)
        record = {c: _text(values[index[c]]) for c in COLUMNS}
        if any(record.values()):
            found.append((number, record))
        if len(found) > MAX_ROWS:
            return [], [(number, "", _("At most %(n)s staff per file.") % {"n": MAX_ROWS})]
    if not found:
        return [], [(2, "", _("The file has no staff rows."))]
    return found, []


def staff_import(*, actor: User, upload) -> ImportResult:
    """Validate every row; save all of them (accounts, positions, invitations) or none."""
    result = ImportResult()
    if upload.size > settings.IMPORT_MAX_BYTES:
        result.errors.append((0, "", _("The file is too large.")))
        return result
    rows, result.errors = _read_rows(upload)
    seen: dict[str, int] = {}
    valid = []
    institution = actor.institution
    for number, record in rows:
        data = {FIELDS[c]: record[c] for c in FIELDS}
        # 部门/职务 as 办公室/科员: the department must exist (部门管理); the job title is free text.
        department_name, _slash, data["title"] = record["部门/职务"].partition("/")
        try:
            department = department_by_name(institution=institution, name=department_name)
        except DepartmentError as error:
            result.errors.extend((number, "部门/职务", m) for m in error.messages)
            department = None
        data["department"] = department.pk if department else ""
        form = StaffInviteForm(data, institution=institution)
        if not form.is_valid():
            column_of = {v: k for k, v in FIELDS.items()} | {"department": "部门/职务", "title": "部门/职务"}
            for name, messages in form.errors.items():
                result.errors.extend((number, column_of.get(name, ""), m) for m in messages)
        username = record["账号"]
        if username and username in seen:
            result.errors.append(
                (number, "账号", _("The same account is on row %(row)s.") % {"row": seen[username]})
            )
        seen.setdefault(username, number)
        positions = []
        for name in filter(None, SEPARATORS.split(record["岗位"])):
            position = POSITION_BY_NAME.get(name)
            if position is None:
                # Say what the cell held and what may be written instead: a guess needs no manual.
                writable = "、".join(
                    label
                    for pos, label in POSITION_GROUP_NAMES.items()
                    if position_fits_institution(pos, institution)
                )
                message = _(
                    "Unknown position: %(name)s (the cell reads “%(cell)s”). "
                    "Positions you can write: %(valid)s."
                )
                result.errors.append(
                    (number, "岗位", message % {"name": name, "cell": record["岗位"], "valid": writable})
                )
            elif not position_fits_institution(position, institution):
                result.errors.append(
                    (
                        number,
                        "岗位",
                        _("%(name)s cannot be granted in an institution of this kind.") % {"name": name},
                    )
                )
            elif position not in positions:
                positions.append(position)
        valid.append((number, form.cleaned_data if form.is_valid() else None, positions))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, data, positions in valid:  # noqa: B007 - the failing row, below
                user, token = staff_invite(actor=actor, **data)
                if positions:
                    staff_set_positions(actor=actor, staff=[user], positions=[Position(p) for p in positions])
                result.created.append((user, token))
    except ValidationError as error:
        # Another admin created one of these accounts since the rows were checked: nothing saved.
        result.created = []
        for name, messages in error.message_dict.items():
            column = {v: k for k, v in FIELDS.items()}.get(name, "")
            result.errors.extend((number, column, m) for m in messages)
    return result
