"""其他政府采购公告: tabs, filters, columns, row actions, header counter, constant query count."""

import pytest
from django.urls import reverse

from announcements import hooks
from announcements.enums import State

from .workflow_factories import notice

LIST = reverse("announcements:list")


def rows_of(response):
    return [row.record.title for row in response.context["table"].paginated_rows]


def test_list_requires_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_todo_tab_shows_what_the_user_can_act_on(world, login):
    draft = notice(institution=world.unit, year=2021)
    in_review = notice(
        institution=world.unit, year=2022, state=State.PURCHASER_REVIEW, submitted_by=world.handler
    )
    at_finance = notice(
        institution=world.unit, year=2023, state=State.FINANCE_REVIEW, submitted_by=world.handler
    )
    notice(
        institution=world.outsider,
        year=2022,
        state=State.PURCHASER_REVIEW,
        submitted_by=world.outsider_handler,
    )

    assert rows_of(login(world.handler).get(LIST)) == [draft.title]
    assert rows_of(login(world.reviewer).get(LIST)) == [in_review.title]
    assert rows_of(login(world.finance).get(LIST)) == [at_finance.title]
    assert rows_of(login(world.qp_finance).get(LIST)) == []


def test_all_tab_shows_everything_the_user_may_see_and_nothing_else(world, login):
    own = [notice(institution=world.unit, year=y) for y in (2021, 2022)]
    notice(institution=world.outsider, year=2022)
    titles = rows_of(login(world.reviewer).get(LIST, {"tab": "all"}))
    assert sorted(titles) == sorted(n.title for n in own)


def test_filters_by_title_state_type_and_year(world, login):
    a = notice(institution=world.unit, year=2021)
    b = notice(institution=world.unit, year=2022, state=State.PUBLISHED, submitted_by=world.handler)
    client = login(world.handler)
    assert rows_of(client.get(LIST, {"tab": "all", "state": "published"})) == [b.title]
    assert rows_of(client.get(LIST, {"tab": "all", "year": "2021"})) == [a.title]
    assert rows_of(client.get(LIST, {"tab": "all", "title": "2022年"})) == [b.title]
    assert rows_of(client.get(LIST, {"tab": "all", "kind": "manual"})) == []


def test_ten_per_page_with_total_count(world, login):
    for year in range(2000, 2012):
        notice(institution=world.unit, year=year)
    response = login(world.handler).get(LIST, {"tab": "all"})
    page = response.content.decode()
    assert len(rows_of(response)) == 10
    assert "共有12条" in page or "12 items in total" in page


def test_row_actions_per_role_and_state(world, login):
    published = notice(institution=world.unit, year=2021, state=State.PUBLISHED, submitted_by=world.handler)
    review = notice(
        institution=world.unit, year=2022, state=State.PURCHASER_REVIEW, submitted_by=world.handler
    )
    finance_page = login(world.finance).get(LIST, {"tab": "all"}).content.decode()
    assert f"{reverse('announcements:detail', args=[published.public_id])}#action-revoke" in finance_page
    reviewer_page = login(world.reviewer).get(LIST).content.decode()
    assert reverse("announcements:detail", args=[review.public_id]) in reviewer_page
    assert "审批" in reviewer_page or "Review" in reviewer_page
    handler_page = login(world.handler).get(LIST, {"tab": "all"}).content.decode()
    assert reverse("announcements:action", args=[review.public_id, "withdraw"]) in handler_page


def test_deadline_column_uses_the_hook_once_per_page(world, login, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    calls = []

    def provider(pairs):
        calls.append(pairs)
        return {p: datetime(2025, 7, 15, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai")) for p in pairs}

    monkeypatch.setattr(hooks, "_deadline_provider", provider)
    for year in (2021, 2022, 2023):
        notice(institution=world.unit, year=year)
    page = login(world.handler).get(LIST, {"tab": "all"}).content.decode()
    assert page.count("2025-07-15 23:59:59") == 3
    assert len(calls) == 1


def test_header_shows_the_todo_count(world, login):
    notice(institution=world.unit, year=2021, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    notice(institution=world.unit, year=2022, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    page = login(world.reviewer).get(reverse("accounts:console")).content.decode()
    assert (
        '<span class="badge" title="待办">2</span>' in page
        or '<span class="badge" title="To-do">2</span>' in page
    )


def test_add_button_only_for_handlers(world, login):
    assert 'id="create-notice"' in login(world.handler).get(LIST).content.decode() or not _create_exists()
    assert 'id="create-notice"' not in login(world.reviewer).get(LIST).content.decode()


def _create_exists():
    from django.urls import NoReverseMatch

    try:
        reverse("announcements:create")
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize("tab", ["all", "todo"])
def test_list_query_count_does_not_grow_with_notices(world, login, django_assert_max_num_queries, tab):
    client = login(world.finance)
    notice(institution=world.unit, year=1990, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    with django_assert_max_num_queries(1000) as one:
        client.get(LIST, {"tab": tab})
    for year in range(1991, 2020):
        notice(institution=world.unit, year=year, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(LIST, {"tab": tab})
    assert len(rows_of(response)) == 10
