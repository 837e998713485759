"""Totals and rounding: exact Decimals, ROUND_HALF_UP, never a float."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reservations.models import ReservedProject
from reservations.money import (
    format_share,
    format_wan,
    quantize_wan,
    rows_totals,
    small_micro_share,
    to_decimal,
)

amounts = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("99999999"), places=6)


@st.composite
def rows(draw):
    result = []
    for _ in range(draw(st.integers(min_value=0, max_value=30))):
        sme = draw(amounts)
        small_micro = draw(st.decimals(min_value=Decimal("0"), max_value=sme, places=6))
        result.append(ReservedProject(sme_amount=sme, small_micro_amount=small_micro))
    return result


@settings(max_examples=200, deadline=None)
@given(rows())
def test_totals_equal_sum_of_rows_and_share_within_bounds(rows):
    sme_total, small_micro_total = rows_totals(rows)
    assert sme_total == sum((r.sme_amount for r in rows), Decimal("0"))
    assert small_micro_total == sum((r.small_micro_amount for r in rows), Decimal("0"))
    assert isinstance(sme_total, Decimal) and isinstance(small_micro_total, Decimal)
    share = small_micro_share(sme_total=sme_total, small_micro_total=small_micro_total)
    if rows:
        assert isinstance(share, Decimal) and Decimal("0") <= share <= Decimal("100")
        assert share == share.quantize(Decimal("0.01"))
    else:
        assert share is None and format_share(share) == "—"


@settings(max_examples=200, deadline=None)
@given(amounts)
def test_format_wan_round_trips_exactly(value):
    text = format_wan(value)
    assert "e" not in text.lower()
    assert Decimal(text) == value
    assert not ("." in text and text.endswith("0"))


@given(st.floats(min_value=0.000001, max_value=1e9, allow_nan=False))
def test_float_cells_convert_through_str(value):
    assert to_decimal(value) == Decimal(repr(value))


def test_quantize_refuses_floats():
    with pytest.raises(TypeError):
        quantize_wan(0.1)


def test_share_is_truncated_never_rounded_up():
    assert small_micro_share(sme_total=Decimal("8"), small_micro_total=Decimal("1")) == Decimal("12.50")
    assert small_micro_share(sme_total=Decimal("200"), small_micro_total=Decimal("0.01")) == Decimal("0.00")
    assert small_micro_share(sme_total=Decimal("200000"), small_micro_total=Decimal("1")) == Decimal("0.00")
    assert small_micro_share(sme_total=Decimal("3"), small_micro_total=Decimal("2")) == Decimal("66.66")
    assert small_micro_share(sme_total=Decimal("100"), small_micro_total=Decimal("59.995")) == Decimal(
        "59.99"
    )
    assert format_share(Decimal("59.995")) == "59.99"
    assert small_micro_share(sme_total=Decimal("0"), small_micro_total=Decimal("0")) is None


def test_format_wan_examples():
    assert [format_wan(Decimal(v)) for v in ("200", "200.000000", "12.50", "0.000001", "0")] == [
        "200", "200", "12.5", "0.000001", "0",
    ]  # fmt: skip
    assert format_share(Decimal("62.5")) == "62.50"


@pytest.mark.parametrize(
    ("sme", "small", "below"),
    [
        ("100", "59.994", True),
        ("100", "59.995", True),  # exact: below 60, and printed as 59.99, not 60.00
        ("100", "59.999999", True),
        ("100", "60", False),
        ("3", "1.8", False),
        ("3", "1.79985", True),  # 59.995
        ("3", "1.79984", True),  # 59.99466…
        ("0", "0", False),  # no share at all
    ],
)
def test_share_below_compares_exactly(sme, small, below):
    from reservations.money import share_below

    minimum = Decimal("60")

    assert share_below(sme_total=Decimal(sme), small_micro_total=Decimal(small), minimum=minimum) is below
