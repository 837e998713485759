"""Bulk published notices for the benchmark: `manage.py seed_bulk --notices N --rows R`.

Each notice is what a publication through the workflow leaves behind, written in bulk:
- new budget units, each with a handler (创建人 and submitter) and a purchaser reviewer; every
  district's finance bureau gets one finance reviewer (`bulk-finance-<code>`), once;
- the report and its rows with totals from `reservations.money.rows_totals`, each row dated in
  its year with its stored verdict (`reservations.services.row_verdict_store`) and a reason where
  it misses a threshold, and a 说明 wherever `reservations.rules.policy_warnings` asks for one
  (a submit without them would be refused);
- the frozen text from the one renderer (`reservations.rendering`, dated as
  `announcements.rendering.notice_date` dates it) and the search fields of `public.search`;
- the flow log: submit, purchaser approval, finance approval (and the revocation of revoked
  notices) with actors, the states of the workflow's transitions table, times and
  `announcements.workflow.snapshot_of` snapshots.

National scale (1,000,000 notices × 8 rows in minutes, issue 29):
- the policy rules of a district are read once per run (`rules_for_region`), not per notice;
- the notice text: `notice_context` (the renderer's own values) fills the renderer's template
  output for the notice's shape (number of rows, 说明 or not), rendered once per shape with
  markers in place of the values (`NoticeTexts`); the first notice of each shape and every
  1,000th are rendered through `render_notice` as well and must read the same, or the run stops;
- on PostgreSQL each batch is written with COPY (ids reserved from the tables' sequences first,
  so the flow log's snapshots name the rows' ids) and, by default, by 2 worker processes, each
  with its own connection and its own units; on SQLite through bulk_create.
Each batch is one transaction. Each run adds new institutions (one notice per institution and
year, as the database requires); it never changes existing rows.
"""

import argparse
import csv
import html
import io
import json
import multiprocessing
import operator
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, models, reset_queries, transaction
from django.db.models.base import ModelState
from django.template.defaultfilters import linebreaksbr
from django.utils import formats, timezone, translation

from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from accounts.models import District, Institution, User
from announcements.enums import Action, State
from announcements.models import Announcement, FlowLogEntry, new_public_id
from announcements.rendering import notice_date
from announcements.services import default_title
from announcements.workflow import TRANSITIONS, snapshot_of
from devdata.names import DISTRICT_UNITS, GIVEN_NAMES, PLACES, SUBJECTS, SUFFIXES, SURNAMES, UNIT_KINDS
from public.cache import bump_public_cache
from public.search import grams_for, search_text_parts
from reservations.enums import ReservationOption, ShortfallReason, VerdictStatus
from reservations.models import Report, ReservedProject
from reservations.money import WAN_QUANTUM, rows_totals
from reservations.rendering import notice_context, render_notice, render_notice_context
from reservations.rules import has_small_micro_shortfall, policy_warnings
from reservations.services import row_verdict_store
from reservations.verdict import rules_for_region

YEARS = (2021, 2022, 2023, 2024, 2025)
PARTIAL_OPTIONS = [c for c in ReservationOption.values if c != ReservationOption.WHOLE]
PUBLICATION = (Action.SUBMIT, Action.PURCHASER_APPROVE, Action.FINANCE_APPROVE)
REVOKE_REASON = "数据填报有误,撤回后重新发布"
# The 说明 for what the policy rules flag, by rule code; {rows} lists the row numbers.
EXPLANATIONS = {
    "whole_goods_services": "第{rows}行项目需统一组织实施,未整体预留,已通过其他预留措施面向中小企业采购。",
    "whole_works": "第{rows}行工程需统一组织实施,未整体预留,已设置面向中小企业的专门措施。",
    "min_ratio": "第{rows}行项目适宜由中小企业承担的内容有限,预留比例低于规定比例。",
    "min_ratio_large_works": "第{rows}行工程专业性强,适宜由中小企业承担的部分有限,预留比例低于规定比例。",
    "small_micro_share": "部分项目的成交供应商为中型企业,小微企业采购额占比未达到规定比例。",
}
OTHER_EXPLANATION = "第{rows}行项目未达到政策要求的原因已在采购文件中说明。"


