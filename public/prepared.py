"""Queries of the hot public pages compiled to SQL once per process, then run with new values.

Building and compiling a queryset costs thousands of Python calls (about 2,500 for the detail
page's one-row query, against 70 to send its SQL and read the row), and the public pages run
the same few queries for every reader. A `PreparedQuery` builds its queryset once per database
alias (and per `shape`, e.g. with or without a cursor, or the page size), with sample values
standing for the parameters, compiles it, remembers where each sample went in the SQL's
parameters, and from then on only substitutes the real values, runs the SQL and applies the
ORM's own converters to the rows. The query is still written with the ORM, from the one
`announcements_published()` selector, so it can never differ from what the ORM would send.

Rules: `build` returns a `values_list()` queryset (fields and annotations, in the column order
wanted: Django compiles them in that order); every parameter is a str, an int (SmallInt for a
small-integer column) or an aware datetime, and each one given must reach the SQL as a
parameter, as it is or as a contains pattern (a LIMIT cannot: make it part of the shape; a shape
may leave parameters out). Tests compare the rows with the ORM's on SQLite and PostgreSQL.

`wrap(sql)` may put the compiled query inside a larger statement (public.paging's capped search
reads it as a subquery): it returns the new SQL and the names of the parameters its own
placeholders take, which follow the query's own in the SQL; the rows are then the statement's,
without converters.

`server_plan=True` (queries whose best plan does not depend on the values: a notice by its id,
the newest page of a listing without words) also keeps the statement prepared on each
PostgreSQL connection (`PREPARE`, then `EXECUTE` with the values and a generic plan forced), so
the server neither parses nor plans it again: planning cost 0.3–0.6 ms of a 1–2 ms page.
Searches never do: a plan made for one word's frequency is the cliff of issue 29 for another, and
the list by 地区 and 年份 does not either (its plan made without the values reads the wrong index).
"""

import itertools
import logging
import re
import threading
import weakref
from datetime import UTC, datetime

from django.db import DatabaseError, ProgrammingError, connections, router

logger = logging.getLogger(__name__)

_SAMPLE_DATETIME = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


class SmallInt(int):
    """A parameter type: an int compared with a small-integer column (such as `year`), whose
    sample must lie in the column's range (0–32767) or Django compiles the lookup to nothing."""


class PreparedQuery:
    def __init__(self, model, build, *, wrap=None, server_plan=False, **parameters):
        """`build(*shape, **parameters)` returns the queryset of `model` (which routes the read to
        a database); `parameters` names each parameter and its type (str, int, SmallInt or datetime)."""
        self.model = model
        self.build = build
        self.wrap = wrap
        self.server_plan = server_plan
        self.parameters = parameters
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def rows(self, *shape, prefix: str = "", **values) -> list[tuple]:
        """The rows for these values; `prefix`: statements sent before the query, in one string."""
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get((alias, shape))
        if compiled is None:
            compiled = self._compile(alias, shape)
        sql, slots, used, converters, fixed, extra = compiled
        if not used.issuperset(values):
            unused = sorted(set(values) - used)
            raise ValueError(f"parameters {unused} do not reach the SQL as parameters")
        connection = connections[alias]
        params = list(fixed)
        for index, name, adapt in slots:
            value = values[name]
            params[index] = adapt(value) if adapt is not None else value
        params += [values[name] for name in extra]
        with connection.cursor() as cursor:
            statement = None
            if self.server_plan and connection.vendor == "postgresql" and not connection.in_atomic_block:
                statement = _server_statement(connection, compiled)
            if statement is not None:
                try:
                    cursor.execute(prefix + statement, params)
                except DatabaseError as exc:
                    if getattr(exc.__cause__, "pgcode", None) != INVALID_STATEMENT_NAME:
                        raise
                    # The server lost it (a pooler, DISCARD): prepared again next time.
                    _prepared_on.pop(connection.connection, None)
                    cursor.execute(prefix + sql, params)
            else:
                cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, functions, expression in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted

    def _samples(self) -> dict:
        samples = {}
        for number, (name, kind) in enumerate(self.parameters.items()):
            if kind is str:
                samples[name] = f"\x1fprepared{number}\x1f"  # nothing a LIKE pattern escapes
            elif kind is SmallInt:
                samples[name] = 32_700 + number
            elif kind is int:
                samples[name] = -2_000_000_001 - number  # within an integer column's range
            elif kind is datetime:
                samples[name] = _SAMPLE_DATETIME.replace(microsecond=_SAMPLE_DATETIME.microsecond + number)
            else:
                raise TypeError(f"parameter {name}: {kind} is not str, int, SmallInt or datetime")
        return samples

    def _compile(self, alias, shape):
        connection = connections[alias]
        samples = self._samples()
        queryset = self.build(*shape, **samples)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        datetimes = connection.ops.adapt_datetimefield_value
        # Where each sample went: as it is (a datetime as the backend adapts it), or inside a
        # LIKE pattern (contains / icontains: '%' + the value with % _ \ escaped + '%').
        exact, like = {}, {}
        for name, sample in samples.items():
            if self.parameters[name] is datetime:
                exact[datetimes(sample)] = (name, datetimes)
            else:
                exact[sample] = (name, None)
            if self.parameters[name] is str:
                like[f"%{sample}%"] = (
                    name,
                    lambda value, ops=connection.ops: f"%{ops.prep_for_like_query(value)}%",
                )
        slots = []
        for index, param in enumerate(params):
            found = _lookup(exact, param) or _lookup(like, param)
            if found is not None:
                slots.append((index, *found))
        fields = [select[0] for select in compiler.select[0 : compiler.col_count]]
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(fields).items()
        ]
        extra = ()
        if self.wrap is not None:
            sql, extra = self.wrap(sql)
            converters = []
        used = frozenset((*(name for _, name, _ in slots), *extra))
        compiled = (sql, slots, used, converters, tuple(params), tuple(extra))
        with self._lock:
            self._compiled[(alias, shape)] = compiled
        return compiled


INVALID_STATEMENT_NAME = "26000"
# The statements prepared on each open PostgreSQL connection (keyed by the driver's connection,
# forgotten with it): {compiled query: "EXECUTE name(%s, …)", or None when it cannot be prepared}.
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_names = itertools.count(1)
_PLACEHOLDER = re.compile(r"%[s%]")


def _server_statement(connection, compiled) -> str | None:
    """The EXECUTE statement of `compiled` on this connection, preparing it the first time."""
    raw = connection.connection
    prepared = _prepared_on.get(raw)
    if prepared is None:
        prepared = _prepared_on.setdefault(raw, {})
    statement = prepared.get(id(compiled), False)
    if statement is not False:
        return statement
    sql, _, _, _, fixed, extra = compiled
    count = itertools.count(1)
    numbered = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(count)}", sql)
    name = f"public_prepared_{next(_names)}"
    placeholders = len(fixed) + len(extra)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {numbered}")
        arguments = f"({', '.join(['%s'] * placeholders)})" if placeholders else ""
        # The plan made once without the values: left to itself the server kept planning these
        # again for each set of values (a custom plan), which is what preparing them is to avoid.
        statement = f"SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE {name}{arguments}"
    except ProgrammingError:  # e.g. a parameter whose type the server cannot tell
        logger.warning("could not prepare a public query on the server; it runs as plain SQL", exc_info=True)
        statement = None
    # Keyed by the compiled tuple's id: it lives as long as the PreparedQuery holding it.
    prepared[id(compiled)] = statement
    return statement


def _lookup(mapping, value):
    try:
        return mapping.get(value)
    except TypeError:  # an unhashable parameter (a list, for __in): never a sample
        return None
