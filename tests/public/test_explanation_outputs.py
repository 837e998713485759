"""46号 第十八条: the 说明 of a missed threshold is published with the notice, in every format."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reservations.models import Report
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

EXPLANATION = "该项目专业性强，本地小微企业无相应资质，已在采购文件中说明。"


def with_shortfall(notice, needs=True):
    Report.objects.filter(pk=notice.report_id).update(explanation=EXPLANATION, needs_explanation=needs)
    return notice


def test_api_detail_and_list_carry_the_explanation_only_with_a_shortfall(client, world):
    short = with_shortfall(make_notice(institution=world.unit))
    fine = with_shortfall(make_notice(institution=world.outsider), needs=False)

    detail = json.loads(client.get(reverse("public:api_detail", args=[short.public_id])).content)
    listing = json.loads(client.get(reverse("public:api_list")).content)

    assert detail["shortfall_explanation"] == EXPLANATION
    by_id = {n["id"]: n["shortfall_explanation"] for n in listing["results"]}
    assert by_id == {short.public_id: EXPLANATION, fine.public_id: None}


def test_ocds_carries_the_explanation_in_the_extension(client, world):
    with_shortfall(make_notice(institution=world.unit))

    package = json.loads(client.get(reverse("public:ocds_releases")).content)

    assert package["releases"][0]["tender"]["smeReservation"]["shortfallExplanation"] == EXPLANATION
    patch = json.loads(client.get("/api/ocds/release-schema.json").content)
    reservation = patch["definitions"]["Tender"]["properties"]["smeReservation"]["properties"]
    assert reservation["shortfallExplanation"]["type"] == "string"


def test_csv_and_xlsx_carry_the_explanation_column(client, world):
    with_shortfall(make_notice(institution=world.unit, rows=[("甲", "1", "0.1"), ("乙", "2", "1")]))

    response = client.get(reverse("public:download_csv"))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    column = lines[0].index("未达到预留份额比例的说明")
    assert [line[column] for line in lines[1:]] == [EXPLANATION, EXPLANATION]

    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("public:download_xlsx")).streaming_content))
    ).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("未达到预留份额比例的说明") + 1).value == EXPLANATION


def test_explanation_is_frozen_at_approval_and_shown_on_the_public_and_print_page(client, world):
    from announcements import workflow
    from tests.announcements.workflow_factories import add_row, notice

    announcement = notice(institution=world.unit, rows=0, created_by=world.handler)
    add_row(
        announcement.report,
        name="信息化设备采购",
        category="goods",
        budget_amount=Decimal("500"),
        option="dedicated_lot",
        ratio=Decimal("20"),
        sme_amount=Decimal("100"),
        small_micro_amount=Decimal("80"),
        shortfall_reason="supply",
    )
    Report.objects.filter(pk=announcement.report_id).update(explanation=EXPLANATION)
    for action, actor in [("submit", world.handler), ("purchaser_approve", world.reviewer),
                          ("finance_approve", world.finance)]:  # fmt: skip
        announcement.refresh_from_db()
        workflow.apply_action(announcement=announcement, action=action, actor=actor)
    announcement.refresh_from_db()
    assert f"未达到预留份额比例的说明：</strong>{EXPLANATION}" in announcement.published_html

    page = client.get(reverse("public:detail", args=[announcement.public_id])).content.decode()
    assert f"未达到预留份额比例的说明：</strong>{EXPLANATION}" in page