def money(rng, low, high) -> Decimal:
    # Cents and sometimes the fen-precision sixth decimal of 万元, never a float; stored precision.
    cents = Decimal(rng.randrange(int(low * 10000), int(high * 10000))) / Decimal(10000)
    return (cents + Decimal(rng.choice((0, 0, 0, rng.randrange(1, 99)))) / Decimal(1000000)).quantize(
        WAN_QUANTUM
    )


def explanation_for(warnings) -> str:
    """A 说明 that names what the policy rules flag, row by row; empty when nothing is flagged."""
    flagged: dict[str, list[int]] = {}
    for warning in warnings:
        if warning.requires_explanation:
            flagged.setdefault(warning.code, []).append(warning.row_number)
    return "".join(
        EXPLANATIONS.get(code, OTHER_EXPLANATION).format(
            rows="、".join(str(n) for n in sorted({n for n in numbers if n is not None}))
        )
        for code, numbers in flagged.items()
    )


def submit_snapshot(notice, rows) -> dict:
    """`snapshot_of(notice, with_rows=True)` from the rows this batch has just written (and no
    attachments: seeded notices have none), instead of two queries per notice."""
    return snapshot_of(notice, with_rows=True, rows=rows, attachments=[])


@dataclass(frozen=True)
class Timeline:
    drafted: datetime
    submitted: datetime
    reviewed: datetime
    published: datetime
    revoked: datetime | None

    @classmethod
    def random(cls, rng, now: datetime, *, revoked: bool) -> "Timeline":
        # Most notices from the last three years, a few within the NEW window.
        published = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        if rng.random() < 0.01:
            published = now - timedelta(seconds=rng.randrange(3 * 86400))
        submitted = published - timedelta(days=2)
        return cls(
            drafted=submitted - timedelta(seconds=rng.randrange(86400, 30 * 86400)),
            submitted=submitted,
            reviewed=submitted + timedelta(seconds=rng.randrange(3600, 86400)),
            published=published,
            revoked=published + min(timedelta(days=1), (now - published) / 2) if revoked else None,
        )


