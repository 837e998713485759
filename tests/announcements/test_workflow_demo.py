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
        (2021, State.PUBLISHED),
        (2021, State.REVOKED),
        (2022, State.DRAFT),
        (2023, State.FINANCE_REVIEW),
        (2024, State.PURCHASER_REVIEW),
    ]
    returned = Announcement.objects.get(institution__name=unit_name, year=2022)
    assert returned.return_reason and FlowLogEntry.objects.filter(announcement=returned).count() == 3
    assert FlowLogEntry.objects.filter(action="revoke").count() == 1
    reviewer = User.objects.get(username="demo-reviewer")
    finance = User.objects.get(username="demo-finance")
    assert [a.year for a in review_queue(user=reviewer).filter(institution__name=unit_name)] == [2024]
    assert [a.year for a in review_queue(user=finance).filter(institution__name=unit_name)] == [2023]


def test_seed_demo_publishes_the_education_bureaus_2025_department_notice(db):
    from announcements.enums import Kind

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    department = Announcement.objects.get(institution__name="上海市普陀区教育局", kind=Kind.DEPARTMENT)
    assert (department.year, department.state) == (2025, State.PUBLISHED)
    html = department.published_html
    assert "上海市普陀区曹杨中学" in html and "上海市普陀区真如中心小学" in html
    assert html.count('class="subtotal"') == 2
    schools = Announcement.objects.filter(institution__competent_unit=department.institution, year=2025)
    assert sorted(schools.values_list("state", flat=True)) == [State.FINANCE_REVIEW, State.FINANCE_REVIEW]
    assert User.objects.filter(username__in=["demo-dept-handler", "demo-dept-reviewer"]).count() == 2
