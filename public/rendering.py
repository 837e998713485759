"""How the public HTML pages are drawn: the list (search, filters, paging) and the detail page.

Everything reads through `announcements_published()`. Anonymous responses are cached under the
publication version (public.cache), so a publication or revocation shows at once; the detail
page is cached around its view count. What a cache miss costs is kept small: the page around
the per-request parts (list_shell, detail_shell) is rendered once per process and language,
each row is the template's `row` partial rendered once per process (render_rows), and the
unfiltered list's and the detail's queries are compiled once per process (public.prepared).
Every per-process memo here is registered with accounts.memos (one place forgets them all).
"""

import html
import logging
import re
import unicodedata
from datetime import timedelta
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import quote_plus

from django.core.cache import cache
from django.db import OperationalError
from django.db.models import Count
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import add_truncation_text
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.memos import per_process
from accounts.models import District
from accounts.readers import anonymous_without_cookies
from announcements.links import compiled_into_a_department, public_relations
from announcements.models import Announcement, Attachment
from announcements.selectors import announcements_published

from .cache import near_memo, public_cache_version, versioned_get, versioned_set
from .http import canonical_query, path_prefix, revoked_or_404, site_url, url_path
from .limits import search_allowed
from .paging import ListPage, PreparedPages
from .prepared import PreparedQuery, SmallInt
from .qr import qr_svg
from .search import (
    MAX_TERMS,
    PublicNoticeFilter,
    split_terms,
    term_kinds,
    terms_filter,
    why_matched,
    year_choices,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
NEW_DAYS = 3
LIST_PARAMS = ("q", "district", "year", "date_from", "date_to", "page", "after")
FILTER_PARAMS = LIST_PARAMS[:5]
# The unfiltered total is counted once per publication version (a publication or revocation
# bumps it) and kept this long at most.
TOTAL_SECONDS = 3600


# The unfiltered list's pages (most readers): queries compiled once per process (public.prepared).
# The district's name comes from `district_names`, not a join: a search for a rare word sorts
# every match before it keeps 20, and joining each of them first cost a third of its SQL.
LIST_COLUMNS = ("pk", "public_id", "title", "published_at", "district_id")


def list_queryset():
    return (
        announcements_published()
        .select_related(None)
        .only("public_id", "title", "published_at", "district_id")
        .order_by("-published_at", "-id")
    )


_unfiltered_pages = PreparedPages(Announcement, list_queryset, LIST_COLUMNS, per_page=PAGE_SIZE)


def _searched(*kinds, **terms):
    """The list narrowed by words (shape: how each is searched, public.search.term_kinds)."""
    return terms_filter(list_queryset(), kinds, [terms[f"t{i}"] for i in range(len(kinds))])


def _narrowed(has_district, has_year, *kinds, district=0, year=0, **terms):
    """The list narrowed by 地区 and/or 年份 (shape: which of them, then how each word is searched)."""
    queryset = list_queryset()
    if has_district:
        queryset = queryset.filter(district_id=district)
    if has_year:
        queryset = queryset.filter(year=year)
    return terms_filter(queryset, kinds, [terms[f"t{i}"] for i in range(len(kinds))]) if kinds else queryset


# 地区 and 年份 without words. Planned for each request: a plan made without the values walks the
# publication-time index (0.7 ms at 100,000 notices) where one made for them reads the
# (district, year) index (0.03 ms).
_narrowed_pages = PreparedPages(
    Announcement, _narrowed, LIST_COLUMNS, per_page=PAGE_SIZE, server_plan=False, district=int, year=SmallInt
)
# Words within a 地区: the planner's own ordered query, planned for each request's words (see
# _list_with_form: the district bounds a walk, and a rare word's bitmap is ANDed with it).
_district_searched_pages = PreparedPages(
    Announcement,
    _narrowed,
    (*LIST_COLUMNS, "search_text"),
    per_page=PAGE_SIZE,
    server_plan=False,
    district=int,
    year=SmallInt,
    **{f"t{i}": str for i in range(MAX_TERMS)},
)

_searched_pages = PreparedPages(
    Announcement,
    _searched,
    (*LIST_COLUMNS, "search_text"),
    per_page=PAGE_SIZE,
    capped=True,
    **{f"t{i}": str for i in range(MAX_TERMS)},
)


def list_page(request) -> HttpResponse:
    """The list page; a search over the public time budget (config.middleware) answers at once
    with the filter form and a request to narrow it (too_broad_page)."""
    if request.GET.get("q", "").strip() and not search_allowed(request):
        return too_broad_page(request, reason="too_often")
    try:
        return _list_page(request)
    except OperationalError:
        if not getattr(request, "public_budget_hits", 0):
            raise
        return too_broad_page(request)


def too_broad_page(request, *, reason: str = "too_broad") -> HttpResponse:
    """The filter form as the reader filled it and, where the results go, why there are none:
    `too_broad` (503: the search passed the time budget; narrow it by 地区 or 年份; the
    statement was cancelled, so the connection is ready for the few small reads the form needs)
    or `too_often` (429: this client's searches per minute, public.limits). Never cached."""
    version, _total, districts = list_facts(True)
    form = PublicNoticeFilter(request.GET or None, queryset=list_queryset()).form
    form.is_valid()
    context = {
        reason: True,
        "filtered": True,
        "filter_form": form,
        "district_options": lambda: _options(
            [("", _("Please choose")), *districts], _bound_value(form, "district")
        ),
        "year_options": lambda: _year_options(version, _bound_value(form, "year")),
        "district_code": _bound_value(form, "district"),
        "dates_open": bool(request.GET.get("date_from") or request.GET.get("date_to")),
        "canonical_url": site_url(url_path("public:list")),
        "download_query": canonical_query(request, FILTER_PARAMS),
    }
    status = 503 if reason == "too_broad" else 429
    response = render(request, "public/notice_list.html", context, status=status)
    response["Retry-After"] = "5" if status == 503 else "60"
    response["Cache-Control"] = "no-store"
    # Expected answers, not errors: the budget logged its hit as a warning (config.middleware).
    response._has_been_logged = True
    return response


def _list_page(request) -> HttpResponse:
    """The list page. Readers who share cached pages get the shell around the filter form, the
    results and the open-data links (list_shell); the form and links are rendered once per process
    for each filter query (`_around_results`), or for a keyword alone from one shell with a marker
    (keyword_around), so such a request builds no filterset and no form."""
    filtered = any(request.GET.get(n) for n in FILTER_PARAMS)
    shared = anonymous_without_cookies(request)
    version, total, districts = list_facts(filtered)
    query = canonical_query(request, FILTER_PARAMS)
    key = (get_language(), query, tuple(districts), tuple(offered_years(version)))
    around = prepared = None
    if shared:
        keyword_only = filtered and not any(request.GET.get(n) for n in FILTER_PARAMS if n != "q")
        if not (request.GET.get("date_from") or request.GET.get("date_to")):
            around = _around_results.get(key)
        if around is None and keyword_only and _plain_keyword(request.GET["q"]):
            around = keyword_around(request.GET["q"], districts, version)
        if around is not None:
            prepared = _prepared_pages(request, version, filtered)
    if prepared is None:
        return _list_with_form(request, version, total, districts, query, key, shared=shared)
    keyword = request.GET.get("q", "").strip()  # what the form's CharField cleans
    page = ListPage(
        None,
        per_page=PAGE_SIZE,
        number=request.GET.get("page"),
        cursor=request.GET.get("after"),
        prepared=prepared,
        remember=_page_starts(version, query),
    )
    names = district_names(version)
    total = page.total if filtered else total
    context = _results_context(page, total, names, filtered=filtered, query=query, keyword=keyword)
    results = render_to_string("public/notice_list.html#results", context)
    return HttpResponse(_join(list_shell(request), [around[0], results, around[1]]))


def _prepared_pages(request, version, filtered: bool):
    """The bound PreparedPages of a list whose filters are known valid (their form was rendered and
    kept: a form with errors never is; or a valid keyword alone), compiled once per process and
    shape (public.prepared); None when the filterset must answer (a year alone with words)."""
    get = request.GET.get
    keyword = get("q", "").strip() if filtered else ""  # what the form's CharField cleans
    terms = split_terms(keyword) if keyword else []
    words = {f"t{i}": t for i, t in enumerate(terms)}
    narrowing = {}
    if get("district"):
        narrowing["district"] = _districts(version)[2].get(get("district"))
        if narrowing["district"] is None:
            return None
    if get("year"):
        narrowing["year"] = int(get("year"))
    shape = (bool(get("district")), bool(get("year")))
    if not narrowing:  # no filter, or a keyword alone (spaces only: the whole list)
        return _searched_pages.bind(*term_kinds(terms), **words) if terms else _unfiltered_pages.bind()
    if not terms:
        return _narrowed_pages.bind(*shape, **narrowing)
    if "district" in narrowing:
        return _district_searched_pages.bind(*shape, *term_kinds(terms), **narrowing, **words)
    return None


def _list_with_form(request, version, total, districts, query, key, *, shared: bool) -> HttpResponse:
    """The list through the filterset and its form: an invalid filter answers 400 (never kept in
    the page cache), signed-in readers get the whole template."""
    filterset = PublicNoticeFilter(request.GET or None, queryset=list_queryset())
    form = filterset.form
    filtered = any(request.GET.get(n) for n in FILTER_PARAMS)
    # Named tuples instead of model instances: a page of 21 rows builds no models.
    keyword = (form.cleaned_data.get("q") or "") if form.is_bound and form.errors is not None else ""
    rows_qs = filterset.qs.values_list(*LIST_COLUMNS, *(("search_text",) if keyword else ()), named=True)
    page = ListPage(
        rows_qs,
        per_page=PAGE_SIZE,
        number=request.GET.get("page"),
        cursor=request.GET.get("after"),
        remember=_page_starts(version, query) if form.is_valid() else None,
        # With a 地区 the planner's own ordered query answers: a frequent word walks the notices
        # newest first and stops after a page (collecting all its matches in the district cost
        # 5 ms at 100,000 notices and grows with them), a rare or absent one ANDs the word's
        # GIN bitmap with the district's; the walk is bounded by the district's notices.
        search=bool(keyword) and not (form.is_valid() and form.cleaned_data.get("district")),
    )
    dates_open = bool(request.GET.get("date_from") or request.GET.get("date_to"))
    if form.is_bound and (form.has_error("date_from") or form.has_error("date_to")):
        dates_open = True
    status = 400 if form.is_bound and not form.is_valid() else 200
    names = district_names(version)
    total = page.total if filtered else total
    context = _results_context(page, total, names, filtered=filtered, query=query, keyword=keyword) | {
        "filter_form": form,
        # Callables: the template calls them only when it renders the form.
        "district_options": lambda: _options(
            [("", _("Please choose")), *districts], _bound_value(form, "district")
        ),
        "year_options": lambda: _year_options(version, _bound_value(form, "year")),
        "district_code": _bound_value(form, "district"),
        "dates_open": dates_open,
        "canonical_url": site_url(url_path("public:list")),
        "download_query": query,
    }
    if not shared or status == 400:
        return render(request, "public/notice_list.html", context, status=status)
    around = _around_results.get(key) if not form.errors else None
    if around is None:
        around = tuple(
            render_to_string(f"public/notice_list.html#{name}", context)
            for name in ("filter-form", "open-data")
        )
        if not form.errors:
            if len(_around_results) >= 512:
                _around_results.clear()
            _around_results[key] = around
    results = render_to_string("public/notice_list.html#results", context)
    return HttpResponse(_join(list_shell(request), [around[0], results, around[1]]))


def _page_starts(version, query: str):
    """Where a bare ?page=N of these filters starts, kept per process until the next publication
    (public.cache.near_memo): an old link or a crawler asking for page 50 again skips no rows."""
    return lambda number, find: near_memo(f"page-start|{query}|{number}", version, find)


def _results_context(page, total, names: dict, *, filtered: bool, query: str, keyword: str) -> dict:
    """What the results partial shows, its rows as ready HTML (render_rows)."""
    rows = list_rows(page.object_list, names, keyword=keyword)
    return {
        "page_obj": page,
        "notices": page.object_list,
        "rows": rows,
        "rows_html": render_rows(rows),
        "total": total,
        "num_pages": -(-total // PAGE_SIZE) if total is not None and not filtered else None,
        "filtered": filtered,
        "page_query": query + "&" if query else "",
    }


_around_results: dict = per_process({})
_keyword_shells: dict = per_process({})
_Q_MARK = "\u2060q\u2060"


def _plain_keyword(raw: str) -> bool:
    """Whether the form would accept `q` (CharField: stripped, at most 100 characters, no NUL)."""
    return len(raw.strip()) <= PublicNoticeFilter.base_filters["q"].extra["max_length"] and "\x00" not in raw


def keyword_around(raw: str, districts, version=None) -> tuple[str, str]:
    """The filter form and open-data links of a search by keyword alone, without a form: both
    rendered once per process and language with a marker for the keyword, which is then the
    reader's words as the form prints them (escaped) and as the links carry them (URL-encoded)."""
    years = tuple(offered_years(version))
    key = (get_language(), tuple(districts), years)
    shells = _keyword_shells.get(key)
    if shells is None:
        data = QueryDict(mutable=True)
        data["q"] = _Q_MARK
        form = PublicNoticeFilter(data, queryset=list_queryset()).form
        form.is_valid()
        context = {
            "filter_form": form,
            "district_options": lambda: _options([("", _("Please choose")), *districts], ""),
            "year_options": lambda: _year_options(version, ""),
            "district_code": "",
            "dates_open": False,
            "download_query": f"q={_Q_MARK}",
        }
        shells = _keyword_shells[key] = tuple(
            render_to_string(f"public/notice_list.html#{name}", context).split(_Q_MARK)
            for name in ("filter-form", "open-data")
        )
    # What the form's input prints (the raw value, escaped) and what canonical_query writes.
    return html.escape(raw).join(shells[0]), html.escape(quote_plus(raw)).join(shells[1])


_SHELL_MARK = "\u2060{}\u2060"
_shells: dict = per_process({})


def list_shell(request) -> list[str]:
    """The list page without its filter form, results and open-data links, split where they go:
    rendered once per process and language (static file names and translations are fixed for a
    process), for readers who share cached pages (no user, no messages in the header)."""
    language = get_language()
    shell = _shells.get(language)
    if shell is None:
        names = ("form", "results", "open_data")
        context = {
            "shell": {n: _SHELL_MARK.format(n) for n in names},
            "canonical_url": site_url(reverse("public:list")),
        }
        rendered = render_to_string("public/notice_list.html", context, request)
        for name in names:
            rendered = rendered.replace(_SHELL_MARK.format(name), "\0")
        shell = _shells[language] = rendered.split("\0")
    return shell


def _join(shell, pieces) -> str:
    out = [shell[0]]
    for piece, rest in zip(pieces, shell[1:], strict=True):
        out += [piece, rest]
    return "".join(out)


def list_rows(notices, names: dict, *, keyword: str = "") -> list[dict]:
    """What each row shows, prepared here so that the row template only prints (`names`: the
    district names by id, `district_names`); for a search, why a notice matched when its title
    does not say (the unit or project name, highlighted)."""
    new_since = timezone.now() - timedelta(days=NEW_DAYS)
    prefix = path_prefix("public:detail")
    terms = split_terms(keyword) if keyword else []
    zone = timezone.get_current_timezone()  # once, not per row (timezone.localtime asks each time)
    rows = []
    for notice in notices:
        local = notice.published_at.astimezone(zone)
        rows.append(
            {
                "href": f"{prefix}{notice.public_id}/",
                "label": f"【{names.get(notice.district_id, '')}】{notice.title}",
                "new": notice.published_at >= new_since,
                # The W3C checker allows 3 digits of fraction at most.
                "iso": local.isoformat(timespec="seconds"),
                "day": local.date().isoformat(),
                "why": _why_html(notice, keyword, terms) if keyword else "",
            }
        )
    return rows


# Each row's HTML as the `row` partial printed it, per process and language, keyed by what the row
# shows (a notice's row is the same on every page and search that lists it): a list page renders
# the partial only for rows it has not seen. A search's "why it matched" differs per search, so the
# memo holds the row with a marker where it goes. Forgotten on a publication (accounts.memos).
_row_html: dict = per_process({}, published=True)
_ROW_MEMO_SIZE = 20_000
_WHY_MARK = "\u2060why\u2060"


def render_rows(rows) -> SafeString:
    """The rows as the list template's `row` partial prints them (the one source of their markup),
    each drawn once per process and language (`_row_html`)."""
    if not rows:
        return mark_safe("")
    language = get_language()
    out = []
    for row in rows:
        why = row["why"]
        key = (language, row["href"], row["label"], row["new"], row["iso"], row["day"], not why)
        pieces = _row_html.get(key)
        if pieces is None:
            pieces = _row_html[key] = _render_row(row | {"why": mark_safe(_WHY_MARK) if why else ""})
        out.append(pieces[0] if len(pieces) == 1 else why.join(pieces))
    return mark_safe("\n    ".join(out) + "\n    ")


def _render_row(row) -> tuple[str, ...]:
    if len(_row_html) >= _ROW_MEMO_SIZE:
        _row_html.clear()
    partial = get_template("public/notice_list.html#row").template
    context = Context({"row": row}, autoescape=partial.engine.autoescape)
    with context.bind_template(partial):
        return tuple(partial.nodelist.render(context).split(_WHY_MARK))


def _why_html(notice, keyword: str, terms: list[str]):
    segments = why_matched(notice.search_text, notice.title, keyword, terms=terms)
    if not segments:
        return ""
    return mark_safe("".join(f"<mark>{html.escape(t)}</mark>" if m else html.escape(t) for t, m in segments))


def list_facts(filtered: bool):
    """(publication version, unfiltered total or None, district choices). The total is counted
    once per publication version (with the published years: _year_counts) and the districts read
    once an hour; each process keeps both under the version (public.cache), so a list request
    asks the cache nothing beyond the version its conditional check read."""
    try:
        version = public_cache_version()
    except Exception:  # the cache is down: count and read the districts, the page still answers
        logger.warning("public list facts: cache unavailable", exc_info=True)
        version = None
    total = sum(_year_counts(version).values()) if not filtered else None
    return version, total, _districts(version)[0]


def _year_counts(version) -> dict:
    """{year: published notices} (None for a notice without a year): the unfiltered total and the
    years the 年份 filter offers, from one GROUP BY on the public list's index (which includes
    `year`, migration announcements 0003). Counted once per publication version (kept in the
    shared cache, so one process counts for all); each process keeps it under the version."""
    return near_memo("year-counts", version, lambda: _shared_year_counts(version))


def _shared_year_counts(version) -> dict:
    try:
        counted_under, counts = cache.get("public:year-counts") or (None, None)
    except Exception:
        counted_under = counts = None
    if version is None or counted_under != version:
        published = announcements_published().select_related(None).order_by()
        counts = dict(published.values_list("year").annotate(n=Count("pk")).values_list("year", "n"))
        _cache_set_quietly("public:year-counts", (version, counts), TOTAL_SECONDS)
    return counts


def offered_years(version) -> list[int]:
    """The years the 年份 filter offers: those with a published notice that the filter accepts
    (public.search.year_choices), newest first."""
    accepted = {year for year, _label in year_choices()}
    return sorted((y for y in _year_counts(version) if y in accepted), reverse=True)


def _year_options(version, selected: str):
    """The 年份 options: the offered years and, when the reader chose another accepted year (an
    old link), that year too, so the form shows what it filters by."""
    years = set(offered_years(version))
    if selected.isdigit() and int(selected) in {year for year, _label in year_choices()}:
        years.add(int(selected))
    return _options([("", _("Any year")), *((y, str(y)) for y in sorted(years, reverse=True))], selected)


def _districts(version) -> tuple[list, dict, dict]:
    """(地区 choices as (code, name), names by id, ids by code), read in one query once per
    process and publication version."""

    def read():
        rows = list(District.objects.order_by("code").values_list("pk", "code", "name"))
        return (
            [(code, name) for _, code, name in rows],
            {pk: name for pk, _, name in rows},
            {code: pk for pk, code, _ in rows},
        )

    return near_memo("districts", version, read)


def district_names(version) -> dict:
    return _districts(version)[1]


def _cache_set_quietly(key, value, timeout) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("public list facts: cache unavailable", exc_info=True)


def _bound_value(form, name) -> str:
    return str(form[name].value() or "") if form.is_bound else ""


def _options(choices, selected: str):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == selected else "", label)
            for value, label in choices
        ),
    )


