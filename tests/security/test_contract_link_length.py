"""A contract link that grows past its column once written as a browser reads it (each `"` becomes
`%22`) is refused with a message at the field: never a 500, never a link cut short."""

import pytest
from django.core.exceptions import ValidationError

from reservations.forms import ReservedProjectForm
from reservations.models import ReservedProject
from reservations.validators import normalize_contract_link

GROWING = "https://www.zfcg.sh.gov.cn/x?" + '"' * 200  # 229 characters typed, 629 written
MESSAGE = "合同链接按浏览器的写法（引号、空格和中文会转写为%XX）共629个字符，最多500个字符。"


def test_a_link_that_grows_past_500_characters_is_refused_with_its_length():
    with pytest.raises(ValidationError) as refused:
        normalize_contract_link(GROWING)

    assert refused.value.messages == [MESSAGE]


def test_the_row_form_shows_the_message_at_the_contract_link():
    form = ReservedProjectForm(
        data={
            "name": "保洁服务",
            "category": "service",
            "option": "whole",
            "ratio": "100",
            "budget_amount": "10",
            "sme_amount": "10",
            "small_micro_amount": "10",
            "contract_url": GROWING,
        }
    )

    assert not form.is_valid()
    assert form.errors["contract_url"] == [MESSAGE]


@pytest.mark.django_db
def test_saving_rows_with_the_growing_link_stores_nothing(world):
    from reservations.models import Report
    from reservations.services import report_rows_save

    report = Report.objects.create(institution=world.unit, year=2025, competent_unit_name=world.unit.name)
    row = {
        "name": "保洁服务",
        "category": "service",
        "option": "whole",
        "ratio": 100,
        "budget_amount": 10,
        "sme_amount": 10,
        "small_micro_amount": 10,
        "contract_url": GROWING,
    }

    with pytest.raises(ValidationError):
        report_rows_save(report=report, rows=[row])

    assert ReservedProject.objects.filter(report=report).count() == 0


def test_a_link_of_exactly_500_characters_as_written_is_kept_whole():
    link = "https://www.zfcg.sh.gov.cn/contract/" + "a" * (500 - len("https://www.zfcg.sh.gov.cn/contract/"))

    assert normalize_contract_link(link) == link
