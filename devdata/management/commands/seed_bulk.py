"""Bulk published notices for the benchmark: `manage.py seed_bulk --notices N --rows R`.

Each notice is what a publication through the workflow leaves behind, written in bulk:
- new budget units, each with a handler (创建人 and submitter) and a purchaser reviewer; every
  district's finance bureau gets one finance reviewer (`bulk-finance-<code>`), once;
- the report and its rows with totals from `reservations.money.rows_totals`, each row dated in
  its year with its stored verdict (`reservations.services.row_verdict_store`, judged once per
  row of the district's and year's pool the row's figures come from: `RowPool`) and a reason
  where it misses a threshold, and a 说明 wherever `reservations.rules.policy_warnings` asks for
  one (a submit without them would be refused);
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
- on PostgreSQL each batch is written with COPY in text format (ids reserved from the tables'
  sequences first, so the flow log's snapshots name the rows' ids) and, by default, by 2 worker
  processes, each with its own connection and its own units; on SQLite through bulk_create;
- from SET_ASIDE_FROM notices on, the written tables' indexes that enforce nothing and their
  foreign keys are dropped during the load and built and validated again after it
  (`indexes_set_aside`).
Each batch is one transaction. Each run adds new institutions (one notice per institution and
year, as the database requires); it never changes existing rows.
"""

import argparse
import gc
import html
import io
import json
import multiprocessing
import operator
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections, models, reset_queries, transaction
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
SHORTFALL_REASONS = tuple(ShortfallReason.values)


def money(rng, low, high) -> Decimal:
    # Cents and sometimes the fen-precision sixth decimal of 万元, never a float; stored precision.
    cents = Decimal(rng.randrange(int(low * 10000), int(high * 10000))) / Decimal(10000)
    return (cents + Decimal(rng.choice((0, 0, 0, rng.randrange(1, 99)))) / Decimal(1000000)).quantize(
        WAN_QUANTUM
    )


@dataclass(frozen=True)
class PoolRow:
    """A row's figures (the inputs of its verdict) and the verdict stored with them."""

    subject: str
    values: dict  # the ReservedProject fields: category … procurement_date and the stored verdict
    keeps_reason: bool
    base: dict  # a new row's __dict__ before its own fields: the template updated with `values`


# The fields of a row that are its pool row's (the figures and the stored verdict), and the
# attribute of a drawn row that holds its pool row's base dict.
POOL_FIELDS = (
    "category",
    "option",
    "ratio",
    "budget_amount",
    "sme_amount",
    "small_micro_amount",
    "procurement_date",
    "verdict",
    "verdict_status",
    "verdict_missed",
    "unit",
)
POOL_BASE = "_pool_base"


