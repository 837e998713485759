"""46号 第十八条: the 说明 of a missed threshold is published with the notice, in every format."""

import csv
import io
import json

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
