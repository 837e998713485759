"""Public search over published notices, and the filters shared by the list, feed, API and exports.

Keyword search runs over one denormalised field, `Announcement.search_text` (title, publishing
unit, competent unit and project names), filled when a notice is published. On PostgreSQL:
- words of 3+ characters use Django's icontains, i.e. UPPER(search_text) LIKE UPPER('%w%'),
  which the trigram GIN index on UPPER(search_text) serves (announcements migration 0002);
- 1- and 2-character words have no trigram, so they match the array of distinct grams kept in
  `search_grams` (a GIN index on string_to_array(search_grams, ' ')): exact, no scan.
SQLite keeps plain icontains. LIKE metacharacters in a word are escaped by Django, so % _ and
backslash match themselves.
"""

import re
import unicodedata
from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District

MAX_TERMS = 5
MAX_TERM_LENGTH = 50
FIRST_YEAR = 2021


def normalize(text: str) -> str:
    """Full-width letters and digits fold to half-width (NFKC) and letters to upper case, so that
    ＩＴ, it and IT find each other; the database compares UPPER() of both sides."""
    return unicodedata.normalize("NFKC", text or "").upper()


def search_text_parts(*, title: str, unit: str, competent_unit: str = "", project_names=()) -> list[str]:
    parts = []
    for value in (title, unit, competent_unit, *project_names):
        value = unicodedata.normalize("NFKC", value or "").strip()
        if value and value not in parts:
            parts.append(value)
    return parts


def grams_for(parts) -> str:
    """Distinct 1- and 2-character grams of each whitespace-separated word, space-separated.

    Grams never cross the boundary between two parts (title, unit, project names), just as a
    substring match over the newline-joined text cannot."""
    grams: set[str] = set()
    for part in parts:
        for word in normalize(part).split():
            grams.update(word)
            grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return " ".join(sorted(grams))


class GramsContain(Func):
    """string_to_array(search_grams, ' ') @> ARRAY[gram]: written exactly as the GIN index
    expression of migration 0002, or PostgreSQL would not use it."""

    output_field = BooleanField()

    def __init__(self, gram: str):
        self.gram = gram
        super().__init__(F("search_grams"))

    def as_sql(self, compiler, connection, **extra_context):
        field_sql, params = compiler.compile(self.source_expressions[0])
        return f"string_to_array({field_sql}, ' ') @> ARRAY[%s]::text[]", [*params, self.gram]


def split_terms(keyword: str) -> list[str]:
    terms = []
    for term in normalize(keyword).split():
        term = term[:MAX_TERM_LENGTH]
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def keyword_filter(qs: QuerySet, keyword: str) -> QuerySet:
    """Every word of `keyword` must occur in the notice's title, unit or project names."""
    terms = split_terms(keyword)
    return terms_filter(qs, term_kinds(terms), terms)


def term_kinds(terms) -> tuple[str, ...]:
    """How each word is searched: "grams" (1 or 2 characters on PostgreSQL) or "contains"."""
    return tuple("grams" if connection.vendor == "postgresql" and len(t) <= 2 else "contains" for t in terms)


def terms_filter(qs: QuerySet, kinds, terms) -> QuerySet:
    for kind, term in zip(kinds, terms, strict=True):
        qs = qs.filter(GramsContain(term)) if kind == "grams" else qs.filter(search_text__icontains=term)
    return qs


def local_day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def year_choices():
    last = timezone.localdate().year
    return [(y, str(y)) for y in range(last, FIRST_YEAR - 1, -1)]


