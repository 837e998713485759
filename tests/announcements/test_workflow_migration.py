"""Migration 0008: existing institutions and notices get today's two steps exactly, and a notice
in flight waits at the step its state names, reviewed by the same people as before."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.enums import Position
from accounts.models import Institution
from announcements import workflow
from announcements import workflow_flows as flows
from announcements.enums import State, StepActor, StepMode
from announcements.models import Announcement, FlowVersion
from tests import factories as F

BEFORE = [("announcements", "0007_review_flows")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_gives_existing_notices_todays_two_steps():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldInstitution, District, OldAnnouncement = (
        old.get_model(app, name)
        for app, name in (
            ("accounts", "Institution"),
            ("accounts", "District"),
            ("announcements", "Announcement"),
        )
    )
    putuo = District.objects.get(code="310107")
    unit = OldInstitution.objects.create(name="旧单位", district=putuo, kind="budget_unit")
    submitted = timezone.now() - timedelta(days=5)
    for state, year in (
        ("draft", 2020),
        ("purchaser_review", 2021),
        ("finance_review", 2022),
        ("published", 2023),
    ):
        OldAnnouncement.objects.create(
            institution=unit,
            district=putuo,
            year=year,
            title=f"旧公告{year}",
            state=state,
            submitted_at=None if state == "draft" else submitted,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # Steps are cached per version id for the process; the migration writes versions directly and
    # SQLite hands out again the ids of the earlier tests' rolled-back versions.
    flows._STEPS_BY_VERSION.clear()

    institution = Institution.objects.get(name="旧单位")
    version = FlowVersion.objects.get(flow__institution=institution)
    own = [(s.name, s.actor, s.position, s.mode) for s in version.steps.all()]
    assert own == [("采购人初审", StepActor.POSITION, Position.PURCHASER_REVIEWER, StepMode.ANY)]
    finance = FlowVersion.objects.get(flow__district__code="310107")
    assert [(s.name, s.position, s.mode) for s in finance.steps.all()] == [
        ("财政审核", Position.FINANCE_REVIEWER, StepMode.ANY)
    ]
    notices = {n.year: n for n in Announcement.objects.filter(institution=institution)}
    assert notices[2020].flow_version_id is None  # never submitted: it takes the flow in use later
    assert workflow.current_step(notices[2021]).name == "采购人初审"
    assert workflow.current_step(notices[2022]).name == "财政审核"
    assert notices[2021].step_entered_at == submitted
    assert (notices[2023].flow_version, notices[2023].current_step) == (version, None)

    # The same people review the migrated notice as before.
    handler = F.user(institution=institution, positions=[Position.HANDLER])
    reviewer = F.user(institution=institution, positions=[Position.PURCHASER_REVIEWER])
    finance_bureau = F.institution(name="普陀区财政局", district_code="310107", kind="finance_bureau")
    finance_reviewer = F.user(institution=finance_bureau, positions=[Position.FINANCE_REVIEWER])
    waiting = notices[2021]
    Announcement.objects.filter(pk=waiting.pk).update(submitted_by=handler)
    waiting.refresh_from_db()
    assert [u.pk for u in workflow.waiting_on(waiting)] == [reviewer.pk]
    workflow.apply_action(announcement=waiting, action="purchaser_approve", actor=reviewer)
    waiting.refresh_from_db()
    assert (waiting.state, workflow.current_step(waiting).name) == (State.FINANCE_REVIEW, "财政审核")
    assert [u.pk for u in workflow.waiting_on(waiting)] == [finance_reviewer.pk]
