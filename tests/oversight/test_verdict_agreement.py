"""The boundary rows of the rules table (tests/reservations/verdict_table.py) through the figures
that go upward and out: 上报统计, the 书面报告 workbook, the JSON API and OCDS all say what the one
stored verdict says, row by row. The Shanghai cases (the districts the platform serves) and the
issue's five rows."""

import json
from collections import defaultdict
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from announcements.enums import State
from oversight.statistics import COUNT_PUBLISHED, rule_labels, statistics_for
from reservations.services import report_rows_save, report_update
from tests import factories as F
from tests.announcements.workflow_factories import notice
from tests.reservations.verdict_table import CASES, FIVE_ROWS, SHANGHAI, SHORTFALL, row_data

pytestmark = pytest.mark.django_db

TABLE = [c for c in CASES if c.region == SHANGHAI] + FIVE_ROWS


@pytest.fixture
def published(world):
    """One published notice per report year in 普陀区, its rows the table's cases of that year.
    Returns {year: (notice, {row name: case})}."""
    by_year = defaultdict(list)
    for c in TABLE:
        by_year[c.year].append(c)
    notices = {}
    for year, cases in by_year.items():
        unit = F.institution(name=f"边界单位{year}", district_code=SHANGHAI)
        announcement = notice(institution=unit, year=year, state=State.PUBLISHED, rows=0)
        report_update(report=announcement.report, competent_unit_name=unit.name, explanation="见各项目说明。")
        rows = [row_data(c, n) | {"shortfall_reason": "other"} for n, c in enumerate(cases, start=1)]
        report_rows_save(report=announcement.report, rows=rows)
        notices[year] = (announcement, {r["name"]: c for r, c in zip(rows, cases, strict=True)})
    return notices


def _expected_by_rule(cases_by_name) -> dict[str, set[str]]:
    expected = defaultdict(set)
    for name, c in cases_by_name.items():
        if c.status == SHORTFALL:
            for code in c.missed:
                expected[code].add(name)
    return dict(expected)


def test_statistics_list_exactly_the_shortfall_rows_under_the_rules_they_miss(published, world):
    for year, (_notice, cases) in published.items():
        stats = statistics_for(user=world.supervisor, year=year, counting=COUNT_PUBLISHED)

        by_rule = {g.code: {s.project for s in g.rows} for g in stats.by_rule()}
        assert by_rule == _expected_by_rule(cases), year
        assert stats.total.projects == len(cases)


def test_the_written_report_lists_the_same_rows_under_the_same_rules(published, world, login):
    client = login(world.supervisor)
    labels = {label: code for code, label in rule_labels().items()}
    for year, (_notice, cases) in published.items():
        response = client.get(reverse("oversight:statistics_export"), {"year": year, "counting": "published"})
        rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))

        found, rule = defaultdict(set), None
        for r in rows:
            if r[0] and str(r[0]).startswith("规则："):
                rule = labels[str(r[0]).removeprefix("规则：")]
            elif r[0] == "未达标原因统计":
                rule = None
            elif rule and r[1] in cases:
                found[rule].add(r[1])
        assert dict(found) == _expected_by_rule(cases), year


def test_api_and_ocds_carry_each_rows_verdict(published, client):
    for _year, (announcement, cases) in published.items():
        detail = json.loads(client.get(reverse("public:api_detail", args=[announcement.public_id])).content)
        api = {
            r["name"]: (r["policy_verdict"]["status"], tuple(r["policy_verdict"]["rules_missed"]))
            for r in detail["rows"]
        }
        assert api == {name: (c.status, c.missed) for name, c in cases.items()}

    package = json.loads(client.get(reverse("public:ocds_releases"), {"limit": 100}).content)
    ocds = {
        r["tender"]["title"]: (
            r["tender"]["smeReservation"]["policyVerdict"]["status"],
            tuple(r["tender"]["smeReservation"]["policyVerdict"]["rulesMissed"]),
        )
        for r in package["releases"]
    }
    everything = {name: (c.status, c.missed) for _n, cases in published.values() for name, c in cases.items()}
    assert ocds == everything
