"""Each list row is the template's `row` partial, drawn once per process and language: what a
reader sees must not depend on which search or language drew the row first."""

import pytest
from django.utils import translation

from announcements.selectors import announcements_published
from public import rendering
from public.rendering import LIST_COLUMNS, district_names, list_rows, render_rows
from public.search import keyword_filter
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


def rows_for(keyword):
    queryset = announcements_published().order_by("-published_at", "-id")
    notices = list(keyword_filter(queryset, keyword).values_list(*LIST_COLUMNS, "search_text", named=True))
    return str(render_rows(list_rows(notices, district_names(None), keyword=keyword)))


def test_row_memo_shows_each_search_its_own_highlight(world):
    make_notice(institution=world.unit, title="保洁公告", rows=[("物业保洁服务", "1", "1")])

    first = rows_for("物业")
    second = rows_for("保洁服务")
    again = rows_for("物业")

    assert "匹配：<mark>物业</mark>保洁服务" in first
    assert "<mark>保洁服务</mark>" in second and "<mark>物业</mark>" not in second
    assert again == first


def test_row_memo_draws_a_row_once_and_keeps_languages_apart(world, monkeypatch):
    make_notice(institution=world.unit, title="保洁公告", rows=[("物业保洁服务", "1", "1")])
    drawn = []
    draw = rendering._render_row
    monkeypatch.setattr(rendering, "_render_row", lambda row: drawn.append(row) or draw(row))

    chinese = [rows_for("物业") for _ in range(3)]
    with translation.override("en"):
        english = rows_for("物业")

    assert len(drawn) == 2  # once in Chinese, once in English
    assert chinese[0] == chinese[2] and "匹配：" in chinese[0]
    assert "Matched:" in english and "匹配：" not in english


def test_row_memo_is_forgotten_on_publication(world):
    from accounts.memos import forget_published

    make_notice(institution=world.unit, title="保洁公告")
    rows_for("保洁")

    forget_published()

    assert rendering._row_html == {}
