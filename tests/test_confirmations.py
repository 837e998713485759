"""Actions that cannot be taken back ask first (static/js/confirm.js reads data-confirm): 替换现有明细
of a notice with saved rows, 停用 of a colleague and of a department."""

import html
import re

import pytest
from django.urls import reverse

from accounts.departments import department_create
from announcements.services import announcement_rows_import
from tests import drafting_support as S

pytestmark = pytest.mark.django_db


def _confirmations(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'data-(?:replace-)?confirm="([^"]*)"', page)]


def test_replacing_saved_rows_asks_first_and_says_how_many_go(world, login):
    notice = S.draft(world.handler)
    client = login(world.handler)
    url = reverse("announcements:import_rows", args=[notice.public_id])
    assert _confirmations(client.get(url).content.decode()) == []  # nothing saved: nothing to lose

    announcement_rows_import(announcement=notice, user=world.handler, rows=[S.row(1), S.row(2)], replace=True)
    page = client.get(url).content.decode()

    assert _confirmations(page) == ["本公告已保存的2行明细将全部删除，替换为文件中的明细。"]
    assert 'data-confirm-title="替换现有明细"' in page and 'data-confirm-ok="替换"' in page


def test_disabling_a_colleague_asks_first(world, login):
    page = login(world.admin).get(reverse("accounts:staff_detail", args=[world.handler.pk])).content.decode()

    assert "停用后经办人甲不能登录，直到再次启用。" in _confirmations(page)


def test_disabling_a_department_asks_first(world, login):
    department_create(actor=world.admin, name="采购科")

    page = login(world.admin).get(reverse("accounts:department_list")).content.decode()

    assert "停用后，新增或编辑员工时不再提供部门“采购科”；已在该部门的员工不受影响。" in _confirmations(page)
