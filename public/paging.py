"""Cursor pagination and filters shared by the JSON API and the OCDS releases.

Cursor on (published_at, id) newest first: stable while notices are published in between, and
each page is an index range scan however deep it is.
"""

import base64
from collections import namedtuple
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db import OperationalError, connections, router
from django.db.models import Q
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from psycopg2.errors import QueryCanceled

from accounts.memos import per_process
from announcements.selectors import announcements_published

from .http import site_url
from .prepared import PreparedQuery
from .search import DATE_BOUNDS, ApiNoticeFilter

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
FILTER_PARAMS = ("q", "district", "year", "date_from", "date_to", "unit", "updated_since")
PAGE_PARAMS = ("cursor", "limit")


def published_for_api():
    """Published notices without the columns the API never shows."""
    return announcements_published().defer("search_text", "search_grams", "body_html", "published_html")


def after_position(queryset, moment, pk):
    """The notices after (published_at, id) = (moment, pk), newest first. `published_at <= moment`
    says the same as the OR beside it, but as a range the publication-time index can start
    from: without it a deep page read and dropped every row before its start."""
    return queryset.filter(published_at__lte=moment).filter(
        Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk)
    )


def encode_cursor(notice) -> str:
    return encode_position(notice.published_at, notice.pk)


def encode_position(published_at, pk) -> str:
    raw = f"{published_at.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        moment, pk = parse_datetime(stamp), int(pk)
        # Only what encode_position writes: an aware moment with a real UTC offset (the database
        # refuses +16:00) within the years a date filter accepts, and an id the column can hold.
        if moment is None or moment.utcoffset() is None or abs(moment.utcoffset()) > timedelta(hours=14):
            return None
        if not DATE_BOUNDS[0] <= moment.date() <= DATE_BOUNDS[1] or not 0 < pk < 2**63:
            return None
        return moment, pk
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None


