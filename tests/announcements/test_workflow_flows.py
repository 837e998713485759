"""Review flows as data: the permission table generated from flow shapes (one step, three steps,
a 会签 of two, a conditional step skipped and taken), every role × step × action through the
service, with its side effects (log rows, in-app messages and mails); the path and the
当前步审核人 line on 公告详情; flows nobody could complete refused; a submit to a step nobody
holds refused with what to do; 流程管理 in the browser's place (HTTP)."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.enums import Position
from accounts.models import Message
from announcements import workflow
from announcements import workflow_flows as flows
from announcements.enums import State, StepActor, StepCondition, StepMode
from announcements.models import Announcement, FlowLogEntry, FlowVersion
from announcements.selectors import review_queue
from tests import factories as F

from .workflow_factories import add_row, notice

INST = StepActor.POSITION


def spec(name, *, position="", users=(), mode=StepMode.ANY, **extra):
    actor = StepActor.NAMED if users else StepActor.POSITION
    return flows.StepSpec(name=name, actor=actor, position=position, users=list(users), mode=mode, **extra)


@pytest.fixture
def people(world):
    world.chief = F.user(institution=world.unit, full_name="科长甲", email="chief@example.cn")
    world.leader = F.user(institution=world.unit, full_name="单位负责人", email="leader@example.cn")
    world.finance2 = F.user(
        institution=world.putuo_finance, positions=[Position.FINANCE_REVIEWER], full_name="财政乙"
    )
    return world


SHAPES = {
    # Only the finance bureau's step: the institution keeps no step of its own.
    "one_step": lambda w: ([], [spec("财政审核", position=Position.FINANCE_REVIEWER)]),
    "three_steps": lambda w: (
        [spec("科室负责人审核", users=[w.chief]), spec("采购人初审", position=Position.PURCHASER_REVIEWER)],
        [spec("财政审核", position=Position.FINANCE_REVIEWER)],
    ),
    "countersign_of_two": lambda w: (
        [spec("采购人初审", position=Position.PURCHASER_REVIEWER)],
        [spec("财政会签", users=[w.finance, w.finance2], mode=StepMode.ALL)],
    ),
    "conditional": lambda w: (
        [
            spec("采购人初审", position=Position.PURCHASER_REVIEWER),
            spec(
                "单位负责人审批",
                users=[w.leader],
                condition=StepCondition.TOTAL_EXCEEDS,
                amount=Decimal("1000"),
            ),
        ],
        [spec("财政审核", position=Position.FINANCE_REVIEWER)],
    ),
}
ROLES = ("handler", "handler2", "reviewer", "chief", "leader", "admin", "finance", "finance2", "qp_finance")

# For each shape (and whether the notice's total exceeds 1000 yuan): the steps in order, each with
# who may approve it (everyone with a return button too), the approvals that complete it, and the
# state the notice is in while it waits there.
WALKS = {
    ("one_step", False): [("财政审核", State.FINANCE_REVIEW, {"finance", "finance2"}, ["finance"])],
    ("three_steps", False): [
        ("科室负责人审核", State.PURCHASER_REVIEW, {"chief"}, ["chief"]),
        ("采购人初审", State.PURCHASER_REVIEW, {"reviewer"}, ["reviewer"]),
        ("财政审核", State.FINANCE_REVIEW, {"finance", "finance2"}, ["finance2"]),
    ],
    ("countersign_of_two", False): [
        ("采购人初审", State.PURCHASER_REVIEW, {"reviewer"}, ["reviewer"]),
        ("财政会签", State.FINANCE_REVIEW, {"finance", "finance2"}, ["finance", "finance2"]),
    ],
    ("conditional", False): [
        ("采购人初审", State.PURCHASER_REVIEW, {"reviewer"}, ["reviewer"]),
        ("财政审核", State.FINANCE_REVIEW, {"finance", "finance2"}, ["finance"]),
    ],
    ("conditional", True): [
        ("采购人初审", State.PURCHASER_REVIEW, {"reviewer"}, ["reviewer"]),
        ("单位负责人审批", State.PURCHASER_REVIEW, {"leader"}, ["leader"]),
        ("财政审核", State.FINANCE_REVIEW, {"finance", "finance2"}, ["finance"]),
    ],
}


def shaped(world, shape):
    institution_steps, finance_steps = SHAPES[shape](world)
    flows.flow_save(institution=world.unit, steps=institution_steps, user=world.admin)
    flows.flow_save(district=world.unit.district, steps=finance_steps, user=world.finance)


def fresh(announcement):
    return Announcement.objects.get(pk=announcement.pk)


def act(announcement, action, user, comment=""):
    return workflow.apply_action(announcement=fresh(announcement), action=action, actor=user, comment=comment)


def actions_by_role(world, announcement):
    announcement = fresh(announcement)
    return {
        role: {t.action.value for t in workflow.available_actions(announcement, getattr(world, role))}
        for role in ROLES
    }


def approve_name(state):
    return "purchaser_approve" if state == State.PURCHASER_REVIEW else "finance_approve"


def return_name(state):
    return "purchaser_return" if state == State.PURCHASER_REVIEW else "finance_return"


@pytest.mark.parametrize(("shape", "big"), list(WALKS))
def test_flow_shape_walk_every_role_at_every_step(people, shape, big, django_capture_on_commit_callbacks):
    world = people
    shaped(world, shape)
    announcement = notice(institution=world.unit)
    if big:
        add_row(
            announcement.report,
            name="大项目",
            budget_amount=Decimal("5000"),
            sme_amount=Decimal("5000"),
            small_micro_amount=Decimal("5000"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "submit", world.handler)
    for number, (name, state, actors, approvers) in enumerate(WALKS[(shape, big)]):
        current = fresh(announcement)
        assert (current.state, workflow.current_step(current).name) == (state, name)
        # Every role: the step's people may approve and return; the submitter may withdraw from
        # the institution's steps; nobody else has a workflow action.
        expected = {role: set() for role in ROLES}
        for role in actors:
            expected[role] = {approve_name(state), return_name(state)}
        if state == State.PURCHASER_REVIEW:
            expected["handler"] = {"withdraw"}
        assert actions_by_role(world, current) == expected
        for role in ROLES:  # 我的待办 follows the same rule as the buttons
            waiting = review_queue(user=getattr(world, role)).filter(pk=current.pk).exists()
            assert waiting == (approve_name(state) in expected[role]), role
        messages_before = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for i, role in enumerate(approvers):
            with django_capture_on_commit_callbacks(execute=True):
                entry = act(current, approve_name(state), getattr(world, role), comment=f"同意{i}")
            assert workflow.log_label(entry) == f"审核通过【{name}】"
            if i < len(approvers) - 1:
                # A 会签 member approved: the notice stays, the others still wait, nobody new hears.
                still = fresh(announcement)
                assert (still.state, workflow.current_step(still).name) == (state, name)
                assert actions_by_role(world, still)[role] == {return_name(state)}
                assert not Message.objects.filter(pk__gt=messages_before).exists()
        following = WALKS[(shape, big)][number + 1] if number + 1 < len(WALKS[(shape, big)]) else None
        if following:
            told = set(
                Message.objects.filter(pk__gt=messages_before).values_list("recipient__full_name", flat=True)
            )
            assert told == {getattr(world, r).full_name for r in following[2]}
    assert fresh(announcement).state == State.PUBLISHED
    labels = [workflow.log_label(e) for e in FlowLogEntry.objects.filter(announcement=announcement)]
    walked = [f"审核通过【{name}】" for name, _s, _a, approvers in WALKS[(shape, big)] for _ in approvers]
    assert labels == ["提交", *walked]


def test_countersign_return_by_one_member_returns_the_notice(people, django_capture_on_commit_callbacks):
    world = people
    shaped(world, "countersign_of_two")
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)
    act(announcement, "purchaser_approve", world.reviewer)
    act(announcement, "finance_approve", world.finance)
    with django_capture_on_commit_callbacks(execute=True):
        entry = act(announcement, "finance_return", world.finance2, comment="金额有误")
    returned = fresh(announcement)
    assert (returned.state, returned.return_reason, returned.current_step_id) == (
        State.DRAFT,
        "金额有误",
        None,
    )
    assert workflow.log_label(entry) == "退回【财政会签】"
    assert list(Message.objects.filter(recipient=world.handler).values_list("title", flat=True)) == [
        f"已退回：{announcement.title}"
    ]
    # A new round starts empty: the earlier 会签 approval does not count again.
    act(returned, "submit", world.handler)
    act(returned, "purchaser_approve", world.reviewer)
    act(returned, "finance_approve", world.finance2)
    assert fresh(announcement).state == State.FINANCE_REVIEW
    assert [u.full_name for u in workflow.waiting_on(fresh(announcement))] == ["财政甲"]


def test_one_person_approves_at_most_one_step_unless_the_flow_allows(people):
    world = people
    both = [
        spec("科室负责人审核", users=[world.reviewer]),
        spec("采购人初审", position=Position.PURCHASER_REVIEWER),
    ]
    flows.flow_save(institution=world.unit, steps=both, user=world.admin)
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)
    act(announcement, "purchaser_approve", world.reviewer)
    with pytest.raises(workflow.ActionRefused, match="另一步骤"):
        act(announcement, "purchaser_approve", world.reviewer)
    assert not review_queue(user=world.reviewer).filter(pk=announcement.pk).exists()
    # The next version allows it; the notice under review keeps its own version.
    flows.flow_save(institution=world.unit, steps=both, user=world.admin, one_step_per_person=False)
    assert "purchaser_approve" not in actions_by_role(world, announcement)["reviewer"]
    act(announcement, "purchaser_return", world.reviewer, comment="重来")
    act(announcement, "submit", world.handler)
    act(announcement, "purchaser_approve", world.reviewer)
    act(announcement, "purchaser_approve", world.reviewer)
    assert fresh(announcement).state == State.FINANCE_REVIEW


def test_submitter_never_approves_a_step_naming_them(people):
    world = people
    flows.flow_save(
        institution=world.unit,
        steps=[spec("科室负责人审核", users=[world.handler, world.chief])],
        user=world.admin,
    )
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)
    # Never approve; like a reviewer who submitted, they may still send it back (or withdraw it).
    assert actions_by_role(world, announcement)["handler"] == {"withdraw", "purchaser_return"}
    assert [u.full_name for u in workflow.waiting_on(fresh(announcement))] == ["科长甲"]


def test_notice_under_review_keeps_its_flow_version(people):
    world = people
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)
    flows.flow_save(
        institution=world.unit,
        steps=[
            spec("科室负责人审核", users=[world.chief]),
            spec("采购人初审", position=Position.PURCHASER_REVIEWER),
        ],
        user=world.admin,
    )
    assert workflow.current_step(fresh(announcement)).name == "采购人初审"
    act(announcement, "purchaser_approve", world.reviewer)
    assert fresh(announcement).state == State.FINANCE_REVIEW
    second = notice(institution=world.unit, year=2025)
    act(second, "submit", world.handler)
    assert workflow.current_step(fresh(second)).name == "科室负责人审核"


def test_flow_nobody_could_complete_is_refused_with_the_reason(people):
    world = people
    with pytest.raises(ValueError) as refused:
        flows.flow_save(
            institution=world.unit,
            steps=[
                spec("单位负责人审批", position=Position.PURCHASER_REVIEWER, mode=StepMode.ALL),
                spec("处长审批", users=[world.handler], mode=StepMode.ALL),
            ],
            user=world.admin,
        )
    assert refused.value.args[0] == ["处长审批：唯一成员经办人甲可以提交公告，而提交人不能审核。"]
    world.reviewer.is_active = False
    world.reviewer.save()
    assert flows.flow_problems(
        institution=world.unit, steps=[spec("采购人初审", position=Position.PURCHASER_REVIEWER)]
    ) == ["采购人初审：没有可以处理此步骤的在岗人员。"]
    assert flows.flow_problems(district=world.unit.district, steps=[]) == [
        "财政局的流程至少需要一个步骤：最后一步发布公告。"
    ]
    assert FlowVersion.objects.filter(flow__institution=world.unit).count() == 0


def test_submit_to_a_step_nobody_holds_is_refused_with_what_to_do(world):
    world.reviewer.is_active = False
    world.reviewer.save()
    announcement = notice(institution=world.unit)
    with pytest.raises(workflow.ActionRefused) as refused:
        act(announcement, "submit", world.handler)
    assert "请机构管理员为他人分配该岗位" in refused.value.message
    assert "采购人初审" in refused.value.message
    assert fresh(announcement).state == State.DRAFT
    assert flows.unheld_steps(institution=world.unit) == ["采购人初审"]


def test_detail_shows_the_path_and_the_countersign_line(people, client):
    world = people
    shaped(world, "countersign_of_two")
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)
    act(announcement, "purchaser_approve", world.reviewer, comment="同意上报")
    act(announcement, "finance_approve", world.finance)
    client.force_login(world.finance2)
    page = client.get(reverse("announcements:detail", args=[announcement.public_id])).content.decode()
    assert "当前步审核人-会签：财政甲（已通过）、财政乙（待审核）" in page
    assert "审核人甲 于" in page and "同意上报" in page
    assert page.index("采购人初审") < page.index("财政会签")


def test_detail_shows_the_any_one_line(world, client):
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)
    client.force_login(world.handler)
    page = client.get(reverse("announcements:detail", args=[announcement.public_id])).content.decode()
    assert "当前步审核人-或审：审核人甲" in page
    assert "采购人审核岗（或审）" in page and "财政审核岗（或审）" in page


def test_flow_page_saves_a_new_version_and_refuses_what_nobody_could_complete(people):
    world = people
    client = Client()
    client.force_login(world.admin)
    url = reverse("announcements:flows")
    page = client.get(url).content.decode()
    assert "采购人初审" in page and "流程管理" in page

    def post(rows, button="save"):
        data = {
            "form-TOTAL_FORMS": str(len(rows)),
            "form-INITIAL_FORMS": "0",
            button: "1",
            "one_step_per_person": "on",
        }
        for i, row in enumerate(rows):
            data |= {f"form-{i}-{k}": v for k, v in row.items()}
        return client.post(url, data)

    base = {"actor": "position", "mode": "any", "condition": ""}
    chief = {**base, "order": "1", "name": "科室负责人审核", "actor": "named", "users": [str(world.chief.pk)]}
    reviewer = {**base, "order": "2", "name": "采购人初审", "position": "purchaser_reviewer"}
    preview = post([reviewer, chief], button="preview").content.decode()
    assert preview.index("科室负责人审核", preview.index("flow-preview")) < preview.index(
        "采购人初审", preview.index("flow-preview")
    )
    assert FlowVersion.objects.filter(flow__institution=world.unit).count() == 0
    response = post([reviewer, chief])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已保存为第1版，下次提交时生效。"]
    version = flows.latest_version(institution=world.unit)
    assert ([s.name for s in version.steps.all()], version.created_by) == (
        ["科室负责人审核", "采购人初审"],
        world.admin,
    )
    nobody = post(
        [{**base, "order": "1", "name": "处长审批", "actor": "named", "mode": "all"}]
    ).content.decode()
    assert "处长审批：没有可以处理此步骤的在岗人员。" in nobody
    assert flows.latest_version(institution=world.unit).number == 1
    # Outsiders and handlers do not get the page.
    client.force_login(world.handler)
    assert client.get(url).status_code == 404


def test_finance_keeps_its_steps_on_the_flow_page(people):
    world = people
    client = Client()
    client.force_login(world.finance)
    url = reverse("announcements:flows")
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "save": "1", "one_step_per_person": "on"}
    data |= {
        "form-0-order": "1",
        "form-0-name": "财政会签",
        "form-0-actor": "named",
        "form-0-mode": "all",
        "form-0-users": [str(world.finance.pk), str(world.finance2.pk)],
        "form-0-condition": "",
    }
    client.post(url, data)
    version = flows.latest_version(district=world.unit.district)
    assert [(s.name, s.mode) for s in version.steps.all()] == [("财政会签", StepMode.ALL)]
    setting = client.get(reverse("oversight:district_setting")).content.decode()
    assert "财政会签" in setting


def test_admin_is_warned_when_a_step_of_the_flow_has_nobody(world):
    from accounts.alerts import alerts_for

    assert [a.kind for a in alerts_for(world.admin) if a.kind == "flow_unheld"] == []
    world.reviewer.is_active = False
    world.reviewer.save()
    del world.admin._alerts, world.admin._unheld_flow_steps  # cached for one request
    warning = next(a for a in alerts_for(world.admin) if a.kind == "flow_unheld")
    assert "采购人初审" in warning.text and warning.link == reverse("accounts:staff_list")
    assert [a.kind for a in alerts_for(world.handler) if a.kind == "flow_unheld"] == []


def test_staff_list_names_the_step_nobody_holds_and_what_to_do(people, client):
    def banners():
        html = client.get(reverse("accounts:staff_list")).content.decode()
        return re.findall(r'<p class="warning-box staff-banner" role="alert">(.*?)</p>', html, re.S)

    client.force_login(people.admin, backend="accounts.backends.ActiveStaffBackend")
    shaped(people, "three_steps")
    assert banners() == []
    people.reviewer.is_active = False
    people.reviewer.save()
    people.chief.is_deleted = True
    people.chief.save()
    (position, named) = sorted(banners(), key=lambda b: "采购人审核岗" not in b)
    assert "“采购人初审”步骤没有在岗的采购人审核岗" in position and "更多 › 设置岗位" in position
    assert "“科室负责人审核”步骤指定的人员均已停用或删除" in named
    flow_link = f'<a href="{reverse("announcements:flows")}">前往流程管理</a>'
    assert flow_link in position and flow_link in named
    # Other staff of the unit see no such banner (nor the page).
    client.force_login(people.handler, backend="accounts.backends.ActiveStaffBackend")
    assert client.get(reverse("accounts:staff_list")).status_code == 404


def test_confirmation_says_which_step_comes_next(people, client):
    world = people
    shaped(world, "three_steps")
    announcement = notice(institution=world.unit)
    client.force_login(world.handler)
    page = client.get(reverse("announcements:detail", args=[announcement.public_id])).content.decode()
    assert "公告将进入“科室负责人审核”，审核期间不能编辑。" in page
    act(announcement, "submit", world.handler)
    client.force_login(world.chief)
    page = client.get(reverse("announcements:detail", args=[announcement.public_id])).content.decode()
    assert "公告将进入“采购人初审”。" in page


def test_a_saved_version_is_never_edited(world):
    from announcements.models import AppendOnlyError

    version = flows.flow_save(
        institution=world.unit,
        steps=[spec("采购人初审", position=Position.PURCHASER_REVIEWER)],
        user=world.admin,
    )
    step = version.steps.get()
    step.name = "改名"
    with pytest.raises(AppendOnlyError):
        step.save()
    with pytest.raises(AppendOnlyError):
        version.save()
    assert flows.latest_version(institution=world.unit).steps.get().name == "采购人初审"