class DateInput(forms.DateInput):
    """A date input's value is an ISO date or nothing (HTML): a mistyped date from the address
    bar stays in the error message next to the field, not in the value."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)

    def format_value(self, value):
        value = super().format_value(value)
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return None
        try:
            date.fromisoformat(value)
        except ValueError:
            return None
        return value


# The dates a filter accepts: a bound's day is turned into the next day's start and into UTC,
# which overflows at the ends of the calendar (9999-12-31), and no notice is that old or new.
DATE_BOUNDS = (date(1900, 1, 1), date(9998, 12, 31))
DATE_FIELDS = ("date_from", "date_to", "updated_since")


class PublicFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name in DATE_FIELDS:
            value = data.get(name)
            day = value.date() if isinstance(value, datetime) else value
            if day is not None and not DATE_BOUNDS[0] <= day <= DATE_BOUNDS[1]:
                self.add_error(name, _("Enter a valid date."))
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is earlier than the start date."))
        return data


class PublicNoticeFilter(django_filters.FilterSet):
    """关键词, 地区, 年份 and the 展开 date range of the public list; the feed, API and downloads
    accept the same parameters, so a download matches what the list shows."""

    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword", max_length=100)
    district = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=District.objects.order_by("code"),
        to_field_name="code",
        field_name="district",
        empty_label=_("Please choose"),
    )
    year = django_filters.ChoiceFilter(label=_("Year"), choices=year_choices, empty_label=_("Any year"))
    date_from = django_filters.DateFilter(label=_("Published from"), method="filter_from", widget=DateInput)
    date_to = django_filters.DateFilter(label=_("Published until"), method="filter_to", widget=DateInput)

    class Meta:
        form = PublicFilterForm

    def filter_keyword(self, queryset, name, value):
        return keyword_filter(queryset, value)

    # Day bounds are turned into datetimes here, so the (state, published_at) index still applies.
    def filter_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=local_day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(published_at__lt=local_day_start(value + timedelta(days=1)))


class ApiNoticeFilter(PublicNoticeFilter):
    """The public filters plus the API's publishing unit and updated_since."""

    unit = django_filters.CharFilter(label=_("Publishing unit"), method="filter_unit", max_length=100)
    updated_since = django_filters.IsoDateTimeFilter(label=_("Updated since"), method="filter_updated_since")

    def filter_unit(self, queryset, name, value):
        return queryset.filter(
            Q(institution__name__icontains=value.strip()) | Q(institution__credit_code=value)
        )

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(Q(published_at__gte=value) | Q(updated_at__gte=value))


def why_matched(
    search_text: str, title: str, keyword: str, *, terms: list[str] | None = None
) -> list[tuple[str, bool]] | None:
    """Why a notice matched `keyword` when its title alone does not say: the first other part
    of its search text (publishing unit, competent unit or a project name) holding a word that
    the title lacks, as (text, is_match) segments for highlighting. None when the title says it.
    `terms`: split_terms(keyword), when the caller asks for many notices."""
    if terms is None:
        terms = split_terms(keyword)
    folded_title = normalize(title)
    terms = [t for t in terms if t not in folded_title]
    if not terms:
        return None
    # NFKC and upper() work character by character and never make or drop a newline, so the
    # folded text splits into the folded parts.
    parts, folded_parts = search_text.split("\n"), normalize(search_text).split("\n")
    if len(folded_parts) != len(parts):
        folded_parts = [normalize(part) for part in parts]
    for part, folded in zip(parts[1:], folded_parts[1:], strict=True):
        if len(folded) != len(part):
            continue  # a fold that changes lengths cannot map positions back: try the next part
        for term in terms:
            if term in folded:
                break
        else:
            continue
        # Every occurrence of every term, overlapping or touching ones joined into one mark.
        spans = []
        for term in terms:
            start = folded.find(term)
            while start >= 0:
                spans.append((start, start + len(term)))
                start = folded.find(term, start + 1)
        marked: list[list[int]] = []
        for start, end in sorted(spans):
            if marked and start <= marked[-1][1]:
                marked[-1][1] = max(marked[-1][1], end)
            else:
                marked.append([start, end])
        segments: list[tuple[str, bool]] = []
        position = 0
        for start, end in marked:
            if start > position:
                segments.append((part[position:start], False))
            segments.append((part[start:end], True))
            position = end
        if position < len(part):
            segments.append((part[position:], False))
        return segments
    return None
