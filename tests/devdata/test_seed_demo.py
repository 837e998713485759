"""seed_demo: every demo notice made through the drafting services and the workflow gateway,
with data that makes sense, idempotently."""

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from announcements.enums import State
from announcements.models import Announcement, FlowLogEntry
from announcements.rendering import render_announcement
from announcements.selectors import review_queue
from announcements.workflow import TRANSITIONS
from devdata import accounts as demo_accounts
from devdata import oversight as demo_oversight
from oversight.models import FilingCampaign, SpotCheckSample
from oversight.selectors import status_counts
from reservations.models import Report
from reservations.rules import report_policy_warnings

UNIT = demo_accounts.UNIT_NAME


@pytest.fixture
def seeded(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The workflow's listeners (mail, the public search fields) run after commit, as they would.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _fingerprint() -> dict:
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    notices = sorted(Announcement.objects.values_list("pk", "state", "version", "updated_at"))
    return {"counts": counts, "notices": notices}


def test_seed_demo_run_twice_changes_nothing(seeded):
    before = _fingerprint()

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert _fingerprint() == before


def test_seed_demo_leaves_every_state_at_the_demo_unit(seeded):
    states = sorted(Announcement.objects.filter(institution__name=UNIT).values_list("year", "state"))
    assert states == [
        (2021, State.PUBLISHED),
        (2021, State.REVOKED),
        (2022, State.DRAFT),
        (2023, State.FINANCE_REVIEW),
        (2024, State.PURCHASER_REVIEW),
        (2025, State.DRAFT),
    ]
    returned = Announcement.objects.get(institution__name=UNIT, year=2022)
    assert returned.return_reason == "第3行合同链接无法打开,请核实后重新提交。"
    assert [e.action for e in returned.flow_log.all()] == ["submit", "purchaser_approve", "finance_return"]
    reviewer = User.objects.get(username="demo-reviewer")
    finance = User.objects.get(username="demo-finance")
    assert [a.year for a in review_queue(user=reviewer).filter(institution__name=UNIT)] == [2024]
    assert [a.year for a in review_queue(user=finance).filter(institution__name=UNIT)] == [2023]


def test_every_demo_notice_has_a_creator_and_a_flow_log_that_leads_to_its_state(seeded):
    notices = Announcement.objects.select_related("created_by", "institution", "report")
    # 14, and the department story's two school notices and the bureau's department notice.
    assert notices.count() == 17
    for notice in notices:
        assert notice.created_by is not None and notice.created_by.institution_id == notice.institution_id
        state = State.DRAFT
        for entry in FlowLogEntry.objects.filter(announcement=notice).order_by("created_at", "id"):
            transition = TRANSITIONS[entry.action]
            assert (entry.from_state, entry.to_state) == (state, transition.to_state), notice
            assert entry.from_state in transition.from_states
            assert entry.actor is not None and entry.snapshot["title"] == notice.title
            state = entry.to_state
        assert state == notice.state, notice


def test_published_demo_notices_carry_the_rendered_text_and_search_fields(seeded):
    shown = Announcement.objects.filter(state__in=[State.PUBLISHED, State.REVOKED])
    assert shown.count() == 9  # 8, and the bureau's department notice
    for notice in shown:
        assert notice.published_html == str(render_announcement(notice))
        assert notice.search_text and notice.search_grams


def test_every_explanation_answers_a_missed_threshold_of_its_own_rows(seeded):
    reports = Report.objects.all()
    assert reports.filter(explanation="").exists() and reports.exclude(explanation="").exists()
    for report in reports:
        needs_explanation = [w for w in report_policy_warnings(report=report) if w.requires_explanation]
        assert bool(report.explanation) == bool(needs_explanation), (report, report.explanation)


def test_demo_project_names_are_whole_words_not_cut_unit_names(seeded):
    for report in Report.objects.select_related("institution"):
        for name in report.rows.values_list("name", flat=True):
            # The old demo cut 上海市普陀区教育局 into "育局2025年度…".
            cut = report.institution.name[7:]
            assert not (cut and name.startswith(cut)), name


def test_oversight_demo_alone_is_idempotent_and_shows_several_states(db):
    context: dict = {}
    demo_accounts.seed(context)
    demo_oversight.seed(context)
    demo_oversight.seed(context)

    campaign = FilingCampaign.objects.get(district__code="310107", year=2025)
    assert FilingCampaign.objects.count() == 2
    assert SpotCheckSample.objects.count() == 1
    counts = status_counts(campaign=campaign)
    assert all(counts[s] >= 1 for s in ("not_started", "draft", "in_review", "published", "revoked"))
    assert (
        campaign.units.get(institution__name="上海市普陀区图书馆").excuse_reason == "2025年度无政府采购项目"
    )


def test_seed_demo_publishes_the_education_bureaus_2025_department_notice(seeded):
    from announcements.enums import Kind

    department = Announcement.objects.get(institution__name="上海市普陀区教育局", kind=Kind.DEPARTMENT)
    assert (department.year, department.state) == (2025, State.PUBLISHED)
    html = department.published_html
    assert "上海市普陀区曹杨中学" in html and "上海市普陀区真如中心小学" in html
    # The bureau's own notice and the two schools', each with its 小计.
    assert html.count('class="subtotal"') == 3
    schools = Announcement.objects.filter(institution__competent_unit=department.institution, year=2025)
    assert sorted(schools.values_list("state", flat=True)) == [State.FINANCE_REVIEW, State.FINANCE_REVIEW]
    own = Announcement.objects.get(institution=department.institution, year=2025, kind=Kind.SME_RESERVATION)
    assert department.report.sme_total == own.report.sme_total + sum(s.report.sme_total for s in schools)
    assert User.objects.filter(username__in=["demo-dept-handler", "demo-dept-reviewer"]).count() == 2
