"""seed_bulk: fast bulk notices that look like real publications — the renderer's text, the
search fields, and the flow log the workflow would have written."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import InstitutionKind
from accounts.models import District, Institution
from accounts.rules import user_holds
from announcements.enums import State
from announcements.models import Announcement, FlowLogEntry
from announcements.rendering import render_announcement
from announcements.rules import in_scope
from announcements.selectors import announcements_published
from announcements.workflow import TRANSITIONS, snapshot_of
from devdata.management.commands.seed_bulk import CopyWriter
from public.rendering import list_queryset
from public.search import PublicNoticeFilter
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


def stored(notice) -> str:
    """What a notice stored with its report, rows and flow log, without ids (the writers number
    differently) and with the units' serial numbers (第N号) read as one."""
    report = notice.report
    rows = list(report.rows.order_by("position"))
    positions = {row.pk: row.position for row in rows}

    def own(obj, model):
        return {
            f.attname: getattr(obj, f.attname)
            for f in model._meta.concrete_fields
            if not f.attname.endswith("_id") and f.attname not in ("id", "public_id")
        }

    def snapshot(data):
        data = {k: v for k, v in data.items() if k != "institution_id"}
        if "rows" in data:
            data["rows"] = [{**r, "id": positions[r["id"]]} for r in data["rows"]]
        return data

    log = notice.flow_log.order_by("created_at", "id").select_related("actor")
    everything = {
        "notice": own(notice, Announcement),
        "report": own(report, Report),
        "rows": [own(row, ReservedProject) for row in rows],
        "unit": (notice.institution.name, notice.district.code, notice.institution.kind),
        "staff": sorted(u.username.rsplit("-", 1)[-1] for u in notice.institution.staff.all()),
        "log": [
            (
                e.action,
                e.from_state,
                e.to_state,
                e.reason,
                e.created_at,
                e.actor.full_name,
                snapshot(e.snapshot),
            )
            for e in log
        ],
    }
    return re.sub(r"第\d+号", "第N号", json.dumps(everything, default=str, ensure_ascii=False))


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_seed_bulk_copy_writes_what_bulk_create_writes(monkeypatch):
    """The same seed through COPY and through bulk_create: the same notices, texts, rows with
    their verdicts, totals, search fields and flow logs with their snapshots, up to ids."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 7, 4, 0, tzinfo=UTC))
    before = Institution.objects.count()
    seed_bulk(notices=25, rows=8, batch=10, revoked_share=0.2, writer="orm", seed=7)
    by_orm = list(Announcement.objects.order_by("id").values_list("pk", flat=True))
    # The random stream starts at seed + the number of institutions: start it where the first did.
    seed_bulk(
        notices=25,
        rows=8,
        batch=10,
        revoked_share=0.2,
        writer="copy",
        seed=7 + before - Institution.objects.count(),
    )
    by_copy = Announcement.objects.exclude(pk__in=by_orm).order_by("id")

    orm_notices = Announcement.objects.filter(pk__in=by_orm).order_by("id")
    assert len(by_orm) == by_copy.count() == 25
    assert by_copy.filter(state=State.REVOKED).exists()
    assert ReservedProject.objects.filter(report__announcement__in=by_copy).count() == 200
    for a, b in zip(orm_notices, by_copy, strict=True):
        assert stored(a) == stored(b)
    # COPY wrote values the ORM reads back as it wrote them: the renderer's text of the stored
    # notice, totals that are the rows' sums, and each row's stored verdict.
    for notice in by_copy.select_related("report", "institution", "district"):
        assert notice.published_html == str(render_announcement(notice))
        assert notice.report.sme_total == sum(r.sme_amount for r in notice.report.rows.all())
        assert all(r.verdict["status"] == r.verdict_status for r in notice.report.rows.all())


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_keeps_tabs_backslashes_and_newlines_and_refuses_its_own_delimiter():
    """COPY's delimiter is \\x01 and its NULL \\x02: a value with a tab, a backslash (even one
    reading \\N), a newline or a carriage return is stored as it was, NULL stays NULL, and a value
    holding one of the three control characters is refused before anything is written."""
    district = District.objects.exclude(code="310000").first()
    names = ["上海市\t制表\\N单位", "上海市\\反斜杠\n换行\r单位", "上海市普通单位"]
    units = [Institution(name=name, district=district, kind=InstitutionKind.BUDGET_UNIT) for name in names]
    with connection.cursor() as cursor:
        CopyWriter(cursor).write(Institution, units)

    stored = Institution.objects.filter(pk__in=[u.pk for u in units]).order_by("pk")
    assert [u.name for u in stored] == names
    assert [u.competent_unit_id for u in stored] == [None, None, None]
    assert all(u.is_active and not u.is_test for u in stored)

    count = Institution.objects.count()
    for control in ("\x00", "\x01", "\x02"):
        bad = Institution(name=f"上海市{control}单位", district=district, kind=InstitutionKind.BUDGET_UNIT)
        with pytest.raises(CommandError), connection.cursor() as cursor:
            CopyWriter(cursor).write(Institution, [bad])
    assert Institution.objects.count() == count


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_seed_bulk_builds_the_indexes_and_foreign_keys_it_set_aside_again():
    """A national-scale load drops the secondary indexes (the GIN search indexes among them) and
    the foreign keys of the tables it writes, and builds them again after it: the same indexes
    and constraints come back, with the same definitions, valid (the EXPLAIN tests rely on them),
    the search finds the notices, and a row pointing nowhere is refused again."""

    def catalogue():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            )
            indexes = sorted(cursor.fetchall())
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(c.oid), convalidated,
                       condeferrable, condeferred
                FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE n.nspname = current_schema()
                """
            )
            constraints = sorted(cursor.fetchall())
            cursor.execute(
                "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace "
                "AND NOT (x.indisvalid AND x.indisready)"
            )
            return indexes, constraints, cursor.fetchone()[0]

    indexes, constraints, invalid = catalogue()
    assert {"announcement_search_trgm", "announcement_search_grams", "announcement_public_list"} <= {
        name for _table, name, _definition in indexes
    }
    assert any(
        name.endswith("_fk_announcem") for _t, name, *_ in constraints if _t == "announcements_flowlogentry"
    )
    assert invalid == 0

    seed_bulk(notices=20, rows=3, set_aside=True)

    assert catalogue() == (indexes, constraints, 0)
    notice = announcements_published().first()
    word = notice.report.rows.first().name[5:7]
    filterset = PublicNoticeFilter({"q": word}, queryset=list_queryset())
    assert filterset.is_valid()
    assert notice.pk in {n.pk for n in filterset.qs}
    with pytest.raises(IntegrityError), transaction.atomic():
        ReservedProject.objects.filter(pk=notice.report.rows.first().pk).update(report_id=10**9)