# The detail page's two queries, compiled once per process (public.prepared).
_notice_row = PreparedQuery(
    Announcement,
    lambda public_id: (
        announcements_published()
        .select_related(None)
        .annotate(compiled=compiled_into_a_department())
        .filter(public_id=public_id)
        .order_by()
        .values_list(
            "pk",
            "public_id",
            "title",
            "published_at",
            "published_html",
            "institution__name",
            "kind",
            "report_id",
            "institution__competent_unit__name",
            "compiled",
        )[:1]
    ),
    public_id=str,
    server_plan=True,
)
_attachment_rows = PreparedQuery(
    Attachment,
    lambda pk: Attachment.objects.filter(announcement_id=pk).values_list("pk", "original_name", "size"),
    pk=int,
    server_plan=True,
)
_TAG_RE = re.compile(r"<[^>]*>")


def detail_content(public_id: str) -> dict | None:
    """What the detail page shows of a published notice, cached under the publication version
    (a revocation bumps it, so the next request answers 410). None when not published.
    One query for the notice (its frozen HTML), one for its attachments."""
    version, content = versioned_get("detail-content", public_id)
    if content is not None:
        return content or None
    found = _notice_row.rows(public_id=public_id)
    if not found:
        versioned_set("detail-content", public_id, version=version, value={})  # floods of bad ids stay cheap
        return None
    pk, public_id, title, published_at, published_html, unit, kind, report_id, competent, compiled = found[0]
    # What announcements.links.public_relations reads of the notice, without a model instance.
    relations_of = SimpleNamespace(
        kind=kind,
        report_id=report_id,
        compiled=compiled,
        institution=SimpleNamespace(competent_unit=SimpleNamespace(name=competent) if competent else None),
    )
    prefix = path_prefix("public:detail")
    page_url = site_url(f"{prefix}{public_id}/")
    content = {
        "pk": pk,
        "public_id": public_id,
        "title": title,
        "unit": unit,
        "published_at": published_at,
        "published_html": published_html,
        "attachments": [
            {"name": name, "size": size, "url": f"{prefix}{public_id}/attachments/{attachment_pk}/"}
            for attachment_pk, name, size in _attachment_rows.rows(pk=pk)
        ],
        "canonical_url": page_url,
        "og_description": _description(published_html),
        "qr_svg": qr_for(page_url),
        **public_relations(relations_of),  # 主管预算单位 and department ↔ unit links (announcements.links)
    }
    # The values the shell prints outside the content partial, escaped once here.
    content["shell"] = {name: html.escape(content[name]) for name in SHELL_FIELDS}
    versioned_set("detail-content", public_id, version=version, value=content)
    return content


