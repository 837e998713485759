"""The figures that go upward, in a real browser: demo-handler's 2025 works row of 520万 reserved at
30% by 要求合同分包 on 2025-06-30 has passed 采购人初审; demo-finance opens 上报统计 from the menu and
finds it under Shanghai's 40% rule with its reason and 说明, and the downloaded 书面报告 lists it under
the same rule."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import User
from devdata import accounts as accounts_demo
from devdata.notices import Row, notice_draft, notice_steps
from reservations.models import PolicyRule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EXPLANATION = "河道整治工程专业性强，具备资质的小微施工企业较少，合同分包比例为30%。"


def test_finance_finds_the_works_row_under_the_40_percent_rule_on_the_page_and_in_the_report(
    live_server, sign_in
):
    accounts_demo.seed({})
    handler = User.objects.get(username="demo-handler")
    reviewer = User.objects.get(username="demo-reviewer")
    notice = notice_draft(
        handler=handler,
        year=2025,
        rows=[
            Row(
                "河道综合整治工程",
                "HD-2025-01",
                "works",
                "subcontract",
                "30",
                "520",
                "156",
                "120",
                "special",
                "2025-06-30",
            ),
            Row("办公家具采购", "BG-2025-02", "goods", "whole", "100", "180", "175", "120", "", "2025-09-01"),
        ],
        explanation=EXPLANATION,
    )
    notice_steps(notice, ("submit", handler), ("purchaser_approve", reviewer))
    rule = str(PolicyRule.objects.get(code="ratio-works-shanghai-2025"))

    finance = sign_in("demo-finance")
    finance.set_viewport_size({"width": 1366, "height": 768})
    finance.get_by_role("link", name="上报统计").first.click()
    finance.get_by_label("年份").fill("2025")
    finance.get_by_role("button", name="查询").click()

    expect(finance.get_by_text("统计范围：已发布及财政审核中的公告。")).to_be_visible()
    group = finance.locator("table.shortfalls[data-rule='ratio-works-shanghai-2025']")
    expect(finance.get_by_role("heading", name=f"规则：{rule}")).to_be_visible()
    expect(group).to_contain_text("河道综合整治工程")
    expect(group).to_contain_text("项目特殊性")
    expect(group).to_contain_text(EXPLANATION)
    expect(finance.locator("table.shortfalls")).to_have_count(1)  # the goods row meets 第七条
    with finance.expect_download() as download:
        finance.get_by_role("link", name="下载书面报告（Excel）").click()

    rows = list(
        load_workbook(BytesIO(open(download.value.path(), "rb").read()))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    heading = rows.index(next(r for r in rows if r[0] == f"规则：{rule}"))
    assert rows[heading + 2][:2] == (accounts_demo.UNIT_NAME, "河道综合整治工程")
    assert [r[0] for r in rows if r[0] and str(r[0]).startswith("规则：")] == [f"规则：{rule}"]