def page_of_notices(request, queryset):
    """(notices of this page, next cursor or None, errors or None) for the API and OCDS lists."""
    filterset = ApiNoticeFilter(request.GET, queryset=queryset)
    if not filterset.is_valid():
        return None, None, {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
    qs = filterset.qs.order_by("-published_at", "-id")
    cursor = request.GET.get("cursor")
    if cursor:
        position = decode_cursor(cursor)
        if position is None:
            return None, None, {"cursor": [_("Invalid cursor.")]}
        moment, pk = position
        qs = after_position(qs, moment, pk)
    try:
        limit = min(max(int(request.GET.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        return None, None, {"limit": [_("Enter a whole number.")]}
    notices = list(qs[: limit + 1])
    next_cursor = encode_cursor(notices[limit - 1]) if len(notices) > limit else None
    return notices[:limit], next_cursor, None


def next_url(request, url_name, next_cursor):
    if next_cursor is None:
        return None
    params = [(k, request.GET[k]) for k in (*FILTER_PARAMS, "limit") if request.GET.get(k)]
    params.append(("cursor", next_cursor))
    return site_url(reverse(url_name)) + "?" + urlencode(params)


# A search on PostgreSQL first collects its matches through the keyword's GIN indexes (at most
# the cap), then orders them: however rare the words, no walk along the publication-time index
# that the planner picks when it guesses matches are common (at 300,000 notices an absent word
# read every notice that way: 3 s). With more matches than the cap the words are frequent, and
# the list's ordered walk finds a page of them after reading about 21 × notices / matches rows,
# so the cap grows with the table: max(SEARCH_CAP, SEARCH_CAP_PER_ROOT × √notices), the notices
# being the planner's estimate of the table's rows (pg_class.reltuples, read inside the
# statement: no count, no extra round trip). A walk then reads at most 21 / SEARCH_CAP_PER_ROOT
# × √notices rows (2,100 at 1,000,000), and collecting the cap's 10,000 ids costs about as much.
SEARCH_CAP = 5000
SEARCH_CAP_PER_ROOT = 10
# The planner may only reach the notices through bitmaps, the keyword's GIN index among them. Local
# to the one statement (a multi-statement query is one implicit transaction); inside a transaction
# (never a public page's read; tests) SET LOCAL would outlive it, so there the planner chooses.
_BITMAPS_ONLY = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "


def _bitmaps_only(connection) -> str:
    return "" if connection.in_atomic_block else _BITMAPS_ONLY


def _capped_matches(model, inner) -> str:
    """The CTEs `c` (the cap, one row) and `m` (id, published_at): the matches of `inner` (the
    compiled matches_for_cap query), at most the cap + 1 of them."""
    per_root = float(SEARCH_CAP_PER_ROOT)
    return (
        f"WITH c (cap) AS (SELECT greatest({int(SEARCH_CAP)}, "
        f"ceil({per_root!r} * sqrt(greatest(reltuples, 0))))::bigint FROM pg_class "
        f"WHERE oid = '\"{model._meta.db_table}\"'::regclass), "
        f"m (id, published_at) AS MATERIALIZED (SELECT * FROM ({inner}) i LIMIT (SELECT cap + 1 FROM c))"
    )


_OVER_CAP = "(SELECT count(*) FROM m) > (SELECT cap FROM c)"


def capped_sql(model, columns, per_page: int, *, after: bool):
    """`wrap` for a PreparedQuery of the matches' (pk, published_at) limited to the cap + 1: the
    statement gives one row per notice of the page (newest first, after the cursor's (moment, pk)
    when `after`), each led by whether the matches passed the cap, or a single row of that and
    NULLs when the page is empty. The cap's constants are read when the query is compiled."""
    table = model._meta.db_table
    names = [model._meta.pk.column if c == "pk" else model._meta.get_field(c).column for c in columns]
    selected = ", ".join(f'a."{name}"' for name in names)
    where = 'WHERE (m."published_at", m."id") < (%s, %s) ' if after else ""

    def wrap(inner):
        return (
            f"{_capped_matches(model, inner)}, "
            f'p AS (SELECT m."id", m."published_at" FROM m {where}'
            f'ORDER BY m."published_at" DESC, m."id" DESC LIMIT {per_page + 1}) '
            f"SELECT {_OVER_CAP}, {selected} FROM (SELECT 1) one "
            f'LEFT JOIN (p JOIN "{table}" a ON a."id" = p."id") ON true '
            f'ORDER BY p."published_at" DESC, p."id" DESC'
        ), (("moment", "pk") if after else ())

    return wrap


def matches_for_cap(queryset):
    """The matches' keys as the capped search collects them, unordered (the capped statement
    takes at most the cap + 1 of them)."""
    return queryset.order_by().values_list("pk", "published_at")


# Searches known to pass the cap, per process until the next publication (accounts.memos): a
# frequent word read again goes straight to the ordered walk instead of collecting the cap + 1 matches.
_over_cap: dict = per_process({}, published=True)


def _remember_over_cap(key) -> None:
    if len(_over_cap) >= 10_000:
        _over_cap.clear()
    _over_cap[key] = True


def capped_page(found) -> list | None:
    """The page's rows from a capped statement's, or None when the matches passed the cap."""
    if not found or found[0][0]:
        return None
    return [row[1:] for row in found if row[1] is not None]


def capped_statement(queryset, columns, *, per_page: int, start=None) -> tuple[str, list]:
    """The capped statement of one page of `queryset` (every filter, any order) and its
    parameters, compiled for this request (without the planner settings, _BITMAPS_ONLY)."""
    inner, params = matches_for_cap(queryset).query.sql_with_params()
    sql, _ = capped_sql(queryset.model, columns, per_page, after=start is not None)(inner)
    return sql, [*params, *(start or ())]


def capped_rows(queryset, columns, *, per_page: int, start=None) -> list | None:
    """One page of a filtered search as rows of `columns` through the capped statement; None
    when the matches pass the cap or the database is not PostgreSQL (the ordered query answers)."""
    alias = router.db_for_read(queryset.model)
    if connections[alias].vendor != "postgresql":
        return None
    sql, params = capped_statement(queryset, columns, per_page=per_page, start=start)
    key = (alias, sql.partition(" p AS ")[0], tuple(params[: len(params) - len(start or ())]))
    if key in _over_cap:
        return None

    def collect():
        with connections[alias].cursor() as cursor:
            cursor.execute(_bitmaps_only(connections[alias]) + sql, params)
            return capped_page(cursor.fetchall())

    return _collected(collect, connections[alias], key)


def _collected(collect, connection, key) -> list | None:
    """collect() (a capped statement's page), remembering a search that passes the cap; None
    as well when the public time budget cancelled it (collecting a very frequent word's matches
    can take longer than walking the list for a page of them): the ordered walk answers."""
    try:
        rows = collect()
    except OperationalError as exc:
        # Inside a transaction the cancel aborted it: nothing more can be read there.
        if not isinstance(exc.__cause__, QueryCanceled) or connection.in_atomic_block:
            raise
        rows = None
    if rows is None:
        _remember_over_cap(key)
    return rows


def capped_position(queryset, skip: int):
    """(the (published_at, pk) after `skip` matches newest first, or None past the last) through
    the capped statement; None when the matches pass the cap or the database is not PostgreSQL."""
    alias = router.db_for_read(queryset.model)
    if connections[alias].vendor != "postgresql":
        return None
    inner, params = matches_for_cap(queryset).query.sql_with_params()
    sql = (
        f"{_bitmaps_only(connections[alias])}{_capped_matches(queryset.model, inner)} "
        f'SELECT {_OVER_CAP}, x."published_at", x."id" FROM (SELECT 1) one LEFT JOIN '
        '(SELECT m."published_at", m."id" FROM m ORDER BY m."published_at" DESC, m."id" DESC '
        "OFFSET %s LIMIT 1) x ON true"
    )
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [*params, skip])
        over, moment, pk = cursor.fetchone()
    if over:
        return None
    return ((moment, pk) if pk is not None else None,)


class PreparedPages:
    """The pages of one listing: the first page and the page after a cursor, each a query
    compiled once per process (public.prepared) and per `shape`, rows as named tuples of
    `columns` like values_list(named=True) gives. `queryset(*shape, **parameters)` builds the
    listing, newest first; `bind` fixes the shape and values of one request for ListPage."""

    def __init__(
        self, model, queryset, columns, *, per_page: int, capped: bool = False, server_plan=None, **parameters
    ):
        """`capped`: a search, read first through the capped statement (the cap) on PostgreSQL.
        `server_plan` (public.prepared; by default when not capped): never for words whose plan
        depends on how frequent they are."""
        if server_plan is None:
            server_plan = not capped
        self.queryset = queryset
        self.per_page = per_page
        self.row = namedtuple("Row", columns)
        self._capped = None
        if capped:
            self._capped = {
                after: PreparedQuery(
                    model,
                    # The shape starts with the cap's constants: compiled again when they change.
                    lambda _floor, _per_root, *shape, **p: matches_for_cap(queryset(*shape, **p)),
                    wrap=capped_sql(model, columns, per_page, after=after),
                    **({"moment": datetime, "pk": int} if after else {}),
                    **parameters,
                )
                for after in (False, True)
            }
        # A listing without words plans the same whatever its values: kept planned on the server.
        self._first = PreparedQuery(
            model,
            lambda *shape, **p: queryset(*shape, **p).values_list(*columns)[: per_page + 1],
            server_plan=server_plan,
            **parameters,
        )
        self._after = PreparedQuery(
            model,
            lambda *shape, moment, pk, **p: after_position(queryset(*shape, **p), moment, pk).values_list(
                *columns
            )[: per_page + 1],
            moment=datetime,
            pk=int,
            **parameters,
            server_plan=server_plan,
        )

    def bind(self, *shape, **values):
        return _BoundPages(self, shape, values)


class _BoundPages:
    def __init__(self, pages, shape, values):
        self.pages, self.shape, self.values, self.per_page = pages, shape, values, pages.per_page

    def queryset(self):
        return self.pages.queryset(*self.shape, **self.values)

    def first_rows(self) -> list:
        rows = self._capped(False)
        if rows is None:
            rows = self.pages._first.rows(*self.shape, **self.values)
        return [self.pages.row._make(row) for row in rows]

    def rows_after(self, moment, pk) -> list:
        rows = self._capped(True, moment=moment, pk=pk)
        if rows is None:
            rows = self.pages._after.rows(*self.shape, moment=moment, pk=pk, **self.values)
        return [self.pages.row._make(row) for row in rows]

    def _capped(self, after: bool, **position) -> list | None:
        capped = self.pages._capped
        if capped is None:
            return None
        alias = router.db_for_read(capped[after].model)
        key = (alias, id(self.pages), self.shape, tuple(sorted(self.values.items())))
        if connections[alias].vendor != "postgresql" or key in _over_cap:
            return None
        prefix = _bitmaps_only(connections[alias])
        return _collected(
            lambda: capped_page(
                capped[after].rows(
                    SEARCH_CAP, SEARCH_CAP_PER_ROOT, *self.shape, prefix=prefix, **position, **self.values
                )
            ),
            connections[alias],
            key,
        )


class ListPage:
    """One page of the public HTML list without counting the matches: 21 rows tell whether a
    next page exists. Page 1 is the newest 20; a deeper page starts after the cursor that the
    previous page's 下一页 link carries (keyset on published_at, id: an index range however deep);
    a bare ?page=N (old links, typed URLs) finds its start by skipping (N-1)×20 keys of a
    narrow query, which the list's covering index answers without reading the notices, and
    `remember(number, find)` may keep what it found (until the next publication)."""

    def __init__(
        self, queryset, *, per_page: int, number, cursor, prepared=None, remember=None, search=False
    ):
        """`queryset` gives the rows (values_list, named); or None and `prepared` (PreparedPages).
        `search`: the queryset is narrowed by words, read through the capped statement first."""
        try:
            self.number = max(int(number or 1), 1)
        except (TypeError, ValueError):
            self.number = 1
        self.number = min(self.number, MAX_PAGE)
        self.per_page = per_page
        start = decode_cursor(cursor) if cursor and self.number > 1 else None
        if start is None and self.number > 1:
            skip = (self.number - 1) * per_page - 1

            def find():
                # Built only when the start is not remembered (a queryset costs thousands of calls).
                source = queryset if queryset is not None else prepared.queryset()
                if search or (prepared is not None and prepared.pages._capped is not None):
                    found = capped_position(source, skip)
                    if found is not None:
                        return found[0]
                return next(iter(source.values_list("published_at", "pk")[skip : skip + 1]), None)

            start = remember(self.number, find) if remember else find()
        if self.number > 1 and start is None:
            rows = []
        elif prepared is not None:
            assert prepared.per_page == per_page
            rows = prepared.rows_after(*start) if start is not None else prepared.first_rows()
        else:
            rows = capped_rows(queryset, queryset._fields, per_page=per_page, start=start) if search else None
            if rows is None:
                if start is not None:
                    moment, pk = start
                    queryset = after_position(queryset, moment, pk)
                rows = list(queryset[: per_page + 1])
            else:  # as values_list(named=True) gives them
                row = namedtuple("Row", queryset._fields)
                rows = [row._make(values) for values in rows]
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1
        self.next_cursor = encode_cursor(self.object_list[-1]) if self.has_next else None
        # Known without counting: the matches end on this page.
        self.total = (
            None if self.has_next or not rows else (self.number - 1) * per_page + len(self.object_list)
        )
        self.at_least = (self.number - 1) * per_page + len(rows)

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


# Deeper pages are for crawlers gone astray; 地区, 年份 and the dates reach everything.
MAX_PAGE = 5000