def _description(body_html: str, length: int = 120) -> str:
    """The first `length` characters of the notice's text (for og:description): its tags
    dropped, entities read, whitespace collapsed. The body is the renderer's own HTML."""
    text = unicodedata.normalize("NFC", " ".join(html.unescape(_TAG_RE.sub("", body_html)).split()))
    if len(text) <= length:
        return text
    # As Truncator.chars() ends it, in the reader's language ("…", or "..." in Chinese).
    tail = add_truncation_text("")
    return text[: length - len(tail)] + tail


@per_process
@lru_cache(maxsize=2048)
def qr_for(url: str) -> str:
    """A notice's QR code never changes: drawn once per process (it costs milliseconds)."""
    return qr_svg(url)


# Stands for the view count in a cached page; a word joiner, which no notice text contains.
VIEWS_MARK = "\u2060views\u2060"
# What the detail template prints of the notice outside its `content` partial (in <head>).
SHELL_FIELDS = ("title", "canonical_url", "og_description")
_SLOT_RE = re.compile("\u2060(\\w+)\u2060")
_detail_shells: dict = per_process({})


def detail_shell(request) -> list[str]:
    """The detail page with its `content` partial left out and a marker for each of the notice's
    SHELL_FIELDS, rendered once per process and language and split at the markers: even items
    are text, odd items name what goes there. For readers who share cached pages (no user, no
    messages in the header)."""
    language = get_language()
    shell = _detail_shells.get(language)
    if shell is None:
        slot = "\u2060{}\u2060".format
        context = {
            "notice": {name: slot(name) for name in SHELL_FIELDS},
            "shell": {"content": slot("content")},
        }
        rendered = render_to_string("public/notice_detail.html", context, request)
        shell = _detail_shells[language] = _SLOT_RE.split(rendered)
    return shell


def detail_html(request, content: dict, views) -> str:
    """The page of a shared reader: the shell, the notice's values and the content partial."""
    context = {"notice": content, "views": views}
    values = content["shell"] | {"content": render_to_string("public/notice_detail.html#content", context)}
    pieces = detail_shell(request)[:]
    for index in range(1, len(pieces), 2):
        pieces[index] = values[pieces[index]]
    return "".join(pieces)


def revoked_page(request, public_id):
    """410 with the date and reason of a revoked notice (never its content); 404 otherwise."""
    revoked = revoked_or_404(public_id)
    return render(request, "public/notice_revoked.html", {"revoked": revoked}, status=410)
