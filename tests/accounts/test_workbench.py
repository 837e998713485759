"""工作台: the header counts, 消息通知 (inbox) from workflow transitions and reminders, the home page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts import inbox
from accounts.enums import Position
from accounts.models import Message
from announcements import workflow
from announcements.enums import State
from tests import factories
from tests.announcements.workflow_factories import notice

pytestmark = pytest.mark.django_db
HOME = reverse("accounts:console")
INBOX = reverse("accounts:inbox")


def act(announcement, action, user, comment=""):
    announcement.refresh_from_db()
    return workflow.apply_action(announcement=announcement, action=action, actor=user, comment=comment)


def header_counts(html):
    """The three header badges as the page shows them (0 when a badge is absent)."""
    counts = {}
    for name, label in (("warnings", "预警"), ("todo", "待办"), ("messages", "消息")):
        marker = f'data-count="{name}">{label}'
        start = html.index(marker) + len(marker)
        chunk = html[start : html.index("</a>", start)]
        counts[name] = int(chunk.split(">")[1].split("<")[0]) if "badge" in chunk else 0
    return counts


def test_submit_stores_a_message_for_every_reviewer_with_or_without_email(
    world, django_capture_on_commit_callbacks
):
    no_mail = factories.user(
        institution=world.unit, positions=[Position.PURCHASER_REVIEWER], email="", full_name="无邮箱审核"
    )
    announcement = notice(institution=world.unit)
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "submit", world.handler)
    assert [m.to for m in mail.outbox] == [[world.reviewer.email]]
    stored = Message.objects.filter(link=f"/console/notices/{announcement.public_id}/")
    assert sorted(m.recipient.pk for m in stored) == sorted([world.reviewer.pk, no_mail.pk])
    assert {m.title for m in stored} == {f"待审核:{announcement.title}"}
    assert all(m.read_at is None for m in stored)


def test_return_tells_the_submitter_in_the_inbox_with_the_reason(world, django_capture_on_commit_callbacks):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "purchaser_return", world.reviewer, "金额有误")
    message = Message.objects.get(recipient=world.handler)
    assert announcement.title in message.title
    assert "金额有误" in message.body and world.reviewer.full_name in message.body


def test_header_counts_equal_the_lists(world, login, django_capture_on_commit_callbacks):
    for year in (2021, 2022):
        notice(institution=world.unit, year=year, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    inbox.messages_send(users=[world.reviewer], title="一", link="/console/")
    inbox.messages_send(users=[world.reviewer], title="二", link="/console/")
    inbox.messages_send(users=[world.handler], title="别人的", link="/console/")
    read = inbox.messages_send(users=[world.reviewer], title="已读", link="/console/")
    assert read == 1
    inbox.message_mark_read(user=world.reviewer, pk=Message.objects.get(title="已读").pk)
    client = login(world.reviewer)
    html = client.get(HOME).content.decode()
    assert header_counts(html) == {"warnings": 0, "todo": 2, "messages": 2}
    unread_page = client.get(INBOX + "?tab=unread").content.decode()
    assert unread_page.count('class="unread"') == 2 and "别人的" not in unread_page


def test_header_counts_cost_a_constant_number_of_queries(world, login):
    client = login(world.reviewer)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:alerts")).status_code == 200
        return len(ctx)

    notice(institution=world.unit, year=2021, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    inbox.messages_send(users=[world.reviewer], title="一")
    one = queries()
    for year in (2022, 2023, 2024):
        notice(institution=world.unit, year=year, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    for n in range(5):
        inbox.messages_send(users=[world.reviewer], title=f"m{n}")
    assert queries() == one


def test_home_page_query_count_does_not_grow(world, login):
    client = login(world.handler)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get(HOME)
        return len(ctx)

    notice(institution=world.unit, year=2021)
    inbox.messages_send(users=[world.handler], title="一", link="/console/")
    one = queries()
    for year in (2022, 2023, 2024):
        notice(institution=world.unit, year=year)
        inbox.messages_send(users=[world.handler], title=f"m{year}", link="/console/")
    assert queries() == one


def test_opening_a_message_marks_it_read_and_follows_its_link(world, login):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    link = f"/console/notices/{announcement.public_id}/"
    inbox.messages_send(users=[world.reviewer], title="待审核", link=link)
    message = Message.objects.get()
    client = login(world.reviewer)
    response = client.get(reverse("accounts:message_open", args=[message.pk]))
    assert response.status_code == 302 and response.url == link
    message.refresh_from_db()
    assert message.read_at is not None
    assert inbox.unread_count(world.reviewer) == 0


def test_another_users_message_is_not_found(world, login):
    inbox.messages_send(users=[world.handler], title="私信")
    message = Message.objects.get()
    response = login(world.reviewer).get(reverse("accounts:message_open", args=[message.pk]))
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_read_only_touches_the_users_own_messages(world, login):
    inbox.messages_send(users=[world.reviewer, world.handler], title="两人")
    inbox.messages_send(users=[world.reviewer], title="再一条")
    response = login(world.reviewer).post(reverse("accounts:inbox_mark_all_read"))
    assert response.status_code == 302
    assert inbox.unread_count(world.reviewer) == 0
    assert inbox.unread_count(world.handler) == 1


def test_messages_skip_disabled_and_duplicate_recipients(world):
    world.handler2.is_active = False
    world.handler2.save()
    stored = inbox.messages_send(users=[world.handler, world.handler, world.handler2, None], title="x")
    assert stored == 1
    assert list(Message.objects.values_list("recipient_id", flat=True)) == [world.handler.pk]


def test_purge_command_removes_messages_past_their_age(world, settings):
    settings.MESSAGE_RETENTION_DAYS = 30
    with freeze_time(timezone.now() - timedelta(days=31)):
        inbox.messages_send(users=[world.handler], title="旧")
    inbox.messages_send(users=[world.handler], title="新")
    call_command("purge_messages")
    assert list(Message.objects.values_list("title", flat=True)) == ["新"]


def test_home_page_shows_todo_messages_and_entries(world, login):
    returned = notice(institution=world.unit, year=2021, return_reason="请补充")
    inbox.messages_send(users=[world.handler], title="消息甲", link="/console/")
    html = login(world.handler).get(HOME).content.decode()
    assert "待办事项" in html and returned.title in html and "已退回" in html
    assert "消息通知" in html and "消息甲" in html
    assert "查看更多" in html and "?tab=todo" in html
    assert "其他政府采购公告" in html  # the quick entry of 项目采购经办岗
    assert "操作指南" in html


def test_home_page_lists_at_most_five_todo_items(world, login):
    for year in range(2015, 2022):
        notice(institution=world.unit, year=year)
    response = login(world.handler).get(HOME)
    assert len(response.context["todo"]) == 5


def test_workbench_pages_require_sign_in(client):
    for name in ("console", "inbox", "alerts", "sign_ins", "security"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response.url
