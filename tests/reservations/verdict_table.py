"""The boundary rows of the policy rules (domain.md §3), shared by every test that must agree
with the one verdict: the verdict itself, the editor and its preview, the submit check, the
review panel, and oversight's statistics, 书面报告, API and OCDS.

Each case: category × budget at, just below and just above 200/400万 × procurement date before,
inside and after each rule's validity × region (a Shanghai district, another province), with the
report year (which never decides when the row has a date), the status and the rules missed.

`row_data(case)` gives the row as the row form's cleaned data (services, editor);
`FIVE_ROWS` are the rows of the issue that found three meanings of 未达标: three shortfalls,
two not.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SHANGHAI = "310107"  # 普陀区: national rules and Shanghai's 2025 measures
OTHER = "350102"  # 福州市鼓楼区: national rules only (no Fujian rule in the table)

PASS, SHORTFALL, UNKNOWN = "pass", "shortfall", "unknown"

WHOLE_GS = "whole-goods-services-46-art7"
WHOLE_WORKS = "whole-works-46-art7"
RATIO_GS = "ratio-goods-services-46-art8"
RATIO_WORKS = "ratio-works-46-art8"
SMALL_GS = "small-micro-goods-services-46-art8"
SMALL_WORKS = "small-micro-works-46-art8"
RATIO_19 = "ratio-works-2022h2-19"
RATIO_STATE_COUNCIL = "ratio-works-state-council-2025"
RATIO_SHANGHAI = "ratio-works-shanghai-2025"


@dataclass(frozen=True)
class Case:
    id: str
    region: str
    year: int
    when: date | None
    category: str
    budget: str | None
    option: str
    ratio: str
    sme: str
    small: str
    status: str
    missed: tuple[str, ...] = ()  # every rule missed (the strictest of a kind first)


def case(id, region, year, when, category, budget, option, ratio, sme, small, status, *missed):
    return Case(id, region, year, when, category, budget, option, ratio, sme, small, status, tuple(missed))


D = date
CASES = [
    # 第七条: goods/services up to 200万 (at 200 too: 超过 is strictly above) are reserved entirely.
    case("goods-200-whole", SHANGHAI, 2025, D(2025, 3, 1), "goods", "200", "whole", "100", "190", "10", PASS),
    case("goods-200-lot", SHANGHAI, 2025, D(2025, 3, 1), "goods", "200", "dedicated_lot", "50", "100", "90",
         SHORTFALL, WHOLE_GS),
    case("services-199.99-lot", OTHER, 2024, D(2024, 5, 1), "services", "199.999999", "dedicated_lot", "30",
         "60", "50", SHORTFALL, WHOLE_GS),
    # 第八条 above 200万: ≥ 30% reserved, ≥ 60% of it small/micro; exact at the boundary.
    case("goods-200.000001-lot-30", SHANGHAI, 2025, D(2025, 3, 1), "goods", "200.000001", "dedicated_lot",
         "30", "60", "36", PASS),
    case("goods-200.000001-lot-29.99", OTHER, 2025, D(2025, 3, 1), "goods", "200.000001", "dedicated_lot",
         "29.99", "60", "36", SHORTFALL, RATIO_GS),
    case("services-300-small-59.995", SHANGHAI, 2025, D(2025, 3, 1), "services", "300", "dedicated_lot", "40",
         "100", "59.995", SHORTFALL, SMALL_GS),
    case("services-300-small-60", SHANGHAI, 2025, D(2025, 3, 1), "services", "300", "dedicated_lot", "40",
         "100", "60", PASS),
    # The 60% is of the reserved share above 200万/400万 only: never for a 第七条 row.
    case("services-150-whole-5%", SHANGHAI, 2025, D(2025, 6, 30), "services", "150", "whole", "100", "150",
         "7.5", PASS),
    case("goods-500-lot-20", SHANGHAI, 2025, D(2025, 6, 30), "goods", "500", "dedicated_lot", "20", "100",
         "80", SHORTFALL, RATIO_GS),
    # 第七条 works up to 400万.
    case("works-400-whole", OTHER, 2025, D(2025, 12, 1), "works", "400", "whole", "100", "380", "300", PASS),
    case("works-400-lot", OTHER, 2025, D(2025, 12, 1), "works", "400", "dedicated_lot", "50", "200", "150",
         SHORTFALL, WHOLE_WORKS),
    case("works-399.99-lot", SHANGHAI, 2021, D(2021, 6, 1), "works", "399.999999", "consortium", "30", "120",
         "100", SHORTFALL, WHOLE_WORKS),
    case("works-400.000001-30-2021", SHANGHAI, 2021, D(2021, 6, 1), "works", "400.000001", "consortium", "30",
         "120", "100", PASS),
    # 财库〔2022〕19号: 40% for works above 400万 from 2022-07-01 to 2022-12-31, by the row's date.
    case("works-520-30-2022-06-30", OTHER, 2022, D(2022, 6, 30), "works", "520", "subcontract", "30", "156",
         "100", PASS),
    case("works-520-30-2022-07-01", OTHER, 2022, D(2022, 7, 1), "works", "520", "subcontract", "30", "156",
         "100", SHORTFALL, RATIO_19),
    case("works-520-30-2022-12-31", SHANGHAI, 2022, D(2022, 12, 31), "works", "520", "subcontract", "30",
         "156", "100", SHORTFALL, RATIO_19),
    case("works-520-30-2023-01-01", SHANGHAI, 2023, D(2023, 1, 1), "works", "520", "subcontract", "30", "156",
         "100", PASS),
    case("2023-report-row-dated-2022-08-01", OTHER, 2023, D(2022, 8, 1), "works", "520", "subcontract", "30",
         "156", "100", SHORTFALL, RATIO_19),
    # Shanghai's measures: 40% for works above 400万 from 2025-04-01 to 2026-12-31, Shanghai only.
    case("sh-works-520-30-2025-03-31", SHANGHAI, 2025, D(2025, 3, 31), "works", "520", "subcontract", "30",
         "156", "100", PASS),
    case("sh-works-520-30-2025-04-01", SHANGHAI, 2025, D(2025, 4, 1), "works", "520", "subcontract", "30",
         "156", "100", SHORTFALL, RATIO_SHANGHAI),
    case("sh-works-520-30-2025-06-30", SHANGHAI, 2025, D(2025, 6, 30), "works", "520", "subcontract", "30",
         "156", "100", SHORTFALL, RATIO_SHANGHAI),
    case("other-works-520-30-2025-06-30", OTHER, 2025, D(2025, 6, 30), "works", "520", "subcontract", "30",
         "156", "100", PASS),
    case("sh-works-400-whole-2025-06-30", SHANGHAI, 2025, D(2025, 6, 30), "works", "400", "whole", "100",
         "400", "300", PASS),
    case("sh-works-520-40-2025-06-30", SHANGHAI, 2025, D(2025, 6, 30), "works", "520", "dedicated_lot", "40",
         "208", "130", PASS),
    # The State Council's measures: 40% nationally from 2025-11-01, no end.
    case("other-works-520-30-2025-10-31", OTHER, 2025, D(2025, 10, 31), "works", "520", "subcontract", "30",
         "156", "100", PASS),
    case("other-works-520-30-2025-11-01", OTHER, 2025, D(2025, 11, 1), "works", "520", "subcontract", "30",
         "156", "100", SHORTFALL, RATIO_STATE_COUNCIL),
    case("sh-works-520-30-2026-12-31", SHANGHAI, 2026, D(2026, 12, 31), "works", "520", "subcontract", "30",
         "156", "100", SHORTFALL, RATIO_STATE_COUNCIL, RATIO_SHANGHAI),
    case("sh-works-520-30-2027-01-01", SHANGHAI, 2027, D(2027, 1, 1), "works", "520", "subcontract", "30",
         "156", "100", SHORTFALL, RATIO_STATE_COUNCIL),
    case("other-works-520-25-2025-12-01", OTHER, 2025, D(2025, 12, 1), "works", "520", "consortium", "25",
         "130", "100", SHORTFALL, RATIO_STATE_COUNCIL, RATIO_WORKS),
    case("other-works-800-small-50-2024", OTHER, 2024, D(2024, 9, 1), "works", "800", "dedicated_lot", "35",
         "280", "140", SHORTFALL, SMALL_WORKS),
    # 无法判断: the row lacks what would decide a rule it would miss.
    case("no-category", SHANGHAI, 2025, D(2025, 3, 1), "", "500", "dedicated_lot", "20", "100", "80",
         UNKNOWN),
    case("no-budget", OTHER, 2024, D(2024, 3, 1), "goods", None, "dedicated_lot", "20", "100", "80", UNKNOWN),
    case("sh-works-no-date-2025", SHANGHAI, 2025, None, "works", "520", "subcontract", "30", "156", "100",
         UNKNOWN),
    case("works-no-date-2022", OTHER, 2022, None, "works", "520", "subcontract", "30", "156", "100", UNKNOWN),
    # Without a date, a rule valid the whole report year still decides.
    case("other-works-no-date-2024", OTHER, 2024, None, "works", "520", "subcontract", "30", "156", "100",
         PASS),
    case("goods-no-date-lot-20-2024", OTHER, 2024, None, "goods", "500", "dedicated_lot", "20", "100", "80",
         SHORTFALL, RATIO_GS),
    # A row missing nothing whatever its missing value is not 无法判断.
    case("no-budget-whole", SHANGHAI, 2025, D(2025, 3, 1), "goods", None, "whole", "100", "100", "70", PASS),
]  # fmt: skip

# The five rows of demo-handler's 2025 notice in 普陀区: three shortfalls, two not.
FIVE_ROWS = [
    case("five-works-520-subcontract-30", SHANGHAI, 2025, D(2025, 6, 30), "works", "520", "subcontract", "30",
         "156", "120", SHORTFALL, RATIO_SHANGHAI),
    case("five-services-150-whole-5%", SHANGHAI, 2025, D(2025, 3, 15), "services", "150", "whole", "100",
         "150", "7.5", PASS),
    case("five-goods-500-lot-20", SHANGHAI, 2025, D(2025, 5, 20), "goods", "500", "dedicated_lot", "20",
         "100", "80", SHORTFALL, RATIO_GS),
    case("five-services-300-small-59.995", SHANGHAI, 2025, D(2025, 8, 1), "services", "300", "dedicated_lot",
         "40", "120", "71.994", SHORTFALL, SMALL_GS),
    case("five-goods-180-whole", SHANGHAI, 2025, D(2025, 9, 1), "goods", "180", "whole", "100", "175", "120",
         PASS),
]  # fmt: skip


def row_data(c: Case, number: int = 1) -> dict:
    """The row as the row form's cleaned data (what the services and the editor take)."""
    return {
        "name": f"边界项目{number}（{c.id}）",
        "code": f"BJ-{number:03d}",
        "category": c.category,
        "option": c.option,
        "ratio": Decimal(c.ratio),
        "budget_amount": None if c.budget is None else Decimal(c.budget),
        "sme_amount": Decimal(c.sme),
        "small_micro_amount": Decimal(c.small),
        "contract_url": f"https://www.zfcg.sh.gov.cn/site/detail?contractId=bj-{c.id}-{number}",
        "procurement_date": c.when,
    }


def post_data(c: Case) -> dict:
    """The row as the edit page's form fields type it (strings)."""
    data = row_data(c)
    return {
        name: "" if value is None else (value.isoformat() if isinstance(value, date) else str(value))
        for name, value in data.items()
    }
