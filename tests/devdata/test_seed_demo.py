"""seed_demo: every demo notice made through the drafting services and the workflow gateway,
with data that makes sense, idempotently."""

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from announcements import workflow
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
    ]
    returned = Announcement.objects.get(institution__name=UNIT, year=2022)
    assert returned.return_reason == "第4行社区文化活动策划执行的合同链接无法打开，请核实后重新提交。"
    assert [workflow.log_label(e) for e in returned.flow_log.all()] == [
        "提交",
        "审核通过【科室负责人审核】",
        "审核通过【采购人初审】",
        "退回【财政会签】",
    ]
    chief, reviewer, finance, finance2 = (
        User.objects.get(username=name)
        for name in ("demo-chief", "demo-reviewer", "demo-finance", "demo-finance2")
    )
    # The unit's flow starts at 科室负责人审核 (或审, demo-chief); 普陀区 publishes after a 会签.
    assert [a.year for a in review_queue(user=chief).filter(institution__name=UNIT)] == [2024]
    assert [a.year for a in review_queue(user=reviewer).filter(institution__name=UNIT)] == []
    assert [a.year for a in review_queue(user=finance).filter(institution__name=UNIT)] == [2023]
    assert [a.year for a in review_queue(user=finance2).filter(institution__name=UNIT)] == [2023]
    waiting = Announcement.objects.get(institution__name=UNIT, year=2023)
    assert workflow.current_reviewers_line(waiting)["mode"] == "会签"
    published = Announcement.objects.get(institution__name=UNIT, year=2021, state=State.PUBLISHED)
    assert [e.actor.username for e in published.flow_log.filter(action="finance_approve")] == [
        "demo-finance",
        "demo-finance2",
    ]


def test_every_demo_notice_has_a_creator_and_a_flow_log_that_leads_to_its_state(seeded):
    notices = Announcement.objects.select_related("created_by", "institution", "report")
    # 13, and the department story's: the bureau's own 2024 notice, the schools' 2024 and 2025
    # notices and the bureau's 2024 department notice.
    assert notices.count() == 19
    for notice in notices:
        assert notice.created_by is not None and notice.created_by.institution_id == notice.institution_id
        state = State.DRAFT
        for entry in FlowLogEntry.objects.filter(announcement=notice).order_by("created_at", "id"):
            transition = TRANSITIONS[entry.action]
            assert entry.from_state == state, notice
            if transition.approves:
                # An approval moves to the flow's next step (of either side), or publishes.
                assert entry.to_state in (State.PURCHASER_REVIEW, State.FINANCE_REVIEW, State.PUBLISHED)
            else:
                assert entry.to_state == transition.to_state, notice
            assert entry.from_state in transition.from_states
            assert entry.actor is not None and entry.snapshot["title"] == notice.title
            state = entry.to_state
        assert state == notice.state, notice


def test_published_demo_notices_carry_the_rendered_text_and_search_fields(seeded):
    shown = Announcement.objects.filter(state__in=[State.PUBLISHED, State.REVOKED])
    assert shown.count() == 12  # 8, and the department story's 2024: three unit notices, one department
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


def test_seed_demo_publishes_the_education_bureaus_2024_department_notice(seeded):
    from announcements.enums import Kind

    department = Announcement.objects.get(institution__name="上海市普陀区教育局", kind=Kind.DEPARTMENT)
    assert (department.year, department.state) == (2024, State.PUBLISHED)
    html = department.published_html
    assert "上海市普陀区曹杨中学" in html and "上海市普陀区真如中心小学" in html
    # The bureau's own notice and the two schools', each with its 小计.
    assert html.count('class="subtotal"') == 3
    # 真如中心小学 missed 60% on its lot: the 说明 paragraph, the department's and the school's.
    assert (
        "未达到预留份额比例的说明：" in html and "本部门各单位未达到预留份额比例的原因见各单位说明。" in html
    )
    assert "上海市普陀区真如中心小学：多媒体教室设备采购（预算260万元）" in html
    schools = Announcement.objects.filter(institution__competent_unit=department.institution, year=2024)
    assert sorted(schools.values_list("state", flat=True)) == [State.PUBLISHED, State.PUBLISHED]
    own = Announcement.objects.get(institution=department.institution, year=2024, kind=Kind.SME_RESERVATION)
    assert department.report.sme_total == own.report.sme_total + sum(s.report.sme_total for s in schools)
    assert User.objects.filter(username__in=["demo-dept-handler", "demo-dept-reviewer"]).count() == 2


def test_demo_dept_handler_can_compile_2025_and_sees_both_schools_with_subtotals_and_their_explanation(
    seeded, client
):
    """Issue 13's Done-when: 2025 is left to compile, both schools past 采购人初审."""
    from django.urls import reverse

    from announcements.enums import Kind

    bureau = "上海市普陀区教育局"
    assert not Announcement.objects.filter(institution__name=bureau, year=2025, kind=Kind.DEPARTMENT).exists()
    schools = Announcement.objects.filter(institution__competent_unit__name=bureau, year=2025)
    assert sorted(schools.values_list("state", flat=True)) == [State.FINANCE_REVIEW, State.FINANCE_REVIEW]

    client.force_login(
        User.objects.get(username="demo-dept-handler"), backend="accounts.backends.ActiveStaffBackend"
    )
    response = client.post(reverse("announcements:department_create"), {"year": "2025"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "上海市普陀区曹杨中学" in page and "上海市普陀区真如中心小学" in page
    assert "188.4" in page and "70.5" in page  # the SME subtotals of 曹杨中学 and 真如中心小学
    assert "实验室仪器设备采购（预算300万元）专业性强" in page  # 曹杨中学's 说明 beside its warning
    assert "未报送" not in page


def test_demo_handler_has_a_free_year_so_the_first_new_notice_is_created(seeded, client):
    """Issue 11 item 9: 新增 with the year the form offers creates a notice (no 本单位已有…的公告)."""
    from django.urls import reverse

    from announcements.enums import Kind

    handler = User.objects.get(username="demo-handler")
    client.force_login(handler, backend="accounts.backends.ActiveStaffBackend")
    create = reverse("announcements:create_sme")
    form = client.get(create).context["form"]
    year = form.fields["year"].initial
    assert not Announcement.objects.filter(institution=handler.institution, year=year).exists()
    response = client.post(
        create, {"district": handler.institution.district_id, "year": year, "publish_mode": "on_approval"}
    )
    assert response.status_code == 302
    assert Announcement.objects.filter(
        institution=handler.institution, year=year, kind=Kind.SME_RESERVATION, created_by=handler
    ).exists()


def test_a_published_demo_notice_carries_a_real_shortfall_and_its_explanation(seeded):
    from announcements.enums import Kind

    published = Announcement.objects.filter(state=State.PUBLISHED, kind=Kind.SME_RESERVATION)
    with_explanation = [
        n for n in published.select_related("report") if "未达到预留份额比例的说明：" in n.published_html
    ]
    assert with_explanation and all(n.report.explanation in n.published_html for n in with_explanation)
    assert published.exclude(pk__in=[n.pk for n in with_explanation]).exists()  # others have none
