"""seed_bulk: fast bulk notices that look like real publications — the renderer's text, the
search fields, and the flow log the workflow would have written."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Institution
from accounts.rules import user_holds
from announcements.enums import State
from announcements.models import Announcement, FlowLogEntry
from announcements.rendering import render_announcement
from announcements.rules import in_scope
from announcements.selectors import announcements_published
from announcements.workflow import TRANSITIONS, snapshot_of
from reservations.models import Report, ReservedProject
from reservations.rules import report_policy_warnings

pytestmark = pytest.mark.django_db


def seed_bulk(**options):
    call_command("seed_bulk", stdout=open("/dev/null", "w"), **options)  # noqa: SIM115


def test_seed_bulk_makes_searchable_published_notices_with_rows(client):
    seed_bulk(notices=30, rows=3, batch=12, revoked_share=0)

    published = announcements_published()
    assert published.count() == 30
    assert ReservedProject.objects.filter(report__announcement__in=published).count() == 90
    notice = published.select_related("district").first()
    assert notice.title.endswith("年面向中小企业预留项目执行情况公告")
    assert notice.title.startswith("上海市")
    word = ReservedProject.objects.filter(report=notice.report).first().name[5:7]
    found = client.get(reverse("public:list"), {"q": word, "district": notice.district.code})
    assert notice.public_id in [n.public_id for n in found.context["notices"]]
    assert Announcement.objects.filter(search_grams="").count() == 0


def test_seed_bulk_text_is_what_the_renderer_makes_of_the_stored_notice():
    seed_bulk(notices=40, rows=4, batch=15, revoked_share=0.3)

    notices = Announcement.objects.select_related("report", "institution", "district")
    assert notices.filter(state=State.REVOKED).exists()
    for notice in notices:
        assert notice.published_html == str(render_announcement(notice))


def test_seed_bulk_notices_have_the_flow_log_of_a_publication():
    seed_bulk(notices=40, rows=4, batch=15, revoked_share=0.3)

    publication = ["submit", "purchaser_approve", "finance_approve"]
    for notice in Announcement.objects.select_related("report", "institution", "district"):
        log = list(FlowLogEntry.objects.filter(announcement=notice).order_by("created_at", "id"))
        revoked = notice.state == State.REVOKED
        assert [e.action for e in log] == publication + (["revoke"] if revoked else [])
        assert notice.created_by == notice.submitted_by == log[0].actor
        state = State.DRAFT
        for entry in log:
            transition = TRANSITIONS[entry.action]
            assert (entry.from_state, entry.to_state) == (state, transition.to_state)
            # Each actor could have taken the step: position and scope (own unit, district finance).
            assert user_holds(entry.actor, transition.perm)
            assert in_scope(entry.actor, notice, transition.scope)
            state = entry.to_state
            # The snapshot is the workflow's own, taken at that step's version.
            notice.version = entry.snapshot["version"]
            assert entry.snapshot == snapshot_of(notice, with_rows=entry.action == "submit")
        assert log[1].actor != log[0].actor
        assert [e.created_at for e in log[:3]] == [
            notice.submitted_at,
            log[1].created_at,
            notice.published_at,
        ]
        assert notice.submitted_at < log[1].created_at < notice.published_at
        assert notice.created_at < notice.submitted_at
        if revoked:
            assert (log[3].created_at, log[3].reason) == (notice.revoked_at, notice.revoke_reason)
        assert notice.version == log[-1].snapshot["version"]


def test_seed_bulk_explains_every_missed_threshold_and_nothing_else():
    seed_bulk(notices=60, rows=8, batch=60)

    reports = Report.objects.all()
    assert reports.exclude(explanation="").exists()
    for report in reports:
        needs_explanation = [w for w in report_policy_warnings(report=report) if w.requires_explanation]
        assert bool(report.explanation) == bool(needs_explanation), report.explanation


def test_seed_bulk_run_twice_adds_new_units_and_keeps_the_old():
    seed_bulk(notices=10, rows=2)
    first = set(Announcement.objects.values_list("pk", "version", "published_html"))
    units = Institution.objects.count()

    seed_bulk(notices=10, rows=2)

    assert Announcement.objects.count() == 20
    assert first <= set(Announcement.objects.values_list("pk", "version", "published_html"))
    assert Institution.objects.count() > units
