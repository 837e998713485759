"""Every public query parameter answers 200 or 400, never 500: the dates at the ends of the
calendar, cursors carrying impossible moments, and Hypothesis-made values of every parameter of
the list, the API, OCDS and the downloads."""

import base64

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db
LISTS = ["/", "/notices/", "/api/notices/", "/api/ocds/releases/"]
FUZZ = hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def notices(world):
    make_notice(institution=world.unit, title="普陀区保洁服务公告")
    make_notice(institution=world.outsider, title="青浦区绿化养护公告")
    cache.clear()


def _client() -> Client:
    return Client(raise_request_exception=False)


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("bound", ["date_to", "date_from"])
def test_a_date_at_the_end_of_the_calendar_answers_400_with_the_message(notices, url, bound):
    response = _client().get(url, {bound: "9999-12-31"})

    assert response.status_code == 400
    assert "请填写正确的日期，例如 2026-07-15。" in response.content.decode()


def test_updated_since_that_overflows_in_utc_answers_400(notices):
    response = _client().get("/api/notices/", {"updated_since": "9999-12-31T23:59:59-10:00"})

    assert response.status_code == 400
    assert response.json()["errors"]["updated_since"] == ["请填写正确的日期，例如 2026-07-15。"]


@pytest.mark.parametrize(
    "raw",
    [
        "2024-01-01T00:00:00+16:00|1",
        "2024-01-01T00:00:00|1",
        "0001-01-01T00:00:00+08:00|1",
        "2024-01-01T00:00:00+08:00|99999999999999999999",
    ],
)
@pytest.mark.parametrize("url", ["/api/notices/", "/api/ocds/releases/"])
def test_a_cursor_with_an_impossible_moment_or_id_answers_400(notices, url, raw):
    response = _client().get(url, {"cursor": _cursor(raw)})

    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_cursor_the_api_wrote_still_pages(notices):
    first = _client().get("/api/notices/", {"limit": 1}).json()
    second = _client().get(first["next"])

    assert second.status_code == 200
    assert len(second.json()["results"]) == 1


# --- Hypothesis: every parameter, made up ---------------------------------------------------------

_dates = st.one_of(
    st.dates().map(str),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}\Z"),
    st.text(max_size=20),
)
_moments = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.builds(
        lambda d, h, m: f"{d.isoformat()}{'+' if h >= 0 else '-'}{abs(h):02d}:{m:02d}",
        st.datetimes(),
        st.integers(-30, 30),
        st.integers(0, 99),
    ),
)
_cursors = st.one_of(
    st.text(max_size=40),
    st.builds(lambda m, pk: _cursor(f"{m}|{pk}"), _moments, st.integers(-(2**70), 2**70)),
)
_params = st.fixed_dictionaries(
    {},
    optional={
        "q": st.text(max_size=120),
        "district": st.one_of(st.sampled_from(["310107", "310118", "319900"]), st.text(max_size=10)),
        "year": st.one_of(st.integers(-10, 10**6).map(str), st.text(max_size=6)),
        "date_from": _dates,
        "date_to": _dates,
        "page": st.one_of(st.integers(-5, 10**20).map(str), st.text(max_size=8)),
        "unit": st.text(max_size=120),
        "updated_since": _moments,
        "cursor": _cursors,
        "limit": st.one_of(st.integers(-5, 10**20).map(str), st.text(max_size=8)),
    },
)


def _no_nul(params: dict) -> dict:
    # A NUL in a parameter is refused before any view (its own tests): here the views are fuzzed.
    return {name: value.replace("\x00", "") for name, value in params.items()}


@FUZZ
@given(params=_params, url=st.sampled_from(LISTS))
def test_fuzzed_list_and_api_parameters_answer_200_or_400(notices, params, url):
    response = _client().get(url, _no_nul(params))

    # OCDS answers an empty selection with 404 and a message; everything else reads 200 or 400.
    allowed = (200, 400, 404) if url.startswith("/api/ocds/") else (200, 400)
    assert response.status_code in allowed, (url, params, response.content[:500])


@FUZZ
@given(params=_params, ext=st.sampled_from(["csv", "xlsx"]))
def test_fuzzed_download_parameters_answer_without_a_server_error(notices, params, ext, settings):
    settings.FILTERED_XLSX_MAX_PENDING = 10**6
    settings.FILTERED_XLSX_MAX_PENDING_PER_CLIENT = 10**6
    response = _client().get(f"/notices/download/rows.{ext}", _no_nul(params))

    # A year with nothing published has no file: 404 with that sentence, never a server error.
    no_file = response.status_code == 404 and "该年度没有已发布的数据" in response.content.decode()
    assert response.status_code in (200, 202, 302, 400) or no_file, (params, response.content[:500])
