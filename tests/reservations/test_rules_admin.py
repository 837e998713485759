"""Rules changed in the admin (政策规则) re-flag the reports not frozen yet: the stored
`small_micro_below` / `needs_explanation` that oversight counts follow the rule now in force,
recomputed on the task queue (ImmediateBackend in tests). Published notices keep their flags, as
their text is frozen. A regional row added in the admin applies to that region's districts only."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.enums import DistrictLevel
from accounts.models import District
from announcements.enums import State
from reservations.models import PolicyRule, Report
from reservations.services import report_rows_save
from tests import factories
from tests.announcements.workflow_factories import notice, set_state

pytestmark = pytest.mark.django_db

SMALL_MICRO = "small-micro-goods-services-46-art8"


@pytest.fixture
def root(client):
    user = factories.user(is_superuser=True, is_staff=True)
    client.force_login(user, backend="accounts.backends.ActiveStaffBackend")
    return client


def goods_row(small_micro):
    # 500万 goods, 40% reserved as a lot of 200万: small/micro 110 → 55%, 130 → 65%.
    return {
        "name": "教学设备采购",
        "code": "JX-1",
        "category": "goods",
        "option": "dedicated_lot",
        "ratio": Decimal("40"),
        "budget_amount": Decimal("500"),
        "sme_amount": Decimal("200"),
        "small_micro_amount": Decimal(small_micro),
        "contract_url": "https://www.zfcg.sh.gov.cn/contract/9",
    }


def flags(report):
    report = Report.objects.get(pk=report.pk)
    return report.small_micro_below, report.needs_explanation


def admin_form(rule, **changes):
    """The admin change form's fields, as the page would post them back."""
    data = {
        "code": rule.code,
        "kind": rule.kind,
        "region_code": rule.region_code,
        "region_name": rule.region_name,
        "budget_above": "" if rule.budget_above is None else str(rule.budget_above),
        "budget_up_to": "" if rule.budget_up_to is None else str(rule.budget_up_to),
        "minimum": "" if rule.minimum is None else str(rule.minimum),
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": "" if rule.valid_to is None else rule.valid_to.isoformat(),
        "source": rule.source,
    }
    for name in ("goods", "works", "services", "active"):
        if getattr(rule, name):
            data[name] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_a_minimum_changed_in_the_admin_re_flags_a_draft_but_not_a_published_notice(
    world, root, django_capture_on_commit_callbacks
):
    draft = notice(institution=world.unit, year=2025)
    published = notice(institution=world.other_unit, year=2025)
    for announcement in (draft, published):
        report_rows_save(report=announcement.report, rows=[goods_row("110")])
    set_state(published, State.PUBLISHED)
    assert flags(draft.report) == flags(published.report) == (True, True)  # 55% < 60%

    rule = PolicyRule.objects.get(code=SMALL_MICRO)
    url = reverse("admin:reservations_policyrule_change", args=[rule.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = root.post(url, admin_form(rule, minimum="50"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PolicyRule.objects.get(pk=rule.pk).minimum == Decimal("50")
    assert flags(draft.report) == (False, False)  # 55% ≥ 50%: no shortfall any more
    assert flags(published.report) == (True, True)  # frozen as finance approved it
    # The rows' stored verdicts follow: the draft's row is recomputed, the published one stays.
    assert draft.report.rows.get().verdict_status == "pass"
    assert (published.report.rows.get().verdict_status, published.report.rows.get().verdict_missed) == (
        "shortfall",
        f",{SMALL_MICRO},",
    )

    with django_capture_on_commit_callbacks(execute=True):
        root.post(url, admin_form(rule, minimum="60"))
    assert flags(draft.report) == (True, True)


def test_a_rule_deleted_in_the_admin_re_flags_the_drafts(world, root, django_capture_on_commit_callbacks):
    draft = notice(institution=world.unit, year=2025)
    report_rows_save(report=draft.report, rows=[goods_row("110")])
    rule = PolicyRule.objects.get(code=SMALL_MICRO)
    with django_capture_on_commit_callbacks(execute=True):
        response = root.post(reverse("admin:reservations_policyrule_delete", args=[rule.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert flags(draft.report) == (False, False)


def test_a_regional_row_added_in_the_admin_applies_to_its_own_districts_only(
    world, root, django_capture_on_commit_callbacks
):
    """Fujian's 40% for goods and services in 2022 H2 (闽财规〔2022〕13号), added as an admin
    would: a Fujian unit's draft gets the shortfall, a Shanghai unit's identical draft does not."""
    District.objects.create(code="350102", name="鼓楼区", level=DistrictLevel.DISTRICT)
    fujian = factories.institution(name="福州市鼓楼区某单位", district_code="350102")
    rows = [{**goods_row("150"), "ratio": Decimal("35"), "sme_amount": Decimal("175"),
             "procurement_date": date(2022, 8, 1)}]  # fmt: skip
    drafts = {}
    for name, institution in (("fujian", fujian), ("shanghai", world.unit)):
        drafts[name] = notice(institution=institution, year=2022)
        report_rows_save(report=drafts[name].report, rows=rows)
    assert flags(drafts["fujian"].report) == flags(drafts["shanghai"].report) == (False, False)

    data = {
        "code": "fujian-ratio-goods-services-2022h2",
        "kind": "min_ratio",
        "region_code": "350000",
        "region_name": "福建省",
        "goods": "on",
        "services": "on",
        "budget_above": "200",
        "minimum": "40",
        "valid_from": "2022-07-01",
        "valid_to": "2022-12-31",
        "source": "闽财规〔2022〕13号",
        "active": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = root.post(reverse("admin:reservations_policyrule_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert flags(drafts["fujian"].report) == (False, True)  # 35% < 40%: a 说明 is required
    assert flags(drafts["shanghai"].report) == (False, False)


def test_the_admin_rule_list_shows_shanghai_runs_on_the_national_rules(root):
    html = root.get(reverse("admin:reservations_policyrule_changelist")).content.decode()
    assert "全国" in html and "财库〔2022〕19号 第三条" in html
    assert "上海市（310000）适用全国规则" in html