class RowPool:
    """Realistic rows judged once: for each district and year, up to SIZE rows (a subject, its
    category, the amounts, how and how much is reserved, the procurement date in that year), each
    drawn the first time it is picked and judged then through `row_verdict_store` (the domain's
    function, under the district's rules read once per run); a notice's rows are picked from its
    district's and year's pool. The verdict is a function of those figures, the district and the
    year alone, so a picked row stores exactly what judging it again would store."""

    SIZE = 1000

    def __init__(self, rng, template):
        self.rng = rng
        self.template = template
        self.rules_by_region: dict[str, list] = {}
        self.pools: dict[tuple[str, int], list[PoolRow | None]] = {}
        self.judged = 0
        # id() of each pool row's verdict (alive for the whole run) -> its JSON, for CopyWriter.
        self.json_memo: dict[int, str] = {}
        # id() of each pool row's base -> the COPY text of its POOL_FIELDS, for CopyWriter.
        self.copy_memo: dict[int, tuple[str, int]] = {}
        self.encoder = ReservedProject._meta.get_field("verdict").encoder

    def rules(self, region: str) -> list:
        rules = self.rules_by_region.get(region)
        if rules is None:  # read once per district and run, not once per notice
            rules = self.rules_by_region[region] = rules_for_region(region=region)
        return rules

    def draw(self, region: str, year: int) -> PoolRow:
        pool = self.pools.get((region, year))
        if pool is None:
            pool = self.pools[region, year] = [None] * self.SIZE
        index = self.rng.randrange(self.SIZE)
        drawn = pool[index]
        if drawn is None:
            drawn = pool[index] = self._new(region, year)
        return drawn

    def _new(self, region: str, year: int) -> PoolRow:
        rng = self.rng
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
        values = dict(
            category=category,
            option=option,
            ratio=ratio,
            budget_amount=budget.quantize(WAN_QUANTUM),
            sme_amount=sme,
            small_micro_amount=small,
            procurement_date=date(year, 1, 1) + timedelta(days=rng.randrange(365)),
        )
        probe = new_instance(ReservedProject, self.template, **values, shortfall_reason="-")
        row_verdict_store(probe, region=region, rules=self.rules(region), year=year)
        values.update(
            verdict=probe.verdict, verdict_status=probe.verdict_status, verdict_missed=probe.verdict_missed
        )
        self.judged += 1
        self.json_memo[id(probe.verdict)] = json.dumps(probe.verdict, cls=self.encoder, ensure_ascii=False)
        return PoolRow(
            subject=subject,
            values=values,
            keeps_reason=bool(probe.shortfall_reason),
            base={**self.template, **values},
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
SCALAR_VALUES, ROW_VALUES = operator.itemgetter(*SCALARS), operator.itemgetter(*ROW_KEYS)
EXPLANATION_INDEX = SCALARS.index("explanation")


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
        self.explanations: dict[str, str] = {}
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
        values = [*SCALAR_VALUES(context)]
        for row in context["rows"]:
            values.extend(ROW_VALUES(row))
        values.append(self._date(context["notice_date"]))
        # Escaped all at once (html.escape maps characters, and never makes or takes a \x00).
        values = html.escape("\x00".join([v if type(v) is str else localized(v) for v in values])).split(
            "\x00"
        )
        explanation = context["explanation"]
        shown = self.explanations.get(explanation)
        if shown is None:  # the same few 说明 come back: each goes through the filter once
            shown = self.explanations[explanation] = linebreaksbr(explanation, autoescape=True)
        values[EXPLANATION_INDEX] = shown
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


def localized(value, memo={}) -> str:  # noqa: B006 (the memo of localized numbers)
    """A value that is not a str as `{{ value }}` shows it before escaping (render_value_in_context:
    localize, then conditional_escape, which is html.escape for a plain str). The notice's other
    values are strings already; its numbers (years, row numbers) are few, so their form is kept."""
    text = memo.get(value)
    if text is None:
        text = memo[value] = str(formats.localize(value))
    return text


def new_instance(model, template: dict, related=None, **values):
    """A model instance without Model.__init__ (no signal receivers on these models): the
    field values of `template` (a default instance's) updated with `values`; `related` objects
    (already written, so with their pk) are set as `<name>_id` and kept as the related object."""
    obj = model.__new__(model)
    fields = obj.__dict__
    fields.update(template)
    fields.update(values)
    state = fields["_state"] = ModelState()
    if related:
        # Straight into __dict__: the foreign key's descriptor would only compare with a cache
        # that is empty here.
        for name, other in related.items():
            fields[ATTNAMES.get(name) or ATTNAMES.setdefault(name, f"{name}_id")] = other.pk
        state.fields_cache = dict(related)
    return obj


ATTNAMES: dict[str, str] = {}


def defaults_of(model) -> dict:
    values = dict(model().__dict__)
    values.pop("_state")
    return values


class OrmWriter:
    """bulk_create (SQLite, and the comparison test): the ids come back from the database."""

    def write(self, model, objects):
        with stamped_as_given(model):
            model.objects.bulk_create(objects, batch_size=5000)


# COPY's text format, built for a whole table's batch at once, with control characters that
# PostgreSQL's text never holds (NUL it refuses; the other two are checked absent by counting) as
# the field delimiter (\x01) and the NULL string (\x02) of the COPY command, and NUL in place of
# the line ends: the whole text is escaped (backslash, newline and carriage return: the only
# characters special in a value when the delimiter is not a tab), then the NULs become the line
# ends in one byte-for-byte translation.
FIELD, LINE, NULL = "\x01", "\x00", "\x02"
FIELD_BYTE, LINE_BYTE, NULL_BYTE = (c.encode() for c in (FIELD, LINE, NULL))
ESCAPES = ((b"\\", b"\\\\"), (b"\n", b"\\n"), (b"\r", b"\\r"))
LINE_ENDS = bytes.maketrans(LINE_BYTE, b"\n")
CONTROL_BYTES = FIELD_BYTE + LINE_BYTE + NULL_BYTE
COPY_OPTIONS = "DELIMITER E'\\x01', NULL E'\\x02'"


def _getter(names):
    """A getter of these keys' values from a dict, always as a tuple."""
    if len(names) == 1:
        name = names[0]
        return lambda values: (values[name],)
    return operator.itemgetter(*names)


count_none = operator.methodcaller("count", None)
# Fields whose values an object shares with a dict alive for the whole run, named by an
# attribute of the object: converted once per such dict (a row's figures and verdict, its pool's).
SHARED_FIELDS = {ReservedProject: (POOL_BASE, POOL_FIELDS)}
TEXT_TYPES = {"CharField", "TextField", "EmailField", "URLField", "SlugField"}


@dataclass(frozen=True)
class Layout:
    """How a model's objects become COPY lines: the columns in COPY's order (those that are never
    NULL first, then the nullable ones, then the JSON ones), a getter for each group from an
    object's __dict__, the JSON encoders and the table's id sequence."""

    columns: str
    width: int
    plain: object
    texts: object | None  # the never-NULL columns that hold text: str(None) would pass as "None"
    nullable: object | None
    json: object | None
    encoders: tuple
    sequence: str
    shared: tuple = ()  # the fields converted once per shared dict (after the others)


class CopyWriter:
    """COPY … FROM STDIN (text format) on PostgreSQL, with ids drawn from the table's sequence
    first (each nextval is the writer's own, whoever else inserts at the same time).

    A line is made in C as far as it can be: the columns that are never NULL go through
    `FIELD.join(map(str, …))` (strings as they are, choices as their value, Decimals, ints, dates
    and aware datetimes as PostgreSQL reads them, booleans as True/False); the nullable columns
    and the JSON columns are converted one by one. `json_memo` maps id() of JSON values that live
    for the whole run (the verdicts of the row pool) to their text, encoded once."""

    def __init__(self, cursor, json_memo=None, shared_memo=None):
        self.cursor = cursor
        self.layouts = {}
        self.json_memo = {} if json_memo is None else json_memo
        self.shared_memo = {} if shared_memo is None else shared_memo
        self.encoders = {}

    def layout(self, model) -> Layout:
        layout = self.layouts.get(model)
        if layout is None:
            shared_names = SHARED_FIELDS.get(model, ("", ()))[1]
            shared = [model._meta.get_field(name) for name in shared_names]
            fields = [f for f in model._meta.concrete_fields if f not in shared]
            json_fields = [f for f in fields if isinstance(f, models.JSONField)]
            nullable = [f for f in fields if f.null and f not in json_fields]
            plain = [f for f in fields if f not in json_fields and f not in nullable]
            ordered = plain + nullable + json_fields + shared
            self.cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            layout = self.layouts[model] = Layout(
                columns=", ".join(connection.ops.quote_name(f.column) for f in ordered),
                width=len(ordered),
                plain=_getter([f.attname for f in plain]),
                texts=_getter(texts)
                if (texts := [f.attname for f in plain if f.get_internal_type() in TEXT_TYPES])
                else None,
                nullable=_getter([f.attname for f in nullable]) if nullable else None,
                json=_getter([f.attname for f in json_fields]) if json_fields else None,
                encoders=tuple(f.encoder for f in json_fields),
                sequence=self.cursor.fetchone()[0],
                shared=tuple(shared),
            )
        return layout

    def _shared(self, values: dict, fields) -> tuple[str, int]:
        """The COPY text of `fields` from a shared dict, and how many of them are NULL."""
        texts = []
        for f in fields:
            value = values[f.attname]
            if isinstance(f, models.JSONField):
                texts.append(self._json(value, f.encoder))
            else:
                texts.append(NULL if value is None else str(value))
        return FIELD.join(texts), texts.count(NULL)

    def _json(self, value, encoder) -> str:
        if value is None:
            return NULL
        text = self.json_memo.get(id(value))
        if text is None:
            # Not ASCII-escaped: jsonb stores the same value either way. One encoder per class.
            encode = self.encoders.get(encoder)
            if encode is None:
                encode = self.encoders[encoder] = (encoder or json.JSONEncoder)(ensure_ascii=False).encode
            text = encode(value)
        return text

    def write(self, model, objects):
        if not objects:
            return
        table = model._meta.db_table
        layout = self.layout(model)
        missing = [obj for obj in objects if obj.pk is None]
        if missing:
            # One row with every id: not one row per id to fetch and convert.
            self.cursor.execute(
                "SELECT string_agg(nextval(%s)::text, ',') FROM generate_series(1, %s)",
                [layout.sequence, len(missing)],
            )
            pk_name = model._meta.pk.attname
            for obj, pk in zip(missing, map(int, self.cursor.fetchone()[0].split(",")), strict=True):
                obj.__dict__[pk_name] = pk
        dicts = [obj.__dict__ for obj in objects]
        plain = list(map(layout.plain, dicts))
        # bulk_create would send NULL and PostgreSQL refuse it: so does COPY (a None in another
        # never-NULL column is refused by the column's type: "None" is no number, date or boolean).
        if layout.texts and sum(map(count_none, map(layout.texts, dicts))):
            raise CommandError(f"A value that may not be NULL is None in {table}.")
        parts = [[FIELD.join(map(str, values)) for values in plain]]
        nulls = 0
        if layout.nullable:
            nullable = list(map(layout.nullable, dicts))
            nulls += sum(map(count_none, nullable))
            parts.append([FIELD.join([NULL if v is None else str(v) for v in values]) for values in nullable])
        if layout.json:
            encoders, to_json = layout.encoders, self._json
            json_values = list(map(layout.json, dicts))
            nulls += sum(map(count_none, json_values))
            parts.append(
                [
                    FIELD.join([to_json(v, e) for v, e in zip(values, encoders, strict=True)])
                    for values in json_values
                ]
            )
        if layout.shared:
            # Each object's values of these fields are those of its shared dict (a row and the
            # pool row it was drawn from: alive for the whole run): converted once per dict.
            key, memo, texts = SHARED_FIELDS[model][0], self.shared_memo, []
            for values in dicts:
                shared = values[key]
                text = memo.get(id(shared))
                if text is None:
                    text = memo[id(shared)] = self._shared(shared, layout.shared)
                texts.append(text[0])
                nulls += text[1]
            parts.append(texts)
        lines = parts[0] if len(parts) == 1 else list(map(FIELD.join, zip(*parts, strict=True)))
        # Escaped as UTF-8 bytes: single-byte replacements there are several times faster than
        # in a str of Chinese text (and no multi-byte sequence holds a byte below 0x80).
        data = LINE.join(lines).encode()
        # Exactly the delimiters, line ends and NULLs put in, and none in a value (one pass:
        # what deleting the three bytes takes away).
        expected = len(lines) * (layout.width - 1) + len(lines) - 1 + nulls
        if len(data) - len(data.translate(None, CONTROL_BYTES)) != expected:
            raise CommandError(f"A value for {table} holds a control character (\\x00–\\x02).")
        for old, new in ESCAPES:
            data = data.replace(old, new)
        data = data.translate(LINE_ENDS)
        self.cursor.copy_expert(
            f"COPY {table} ({layout.columns}) FROM STDIN WITH ({COPY_OPTIONS})",
            io.BytesIO(data + b"\n"),
            1 << 20,
        )
        alias = connection.alias  # (a lookup in the connection's context local)
        for obj in objects:
            state = obj._state
            state.adding, state.db = False, alias


# From this many notices on, the load tables' secondary indexes and foreign keys are set aside
# during the load and built again after it (kept up to date row by row, the GIN search indexes
# alone cost ~4 ms a notice with fastupdate=off, the B-tree indexes and the foreign keys' checks
# most of the rest of PostgreSQL's time).
SET_ASIDE_FROM = 50_000
LOAD_MODELS = (Institution, User, User.groups.through, Report, ReservedProject, Announcement, FlowLogEntry)


@dataclass
class SetAside:
    """What a load set aside: (table, index name, CREATE INDEX) and (table, constraint name,
    definition) of the foreign keys, read from the catalogue before they were dropped."""

    indexes: list[tuple[str, str, str]]
    foreign_keys: list[tuple[str, str, str]]
    seconds: float = 0.0
    jobs: list = field(default_factory=list)


def set_aside_definitions(cursor, tables: list[str]) -> SetAside:
    """The indexes that enforce nothing (not unique, no primary key, no constraint's) and the
    foreign keys of `tables`, with their definitions as PostgreSQL prints them."""
    cursor.execute(
        """
        SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
          AND NOT x.indisunique AND NOT x.indisprimary
          AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY pg_relation_size(t.oid) DESC, i.relname
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE c.contype = 'f' AND t.relname = ANY(%s)
          AND t.relnamespace = current_schema()::regnamespace
        ORDER BY t.relname, c.conname
        """,
        [tables],
    )
    return SetAside(indexes=indexes, foreign_keys=cursor.fetchall())


def _session_for_building(cursor):
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET work_mem = '256MB'")
    # A GIN index of 1,000,000 notices takes a minute or more: no command time limit.
    cursor.execute("SET statement_timeout = 0")


@dataclass
class Job:
    """A statement of the rebuild (or a table's validations, in order) on one table: `cost` is
    its estimated work, `validates` whether it takes the table's SHARE UPDATE EXCLUSIVE lock
    (VALIDATE CONSTRAINT: it waits for an index build or another validation of the same table)."""

    cost: float
    table: str
    validates: bool
    statements: list[str]
    seconds: float = 0.0


# An index build's cost: the table's size, times this for GIN (the trigram index of the search
# text is the longest job of the rebuild); a validation's cost: the table's size times VALIDATE.
GIN_WEIGHT, VALIDATE_WEIGHT = 6.0, 0.5


def _run_jobs(jobs: list[Job], connections_count: int = 2) -> list[str]:
    """Run the jobs on `connections_count` connections, the costliest first (longest processing
    time first: the connections finish close together), never two that would wait for each
    other's lock on the same table at once; every statement runs whatever another's fate.
    Returns the errors ("statement: error")."""
    pending = sorted(jobs, key=lambda job: job.cost, reverse=True)
    running: list[Job] = []
    errors: list[str] = []
    ready = threading.Condition()

    def clashes(job):
        return any(r.table == job.table and (r.validates or job.validates) for r in running)

    def run():
        try:
            with connection.cursor() as cursor:
                _session_for_building(cursor)
                while True:
                    with ready:
                        while True:
                            if not pending:
                                return
                            job = next((j for j in pending if not clashes(j)), None)
                            if job is not None:
                                break
                            ready.wait()
                        pending.remove(job)
                        running.append(job)
                    started = time.monotonic()
                    try:
                        for statement in job.statements:
                            try:
                                cursor.execute(statement)
                            except DatabaseError as error:
                                errors.append(f"{statement}: {error}")
                    finally:
                        job.seconds = time.monotonic() - started
                        with ready:
                            running.remove(job)
                            ready.notify_all()
        finally:
            connection.close()

    connections.close_all()  # the threads open their own (a worker's fork shared none)
    with ThreadPoolExecutor(connections_count) as executor:
        for future in [executor.submit(run) for _ in range(connections_count)]:
            future.result()
    return errors


@contextmanager
def indexes_set_aside(active: bool) -> Iterator[SetAside | None]:
    """Drop the secondary indexes (B-tree and GIN) and the foreign keys of the tables the load
    writes, let the caller load, then build them again from their own definitions whatever
    happened: the indexes two at a time on two connections with a large maintenance_work_mem,
    then each foreign key added NOT VALID and validated (PostgreSQL checks every row once, two
    tables at a time), so it ends as it was: the same definitions, validated. The unique indexes
    and the primary keys stay and check every row as it comes."""
    if not active:
        yield None
        return
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in LOAD_MODELS]
    with connection.cursor() as cursor:
        aside = set_aside_definitions(cursor, tables)
        for table, name, _definition in aside.foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for _table, name, _definition in aside.indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    try:
        yield aside
    finally:
        started = time.monotonic()
        errors = []
        with connection.cursor() as cursor:
            # The foreign keys come back NOT VALID first (the catalogue only: no scan) ...
            for table, name, definition in aside.foreign_keys:
                statement = f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition} NOT VALID"
                try:
                    with transaction.atomic():
                        cursor.execute(statement)
                except DatabaseError as error:
                    errors.append(f"{statement}: {error}")
            cursor.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class "
                "WHERE relname = ANY(%s) AND relnamespace = current_schema()::regnamespace",
                [tables],
            )
            size = dict(cursor.fetchall())
        # ... then the indexes are built and the foreign keys validated (a table's validations in
        # one job, one after the other: they would wait for each other) on two connections.
        jobs = [
            Job(
                size.get(table, 0) * (GIN_WEIGHT if " USING gin " in definition else 1.0),
                table,
                False,
                [definition],
            )
            for table, _name, definition in aside.indexes
        ]
        by_table: dict[str, list[str]] = {}
        for table, name, _definition in aside.foreign_keys:
            by_table.setdefault(table, []).append(
                f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {quote(name)}"
            )
        jobs += [
            Job(size.get(table, 0) * VALIDATE_WEIGHT * len(statements), table, True, statements)
            for table, statements in by_table.items()
        ]
        errors += _run_jobs(jobs)
        aside.jobs = jobs
        aside.seconds = time.monotonic() - started
        if errors:
            raise CommandError(
                "Some set-aside indexes or foreign keys did not come back:\n" + "\n".join(errors)
            )


