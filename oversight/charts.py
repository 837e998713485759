"""A server-drawn SVG bar chart of the district figures (no script, no inline style: CSP).

Geometry only; the template draws it with presentation attributes and classes from
static/css/oversight.css. The same numbers are in the table beside it.
"""

from dataclasses import dataclass
from decimal import Decimal

LABEL_WIDTH = 90
BAR_AREA = 480
ROW_HEIGHT = 46
BAR_HEIGHT = 16
TOP = 24


@dataclass
class Bar:
    x: int
    y: int
    width: Decimal
    height: int
    css: str
    text: str
    text_x: Decimal


def district_chart(summaries) -> dict:
    """Two bars per district: the share of required units that published, and the small/micro share.
    No threshold line: the rules apply to each row (their verdicts are in the table), not to a
    district's overall share."""
    rows = []
    for i, s in enumerate(summaries):
        y = TOP + i * ROW_HEIGHT
        bars = []
        for offset, value, css in (
            (0, s.filed_share, "bar-filed"),
            (BAR_HEIGHT + 2, s.small_micro_share, "bar-share"),
        ):
            pct = min(value or Decimal("0"), Decimal("100"))
            width = (pct * BAR_AREA / 100).quantize(Decimal("0.1"))
            text = "—" if value is None else f"{value}%"
            bars.append(Bar(LABEL_WIDTH, y + offset, width, BAR_HEIGHT, css, text, LABEL_WIDTH + width + 4))
        rows.append({"label": s.campaign.district.name, "label_y": y + BAR_HEIGHT + 4, "bars": bars})
    height = TOP + max(len(rows), 1) * ROW_HEIGHT + 8
    return {
        "rows": rows,
        "width": LABEL_WIDTH + BAR_AREA + 70,
        "height": height,
        "axis_x": LABEL_WIDTH,
        "axis_end": LABEL_WIDTH + BAR_AREA,
    }
