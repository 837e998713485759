"""Money in 万元, exact to the fen (0.000001 万元). Decimal end to end: a float never enters.

The one place that rounds amounts (ROUND_HALF_UP) and formats them and the small/micro share.
A share is truncated, never rounded up: 59.995% shows as 59.99%, so a printed share never
crosses the 60% of 第八条 that the exact figure misses.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

WAN_QUANTUM = Decimal("0.000001")
SHARE_QUANTUM = Decimal("0.01")
EM_DASH = "—"


def quantize_wan(value: Decimal) -> Decimal:
    """An amount in 万元 rounded to the fen."""
    if isinstance(value, float):
        # Callers convert through str (openpyxl gives floats); refusing here keeps floats out.
        raise TypeError("Money must be a Decimal, never a float.")
    return Decimal(value).quantize(WAN_QUANTUM, rounding=ROUND_HALF_UP)


def to_decimal(value) -> Decimal | None:
    """A Decimal from a cell or form value (a float goes through str); None when not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def rows_totals(rows) -> tuple[Decimal, Decimal]:
    """(SME total, small/micro total) of rows having `sme_amount` and `small_micro_amount`."""
    sme = sum((quantize_wan(r.sme_amount) for r in rows), Decimal("0"))
    small_micro = sum((quantize_wan(r.small_micro_amount) for r in rows), Decimal("0"))
    return quantize_wan(sme), quantize_wan(small_micro)


def small_micro_share(*, sme_total: Decimal, small_micro_total: Decimal) -> Decimal | None:
    """Small/micro total as a percentage of the SME total, truncated to 2 decimals; None when the
    total is 0."""
    if not sme_total:
        return None
    share = Decimal(small_micro_total) * 100 / Decimal(sme_total)
    return share.quantize(SHARE_QUANTUM, rounding=ROUND_DOWN)


def share_below(*, sme_total: Decimal, small_micro_total: Decimal, minimum: Decimal) -> bool:
    """Whether the exact small/micro share is below `minimum` (%): compared without dividing or
    rounding (59.995% is below 60%). No share (an SME total of 0) is never below."""
    if not sme_total:
        return False
    return Decimal(small_micro_total) * 100 < Decimal(minimum) * Decimal(sme_total)


def format_wan(value: Decimal | None) -> str:
    """ "200", "12.5", "0.000001": the amount without trailing zeros or exponent notation."""
    if value is None:
        return ""
    text = format(quantize_wan(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_share(value: Decimal | None) -> str:
    """The share with two decimals, truncated ("62.50"; 59.995 → "59.99"), or "—" when there is
    none (total 0)."""
    if value is None:
        return EM_DASH
    return format(value.quantize(SHARE_QUANTUM, rounding=ROUND_DOWN), "f")
