"""seed_demo leaves notices in every state, through the workflow, idempotently."""

from django.core.management import call_command

from accounts.models import User
from announcements.enums import State
from announcements.models import Announcement, FlowLogEntry
from announcements.selectors import review_queue


def test_seed_demo_leaves_every_state_with_real_flow_logs_and_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    unit_name = "上海市普陀区真如镇街道社区党群服务中心"
    states = sorted(Announcement.objects.filter(institution__name=unit_name).values_list("year", "state"))
    assert [s for s in states if s[0] <= 2024] == [
        (2021, State.DRAFT),
        (2022, State.PUBLISHED),
        (2022, State.REVOKED),
        (2023, State.FINANCE_REVIEW),
        (2024, State.PURCHASER_REVIEW),
    ]
    returned = Announcement.objects.get(institution__name=unit_name, year=2021)
    actions = list(FlowLogEntry.objects.filter(announcement=returned).values_list("action", flat=True))
    assert (actions, bool(returned.return_reason)) == (["submit", "purchaser_return"], True)
    revoked = FlowLogEntry.objects.filter(action="revoke", announcement__institution__name=unit_name)
    assert [e.announcement.year for e in revoked] == [2022]
    reviewer = User.objects.get(username="demo-reviewer")
    finance = User.objects.get(username="demo-finance")
    assert [a.year for a in review_queue(user=reviewer).filter(institution__name=unit_name)] == [2024]
    assert [a.year for a in review_queue(user=finance).filter(institution__name=unit_name)] == [2023]


BOUNDARY = "市区县镇道"


def truncated_prefix(name: str, institution: str) -> str | None:
    """A project name starting with the institution's name cut mid-word ("育局2025年度…")."""
    for k in range(1, len(institution) - 1):
        if institution[k - 1] not in BOUNDARY and name.startswith(institution[k:]):
            return institution[k:]
    return None


def test_demo_data_tells_a_true_story(db):
    from django.utils import timezone

    from announcements.forms_drafting import year_choices
    from reservations.models import ReservedProject
    from reservations.rules import report_policy_warnings

    call_command("seed_demo", verbosity=0)
    rows = ReservedProject.objects.select_related("report__institution")
    assert [r.name for r in rows if truncated_prefix(r.name, r.report.institution.name)] == []
    assert all(r.category and r.budget_amount for r in rows)

    notices = Announcement.objects.exclude(report=None).select_related("report")
    published_shortfalls = 0
    for notice in notices:
        assert notice.created_by_id, notice.title
        warnings = [w for w in report_policy_warnings(report=notice.report) if w.requires_explanation]
        explanation = notice.report.explanation
        if notice.state == State.DRAFT and not notice.submitted_at:
            continue
        log = list(FlowLogEntry.objects.filter(announcement=notice).order_by("created_at", "id"))
        assert log[0].action == "submit" and log[0].actor_id == notice.created_by_id
        # Each 说明 fits its rows: it names every row that misses a threshold; no shortfall, no 说明.
        assert bool(warnings) == bool(explanation), notice.title
        for warning in warnings:
            assert warning.project in explanation, (notice.title, warning.project)
        if warnings and notice.state == State.PUBLISHED:
            published_shortfalls += 1
            assert "未达到预留份额比例的说明" in notice.published_html
    assert published_shortfalls >= 1

    handler = User.objects.get(username="demo-handler")
    taken = set(Announcement.objects.filter(institution=handler.institution).values_list("year", flat=True))
    assert timezone.localdate().year - 1 not in taken
    assert {y for y, _label in year_choices()} - taken
