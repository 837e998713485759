"""Chinese text on the pages and in the import template uses full-width punctuation, also where a
label is joined with a name or two sentences are joined (“员工详情：周小雨”, “岗位：…；单项权限：…”)."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Position
from accounts.services import staff_set_positions
from reservations import excel

pytestmark = pytest.mark.django_db

# A half-width colon, semicolon or parenthesis right after a Chinese character.
HALF_WIDTH_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff][:;()]")


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_staff_pages_join_label_and_name_with_a_full_width_colon(world, login):
    client = login(world.admin)
    pk = world.handler.pk

    detail = _text(client.get(reverse("accounts:staff_detail", args=[pk])))
    reset = _text(client.get(reverse("accounts:staff_reset_password", args=[pk])))
    edit = _text(client.get(reverse("accounts:staff_update", args=[pk])))

    assert "员工详情：经办人甲" in detail
    assert "重置密码：经办人甲" in reset
    assert f"账号：{world.handler.username}" in edit
    for page in (detail, reset, edit):
        assert HALF_WIDTH_AFTER_CHINESE.findall(page) == []


def test_the_staff_history_joins_positions_and_permissions_with_a_full_width_semicolon(world, login):
    staff_set_positions(actor=world.admin, staff=[world.handler2], positions=[Position.HANDLER], perms=[])

    detail = _text(login(world.admin).get(reverse("accounts:staff_detail", args=[world.handler2.pk])))

    assert "岗位：项目采购经办岗；单项权限：无" in detail


def test_the_import_templates_instructions_write_a_plain_percent_sign():
    notes = load_workbook(io.BytesIO(excel.template_workbook())).worksheets[1]
    text = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)

    assert "40%预留比例" in text and "%%" not in text
