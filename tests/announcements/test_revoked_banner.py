"""A revoked notice says so at the top of its page, with when, why and who (not only in the flow
log); its handler has it in 待办 until it is filed again (已撤回，待重新填报), and the new draft says
why it exists."""

import pytest
from django.urls import reverse
from django.utils import timezone

from announcements import services, workflow
from announcements.enums import State

from .workflow_factories import notice

pytestmark = pytest.mark.django_db


def test_the_revoked_notice_shows_its_revocation_reason_above_the_steps(world, login):
    announcement = notice(institution=world.unit, year=2024, state=State.PUBLISHED)
    workflow.apply_action(
        announcement=announcement, action="revoke", actor=world.finance, comment="合同链接有误"
    )
    announcement.refresh_from_db()

    url = reverse("announcements:detail", args=[announcement.public_id])
    page = login(world.handler).get(url).content.decode()

    when = timezone.localtime(announcement.revoked_at).strftime("%Y-%m-%d %H:%M")
    assert f"<strong>已于{when}撤回发布。撤回原因：</strong> 合同链接有误</p>" in page
    assert page.index("revoke-reason") < page.index("workflow-steps")


def revoked(world, reason="合同链接有误"):
    announcement = notice(
        institution=world.unit, year=2024, state=State.PUBLISHED, submitted_by=world.handler
    )
    workflow.apply_action(announcement=announcement, action="revoke", actor=world.finance, comment=reason)
    announcement.refresh_from_db()
    return announcement


def detail(announcement):
    return reverse("announcements:detail", args=[announcement.public_id])


def test_the_revoked_notice_says_who_revoked_it_and_offers_to_file_it_again(world, login):
    announcement = revoked(world)
    page = login(world.handler).get(detail(announcement)).content.decode()
    banner = page[page.index('id="revocation"') : page.index("workflow-steps")]
    assert "撤回人：财政甲（普陀区财政局）" in banner
    assert "已撤回，待重新填报：请重新填报，更正后再次提交审核。" in banner
    assert f'action="/console/notices/{announcement.public_id}/refile/"' in banner

    new = services.announcement_refile(announcement=announcement, user=world.handler)
    page = login(world.handler).get(detail(announcement)).content.decode()
    banner = page[page.index('id="revocation"') : page.index("workflow-steps")]
    assert f'已重新填报：<a href="{detail(new)}">{new.title}</a>' in banner
    assert "待重新填报" not in banner


def todo_titles(client):
    home = client.get(reverse("accounts:console")).content.decode()
    return home[home.index('id="todo-h"') : home.index('id="msg-h"')]


def test_the_handler_has_a_todo_until_the_year_is_filed_again(world, login):
    announcement = revoked(world)
    client = login(world.handler)

    todo = todo_titles(client)
    assert f'<a href="{detail(announcement)}">{announcement.title}</a>' in todo
    assert "已撤回，待重新填报" in todo
    listed = client.get(reverse("announcements:list") + "?tab=todo").content.decode()
    assert "已撤回，待重新填报" in listed and "重新填报</button>" in listed

    new = services.announcement_refile(announcement=announcement, user=world.handler)
    todo = todo_titles(client)
    assert f'<a href="{detail(new)}">' in todo and "已撤回，待重新填报" in todo  # the new draft
    assert f'<a href="{detail(announcement)}">' not in todo  # the revoked one is done with

    workflow.apply_action(announcement=new, action="submit", actor=world.handler)
    assert "已撤回，待重新填报" not in todo_titles(client)


def test_nobody_else_is_asked_to_file_it_again(world, login):
    revoked(world)
    for user in (world.finance, world.reviewer, world.other_handler):
        assert "已撤回，待重新填报" not in todo_titles(login(user))


def test_the_new_draft_says_why_it_exists_on_its_edit_page(world, login):
    announcement = revoked(world, reason="社区活动室设备采购的采购金额填报有误")
    new = services.announcement_refile(announcement=announcement, user=world.handler)

    page = login(world.handler).get(reverse("announcements:edit", args=[new.public_id])).content.decode()
    when = timezone.localtime(announcement.revoked_at).strftime("%Y-%m-%d %H:%M")
    banner = page[page.index('id="refiled-from"') : page.index('id="notice-form"')]
    assert "本公告为重新填报。" in banner
    assert f"原公告已于{when}由财政甲撤回发布。" in banner
    assert "撤回原因： 社区活动室设备采购的采购金额填报有误" in banner
    assert f'<a href="{detail(announcement)}">查看已撤回的公告</a>' in banner