@contextmanager
def stamped_as_given(*models) -> Iterator[None]:
    """bulk_create stamps auto_now and auto_now_add fields with the present; seeded history keeps
    the times it was given (a notice published two years ago was submitted two years ago)."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# A date no notice has: where the template's output shows it, the notice's date goes.
MARKER_DATE = date(1111, 11, 11)
SCALARS = ("title", "year", "sme_total", "small_micro_total", "share", "explanation", "competent_unit_name")
ROW_KEYS = ("number", "name", "option", "ratio", "sme_amount", "small_micro_amount", "contract_url")


class NoticeTexts:
    """`render_notice`'s text for a notice, fast: the renderer's template output for a notice of
    the same shape (number of rows, whether the 说明 paragraph shows and is filled in) is made
    once, with a marker in place of each value, and each notice fills its values in, escaped as the
    template escapes them (`render_value_in_context`: localize, then escape; the 说明 through
    `linebreaksbr`; the date through the `date` filter's `formats.date_format`). The first notice
    of each shape and every CHECK_EVERY-th are also rendered by `render_notice` itself; a
    difference stops the run."""

    CHECK_EVERY = 1000

    def __init__(self):
        self.shapes: dict[tuple, tuple[list[str], list[tuple[int, int]]]] = {}
        self.dates: dict[date, str] = {}
        self.made = 0
        self.checked = 0

    def _date(self, day: date) -> str:
        if day not in self.dates:
            self.dates[day] = formats.date_format(day, "DATE_FORMAT")  # the `date` filter's call
        return self.dates[day]

    def text(self, *, report, title, notice_date, rows, shortfall) -> str:
        context = notice_context(
            report=report, title=title, notice_date=notice_date, rows=rows, shortfall=shortfall
        )
        key = (len(context["rows"]), bool(context["shortfall"]), bool(context["explanation"]))
        shape = self.shapes.get(key)
        first = shape is None
        if first:
            shape = self.shapes[key] = self._shape(context)
        pieces, slots = shape
        values = [shown(context[name]) for name in SCALARS]
        values[SCALARS.index("explanation")] = linebreaksbr(context["explanation"], autoescape=True)
        for row in context["rows"]:
            values.extend([shown(row[k]) for k in ROW_KEYS])
        values.append(shown(self._date(context["notice_date"])))
        out = pieces[:]
        for position, index in slots:
            out[position] = values[index]
        text = "".join(out)
        self.made += 1
        if first or self.made % self.CHECK_EVERY == 0:
            expected = str(render_notice(report=report, title=title, notice_date=notice_date, rows=rows))
            if text != expected:
                raise CommandError(
                    f"The filled notice text differs from render_notice's for shape {key}:\n"
                    f"{text}\n---\n{expected}"
                )
            self.checked += 1
        return text

    @staticmethod
    def _shape(context) -> tuple[list[str], list[tuple[int, int]]]:
        """The template's output split at the markers: pieces of text, and (piece, value) slots."""
        marked = {
            **context,
            **{name: f"\x00{i}\x00" for i, name in enumerate(SCALARS)},
            "explanation": f"\x00{SCALARS.index('explanation')}\x00" if context["explanation"] else "",
            "rows": [
                {k: f"\x00{len(SCALARS) + r * len(ROW_KEYS) + j}\x00" for j, k in enumerate(ROW_KEYS)}
                for r in range(len(context["rows"]))
            ],
            "notice_date": MARKER_DATE,
        }
        html = str(render_notice_context(marked))
        shown = formats.date_format(MARKER_DATE, "DATE_FORMAT")
        if html.count(shown) != 1:
            raise CommandError(f"The notice template shows the date {html.count(shown)} times, not once.")
        date_index = len(SCALARS) + len(context["rows"]) * len(ROW_KEYS)
        pieces = html.replace(shown, f"\x00{date_index}\x00").split("\x00")
        slots = [(p, int(pieces[p])) for p in range(1, len(pieces), 2)]
        return pieces, slots


def shown(value, localized={}) -> str:  # noqa: B006 (the memo of localized numbers)
    """A value as `{{ value }}` shows it with autoescape on (render_value_in_context: localize,
    then conditional_escape, which is html.escape for a plain str). The notice's other values are
    strings already; its numbers (years, row numbers) are few, so their localized form is kept."""
    if type(value) is str:
        return html.escape(value)
    if value not in localized:
        localized[value] = html.escape(str(formats.localize(value)))
    return localized[value]


def new_instance(model, template: dict, related=None, **values):
    """A model instance without Model.__init__ (no signal receivers on these models): the
    field values of `template` (a default instance's) updated with `values`; `related` objects
    (already written, so with their pk) are set as `<name>_id` and kept as the related object."""
    obj = model.__new__(model)
    obj.__dict__.update(template)
    obj.__dict__.update(values)
    obj._state = ModelState()
    if related:
        for name, other in related.items():
            setattr(obj, f"{name}_id", other.pk)
        obj._state.fields_cache = dict(related)
    return obj


def defaults_of(model) -> dict:
    values = dict(model().__dict__)
    values.pop("_state")
    return values


class OrmWriter:
    """bulk_create (SQLite, and the comparison test): the ids come back from the database."""

    def write(self, model, objects):
        with stamped_as_given(model):
            model.objects.bulk_create(objects, batch_size=5000)


class CopyWriter:
    """COPY … FROM STDIN (CSV) on PostgreSQL, with ids drawn from the table's sequence first (each
    nextval is the writer's own, whoever else inserts at the same time)."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.layouts = {}

    def layout(self, model):
        """Column list, a getter of every field's value (attrgetter: one C call per object) and the
        positions of the JSON fields. The csv module writes the other values with str(): Decimals,
        ints, dates and aware datetimes as PostgreSQL reads them, booleans as True/False."""
        if model not in self.layouts:
            fields = model._meta.concrete_fields
            self.layouts[model] = (
                ", ".join(connection.ops.quote_name(f.column) for f in fields),
                operator.attrgetter(*(f.attname for f in fields)),
                [(i, f.encoder) for i, f in enumerate(fields) if isinstance(f, models.JSONField)],
            )
        return self.layouts[model]

    def write(self, model, objects):
        if not objects:
            return
        table = model._meta.db_table
        missing = [obj for obj in objects if obj.pk is None]
        if missing:
            self.cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(missing)],
            )
            for obj, (pk,) in zip(missing, self.cursor.fetchall(), strict=True):
                obj.pk = pk
        columns, values_of, json_fields = self.layout(model)
        lines = [values_of(obj) for obj in objects]
        if json_fields:
            lines = [list(line) for line in lines]
            for line in lines:
                for i, encoder in json_fields:
                    if line[i] is not None:
                        line[i] = json.dumps(line[i], cls=encoder)
        buffer = io.StringIO()
        # QUOTE_NOTNULL: None is an empty unquoted field (NULL), "" a quoted empty string.
        csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n").writerows(lines)
        buffer.seek(0)
        self.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
        for obj in objects:
            obj._state.adding, obj._state.db = False, connection.alias


# From this many notices on, the GIN search indexes are built once after the load rather than
# updated row by row (fastupdate=off: ~4 ms a notice, more than everything else together).
SET_ASIDE_FROM = 50_000
GIN_TABLE = "announcements_announcement"


@contextmanager
def search_indexes_set_aside(active: bool) -> Iterator[list[str]]:
    """Drop the GIN indexes of the notices table, let the caller load, then create them again
    from their own definitions (pg_indexes), whatever happened, two at a time on two connections
    with a large maintenance_work_mem. Yields the names rebuilt (filled in at the end)."""
    rebuilt: list[str] = []
    if not active:
        yield rebuilt
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [GIN_TABLE, "% USING gin %"],
        )
        definitions = cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield rebuilt
    finally:

        def build(definition):
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SET maintenance_work_mem = '1GB'")
                    cursor.execute(definition)
            finally:
                connection.close()

        connections.close_all()  # the threads open their own (a worker's fork shared none)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(build, [definition for _name, definition in definitions]))
        rebuilt.extend(name for name, _definition in definitions)


class Command(BaseCommand):
    help = "Create N published notices with R rows each, fast, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--notices", type=int, default=1000)
        parser.add_argument("--rows", type=int, default=8)
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument("--revoked-share", type=float, default=0.01)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes on PostgreSQL (default 2 from 10,000 notices on, else 1)",
        )
        parser.add_argument(
            "--writer",
            choices=("auto", "copy", "orm"),
            default="auto",
            help="COPY on PostgreSQL, bulk_create on SQLite (auto); orm forces bulk_create",
        )
        parser.add_argument(
            "--set-aside-search-indexes",
            dest="set_aside",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"drop the notices' GIN indexes during the load and build them again after it "
            f"(default: with COPY from {SET_ASIDE_FROM:,} notices on)",
        )

    def handle(self, *args, notices, rows, batch, seed, revoked_share, workers, writer, set_aside, **options):
        postgres = connection.vendor == "postgresql"
        if writer == "copy" and not postgres:
            raise CommandError("COPY needs PostgreSQL.")
        use_copy = postgres and writer != "orm"
        if workers is None:
            workers = 2 if use_copy and notices >= 10000 else 1
        if workers > 1 and (not use_copy or connection.in_atomic_block):
            raise CommandError("Worker processes need PostgreSQL with COPY, outside a transaction.")
        existing = Institution.objects.count()
        districts = list(District.objects.exclude(code="310000"))
        groups = {
            position: Group.objects.get(name=POSITION_GROUP_NAMES[position]).pk
            for position in (Position.HANDLER, Position.PURCHASER_REVIEWER, Position.FINANCE_REVIEWER)
        }
        started = time.monotonic()
        with translation.override(settings.LANGUAGE_CODE):
            finance = self._finance_reviewers(
                random.Random(seed + existing), districts, groups[Position.FINANCE_REVIEWER]
            )
        # Worker k makes its share of the notices with units numbered from existing + k × share on.
        shares = [notices // workers + (k < notices % workers) for k in range(workers)]
        jobs = [
            dict(
                worker=k,
                notices=share,
                serial=existing + sum(shares[:k]),
                rng_seed=seed + existing + 7919 * k,
            )
            for k, share in enumerate(shares)
        ]
        common = dict(
            districts=districts,
            finance=finance,
            groups=groups,
            rows_per=rows,
            batch=batch,
            revoked_share=revoked_share,
            use_copy=use_copy,
            started=started,
            parallel=workers > 1,
        )
        if set_aside is None:
            set_aside = use_copy and notices >= SET_ASIDE_FROM and not connection.in_atomic_block
        if set_aside and (not postgres or connection.in_atomic_block):
            raise CommandError("Setting the search indexes aside needs PostgreSQL, outside a transaction.")
        with search_indexes_set_aside(set_aside) as rebuilt:
            if workers == 1:
                self._run(**jobs[0], **common)
            else:
                connections.close_all()  # each process opens its own connection
                context = multiprocessing.get_context("fork")
                processes = [context.Process(target=self._child, kwargs={**job, **common}) for job in jobs]
                for process in processes:
                    process.start()
                for process in processes:
                    process.join()
                if any(p.exitcode for p in processes):
                    raise CommandError(f"A worker failed: exit codes {[p.exitcode for p in processes]}.")
            written = time.monotonic() - started
        if rebuilt:
            self.stdout.write(
                f"Search indexes rebuilt ({', '.join(rebuilt)}): {time.monotonic() - started:.0f} s"
            )
        if postgres:
            # Fresh statistics let the planner pick the search indexes (public.search).
            with connection.cursor() as cursor:
                for table, vacuum in (
                    ("announcements_announcement", True),
                    ("accounts_institution", True),
                    ("accounts_user", True),
                    ("announcements_flowlogentry", False),
                    ("reservations_reservedproject", False),
                    ("reservations_report", False),
                ):
                    # VACUUM sets the visibility map the public list's index-only scan reads (and
                    # settles GIN indexes); it cannot run inside a transaction. The three big
                    # tables no public page scans are only analysed (autovacuum follows).
                    verb = "VACUUM ANALYZE" if vacuum and not connection.in_atomic_block else "ANALYZE"
                    cursor.execute(f"{verb} {table}")
        bump_public_cache()
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {notices} notices × {rows} rows in {time.monotonic() - started:.1f} s "
                f"(written in {written:.1f} s by {workers} process(es) with "
                f"{'COPY' if use_copy else 'bulk_create'})"
            )
        )

    def _child(self, **job):
        try:
            self._run(**job)
        finally:
            connections.close_all()

    def _run(self, *, worker, parallel, notices, serial, rng_seed, use_copy, batch, started, **common):
        rng = random.Random(rng_seed)
        texts = NoticeTexts()
        rules = {}
        done = 0
        # Titles and notice texts in the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            while done < notices:
                size = min(batch, notices - done)
                with transaction.atomic():
                    if use_copy:
                        with connection.cursor() as cursor:
                            serial = self._batch(
                                CopyWriter(cursor), rng, texts, rules, size, serial, **common
                            )
                    else:
                        serial = self._batch(OrmWriter(), rng, texts, rules, size, serial, **common)
                done += size
                # DEBUG (which installs this app) keeps the SQL of every query: megabytes per batch.
                reset_queries()
                label = f"[worker {worker}] " if parallel else ""
                self.stdout.write(f"{label}{done}/{notices} notices ({time.monotonic() - started:.0f} s)")

    def _finance_reviewers(self, rng, districts, group_id) -> dict[int, User]:
        """One finance reviewer per district, at its finance bureau (created when missing)."""
        reviewers = {}
        for district in districts:
            bureau = (
                Institution.objects.filter(
                    district=district, kind=InstitutionKind.FINANCE_BUREAU, is_active=True
                )
                .order_by("pk")
                .first()
            )
            if bureau is None:
                name = "上海市财政局" if district.code == "319900" else f"上海市{district.name}财政局"
                bureau = Institution.objects.create(
                    name=name, district=district, kind=InstitutionKind.FINANCE_BUREAU
                )
            user, created = User.objects.get_or_create(
                username=f"bulk-finance-{district.code}",
                defaults={
                    "full_name": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                    "institution": bureau,
                    "password": make_password(None),
                },
            )
            if created:
                user.groups.add(group_id)
            reviewers[district.pk] = user
        return reviewers

    def _staff(self, writer, rng, institutions, groups) -> list[tuple[User, User]]:
        """A handler and a purchaser reviewer for each new institution (no usable password)."""
        roles = (("handler", groups[Position.HANDLER]), ("reviewer", groups[Position.PURCHASER_REVIEWER]))
        users = [
            User(
                username=f"bulk-{institution.pk}-{role}",
                full_name=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                institution=institution,
                password=make_password(None),
            )
            for institution in institutions
            for role, _group in roles
        ]
        writer.write(User, users)
        membership = User.groups.through
        writer.write(
            membership,
            [membership(user_id=user.pk, group_id=roles[index % 2][1]) for index, user in enumerate(users)],
        )
        return list(zip(users[::2], users[1::2], strict=True))

    def _rows(self, rng, year, rows_per, template) -> list[ReservedProject]:
        rows = []
        for position in range(rows_per):
            subject, category = rng.choice(SUBJECTS)
            sme = money(rng, 5, 400)
            small = min(sme, (sme * Decimal(rng.randint(40, 100)) / 100).quantize(WAN_QUANTUM))
            # Most projects are reserved whole; the others reserve a share of a larger budget.
            if rng.random() < 0.7:
                option, ratio = ReservationOption.WHOLE, Decimal("100.00")
                budget = sme * Decimal(rng.randint(100, 130)) / 100
            else:
                option, ratio = (
                    rng.choice(PARTIAL_OPTIONS),
                    Decimal(rng.choice(("30.00", "35.00", "40.00", "50.00", "60.00"))),
                )
                budget = sme * 100 / ratio * Decimal(rng.randint(100, 120)) / 100
            rows.append(
                new_instance(
                    ReservedProject,
                    template,
                    position=position,
                    name=f"{year}年度{subject}{rng.choice(SUFFIXES)}",
                    code=f"SH{year}{rng.randrange(10**7):07d}",
                    category=category,
                    option=option,
                    ratio=ratio,
                    budget_amount=budget.quantize(WAN_QUANTUM),
                    sme_amount=sme,
                    small_micro_amount=small,
                    contract_url=f"https://www.zfcg.sh.gov.cn/site/detail?contractId={rng.randrange(10**12)}",
                    # A date in the report year (not drawn: the random stream stays as it was).
                    procurement_date=date(year, 1 + position % 12, 1 + position % 28),
                    # Set on every row: the shortfall rows keep it (row_verdict_store clears the others).
                    shortfall_reason=ShortfallReason.values[position % len(ShortfallReason.values)],
                )
            )
        return rows

    def _batch(
        self,
        writer,
        rng,
        texts,
        rules_by_region,
        size,
        serial,
        *,
        districts,
        finance,
        groups,
        rows_per,
        revoked_share,
    ) -> int:
        now = timezone.now()
        # Each new institution files one notice for each of several years.
        institutions = []
        plan = []  # (institution index, year)
        while len(plan) < size:
            district = rng.choice(districts)
            serial += 1
            if district.code == "319900" or rng.random() < 0.25:
                name = (
                    f"上海市{'' if district.code == '319900' else district.name}{rng.choice(DISTRICT_UNITS)}"
                )
            else:
                name = f"上海市{district.name}{rng.choice(PLACES)}{rng.choice(UNIT_KINDS)}"
            name = f"{name}(第{serial}号)" if rng.random() < 0.02 else name
            institutions.append(Institution(name=name, district=district, kind=InstitutionKind.BUDGET_UNIT))
            years = rng.sample(YEARS, rng.randint(1, len(YEARS)))
            plan.extend((len(institutions) - 1, y) for y in years)
        plan = plan[:size]
        writer.write(Institution, institutions)
        staff = self._staff(writer, rng, institutions, groups)

        timelines = [Timeline.random(rng, now, revoked=rng.random() < revoked_share) for _ in plan]
        row_template, report_template = defaults_of(ReservedProject), defaults_of(Report)
        notice_template = defaults_of(Announcement)
        reports, by_report, shortfalls = [], [], []
        for (i, year), timeline in zip(plan, timelines, strict=True):
            institution = institutions[i]
            mine = self._rows(rng, year, rows_per, row_template)
            # Stored with the verdict the services would store (the same function), and a reason
            # on each shortfall row, as a unit's submission needs.
            region = institution.district.code
            rules = rules_by_region.get(region)
            if rules is None:  # read once per district and run, not once per notice
                rules = rules_by_region[region] = rules_for_region(region=region)
            for row in mine:
                row_verdict_store(row, region=region, rules=rules, year=year)
            warnings = policy_warnings(rows=mine, year=year, region=region, rules=rules)
            # What notice_context would compute again from the same rules (report_policy_warnings).
            shortfalls.append(any(w.requires_explanation for w in warnings))
            sme_total, small_micro_total = rows_totals(mine)
            reports.append(
                new_instance(
                    Report,
                    report_template,
                    related={"institution": institution, "created_by": staff[i][0]},
                    year=year,
                    competent_unit_name=institution.name
                    if rng.random() < 0.6
                    else f"上海市{institution.district.name}{rng.choice(DISTRICT_UNITS)}",
                    explanation=explanation_for(warnings),
                    needs_explanation=any(r.verdict_status == VerdictStatus.SHORTFALL for r in mine),
                    small_micro_below=has_small_micro_shortfall(warnings),
                    sme_total=sme_total,
                    small_micro_total=small_micro_total,
                    created_at=timeline.drafted,
                    updated_at=timeline.drafted,
                )
            )
            by_report.append(mine)
        writer.write(Report, reports)
        for report, mine in zip(reports, by_report, strict=True):
            for row in mine:
                row.report_id = report.pk
        writer.write(ReservedProject, [row for mine in by_report for row in mine])

        notices, steps = [], []
        for report, mine, shortfall, (i, year), timeline in zip(
            reports, by_report, shortfalls, plan, timelines, strict=True
        ):
            institution, (handler, reviewer) = institutions[i], staff[i]
            finance_reviewer = finance[institution.district_id]
            title = default_title(institution=institution, year=year)[:200]
            notice = new_instance(
                Announcement,
                notice_template,
                related={
                    "institution": institution,
                    "district": institution.district,
                    "report": report,
                    "created_by": handler,
                    "submitted_by": handler,
                },
                public_id=new_public_id(),
                year=year,
                title=title,
                state=State.REVOKED if timeline.revoked else State.PUBLISHED,
                submitted_at=timeline.submitted,
                approved_at=timeline.published,
                published_at=timeline.published,
                revoked_at=timeline.revoked,
                revoke_reason=REVOKE_REASON if timeline.revoked else "",
                view_count=rng.randrange(500),
                created_at=timeline.drafted,
                updated_at=timeline.revoked or timeline.published,
            )
            notice.published_html = texts.text(
                report=report, title=title, notice_date=notice_date(notice), rows=mine, shortfall=shortfall
            )
            parts = search_text_parts(
                title=title,
                unit=institution.name,
                competent_unit=report.competent_unit_name,
                project_names=[r.name for r in mine],
            )
            notice.search_text, notice.search_grams = "\n".join(parts), grams_for(parts)
            taken = [
                (PUBLICATION[0], handler, timeline.submitted, ""),
                (PUBLICATION[1], reviewer, timeline.reviewed, ""),
                (PUBLICATION[2], finance_reviewer, timeline.published, ""),
            ]
            if timeline.revoked:
                taken.append((Action.REVOKE, finance_reviewer, timeline.revoked, REVOKE_REASON))
            # Version 1 at creation, 2 after the rows were saved, one more per transition: the
            # snapshot of each step is taken after its transition, as the workflow takes it.
            for number, (action, actor, at, reason) in enumerate(taken, start=1):
                notice.version = 2 + number
                snapshot = submit_snapshot(notice, mine) if action == Action.SUBMIT else snapshot_of(notice)
                steps.append((notice, TRANSITIONS[action], actor, at, reason, snapshot))
            notices.append(notice)
        writer.write(Announcement, notices)
        entry_template = defaults_of(FlowLogEntry)
        writer.write(
            FlowLogEntry,
            [
                new_instance(
                    FlowLogEntry,
                    entry_template,
                    announcement_id=notice.pk,
                    actor_id=actor.pk,
                    action=transition.action.value,
                    from_state=transition.from_states[0],
                    to_state=transition.to_state,
                    reason=reason,
                    snapshot=snapshot,
                    created_at=at,
                )
                for notice, transition, actor, at, reason, snapshot in steps
            ],
        )
        return serial