def loading_session():
    """Settings of this connection for the load: a commit does not wait for its WAL to reach the
    disk (a crash loses the last batches, never consistency), and long texts are compressed with
    lz4 where the server has it (reads the same, costs a fraction of pglz's time)."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if cursor.fetchone()[0]:
            cursor.execute("SET default_toast_compression = 'lz4'")


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
            "--set-aside-indexes",
            "--set-aside-search-indexes",
            dest="set_aside",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"drop the secondary indexes and foreign keys of the tables written during the "
            f"load and build them again after it (default: with COPY from {SET_ASIDE_FROM:,} notices on)",
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
            raise CommandError("Setting indexes aside needs PostgreSQL, outside a transaction.")
        with indexes_set_aside(set_aside) as aside:
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
        if aside:
            self.stdout.write(
                f"{len(aside.indexes)} indexes built and {len(aside.foreign_keys)} foreign keys "
                f"validated again in {aside.seconds:.0f} s ({time.monotonic() - started:.0f} s)"
            )
            longest = sorted(aside.jobs, key=lambda job: job.seconds, reverse=True)[:4]
            self.stdout.write(
                "Longest: " + "; ".join(f"{job.statements[0][:60]}… {job.seconds:.1f} s" for job in longest)
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
        pool = RowPool(rng, defaults_of(ReservedProject))
        if use_copy:
            loading_session()
        # The cyclic garbage collector would walk the row pool (hundreds of thousands of objects)
        # again and again; a batch's objects are freed by their reference counts. So it runs
        # after each batch, over the youngest generations only (what the batch left).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._batches(
                rng, texts, pool, notices, serial, use_copy, batch, started, worker, parallel, common
            )
        finally:
            if collecting:
                gc.enable()

    def _batches(self, rng, texts, pool, notices, serial, use_copy, batch, started, worker, parallel, common):
        done = 0
        # Titles and notice texts in the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            while done < notices:
                size = min(batch, notices - done)
                with transaction.atomic():
                    if use_copy:
                        with connection.cursor() as cursor:
                            writer = CopyWriter(cursor, json_memo=pool.json_memo, shared_memo=pool.copy_memo)
                            serial = self._batch(writer, rng, texts, pool, size, serial, **common)
                    else:
                        serial = self._batch(OrmWriter(), rng, texts, pool, size, serial, **common)
                done += size
                # DEBUG (which installs this app) keeps the SQL of every query: megabytes per batch.
                reset_queries()
                gc.collect(1)
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
        unusable = make_password(None)  # one per batch: its 40 random characters cost 0.1 ms each
        # The defaults of a new User (date_joined: now), and the given fields of each.
        template = {**defaults_of(User), "password": unusable}
        users = [
            new_instance(
                User,
                template,
                related={"institution": institution},
                username=f"bulk-{institution.pk}-{role}",
                full_name=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
            )
            for institution in institutions
            for role, _group in roles
        ]
        writer.write(User, users)
        membership = User.groups.through
        template = defaults_of(membership)
        writer.write(
            membership,
            [
                new_instance(membership, template, user_id=user.pk, group_id=roles[index % 2][1])
                for index, user in enumerate(users)
            ],
        )
        return list(zip(users[::2], users[1::2], strict=True))

    def _rows(self, rng, pool, region, year, rows_per) -> list[ReservedProject]:
        """A notice's rows: each the figures of a row of the pool of its district and year (judged
        once) under a name, project number and contract link of its own."""
        rows = []
        draw, random_, new = pool.draw, rng.random, ReservedProject.__new__
        for position in range(rows_per):
            drawn = draw(region, year)
            row = new(ReservedProject)
            values = row.__dict__
            values.update(drawn.base)
            values["position"] = position
            values["name"] = f"{year}年度{drawn.subject}{SUFFIXES[int(random_() * len(SUFFIXES))]}"
            values["code"] = f"SH{year}{int(random_() * 10**7):07d}"
            values["contract_url"] = (
                f"https://www.zfcg.sh.gov.cn/site/detail?contractId={int(random_() * 10**12)}"
            )
            # A shortfall row keeps a reason, as a unit's submission needs; the others none (as
            # row_verdict_store leaves them).
            values["shortfall_reason"] = (
                SHORTFALL_REASONS[position % len(SHORTFALL_REASONS)] if drawn.keeps_reason else ""
            )
            values["_state"] = ModelState()
            values[POOL_BASE] = drawn.base  # (not a field: CopyWriter converts its fields once)
            rows.append(row)
        return rows

    def _batch(
        self,
        writer,
        rng,
        texts,
        pool,
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
        unit_template = defaults_of(Institution)
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
            institutions.append(
                new_instance(
                    Institution,
                    unit_template,
                    related={"district": district},
                    name=name,
                    kind=InstitutionKind.BUDGET_UNIT,
                )
            )
            years = rng.sample(YEARS, rng.randint(1, len(YEARS)))
            plan.extend((len(institutions) - 1, y) for y in years)
        plan = plan[:size]
        writer.write(Institution, institutions)
        staff = self._staff(writer, rng, institutions, groups)

        timelines = [Timeline.random(rng, now, revoked=rng.random() < revoked_share) for _ in plan]
        report_template = defaults_of(Report)
        notice_template = defaults_of(Announcement)
        reports, by_report, shortfalls = [], [], []
        for (i, year), timeline in zip(plan, timelines, strict=True):
            institution = institutions[i]
            region = institution.district.code
            # Stored with the verdict the services would store (judged by the same function), and
            # a reason on each shortfall row, as a unit's submission needs.
            mine = self._rows(rng, pool, region, year, rows_per)
            warnings = policy_warnings(rows=mine, year=year, region=region, rules=pool.rules(region))
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
                row.__dict__["report_id"] = report.pk  # (nothing cached for the descriptor to drop)
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
