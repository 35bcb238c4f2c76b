"""Charts drawn on the server as inline SVG: no chart library, no script, nothing but
presentation attributes (the CSP allows no inline style), readable when printed.

The drawing scales with its ``viewBox``; the text inherits the page's font."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.reports.figures import percent

WIDTH = 640
HEIGHT = 260
LEFT = 56  # room for the percentages of the vertical axis
RIGHT = 8
TOP = 26  # room for the value above a full bar
BOTTOM = 48  # two lines under the axis: month, and the year where it changes
BAR = "#b71c1c"  # the party red of the buttons
GRID = "#dee2e6"
MUTED = "#6c757d"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASE = TOP + PLOT_HEIGHT


def _y(rate: float) -> float:
    return BASE - PLOT_HEIGHT * rate / 100


def _grid() -> list[str]:
    """The 0, 50 and 100 % lines with their labels."""
    return [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_number(_y(level))}" '
        f'y2="{_number(_y(level))}" stroke="{GRID}" stroke-width="1"/>'
        f'<text class="chart-axis" x="{LEFT - 6}" y="{_number(_y(level) + 4)}" '
        f'text-anchor="end" font-size="12" fill="{MUTED}">{level}%</text>'
        for level in (0, 50, 100)
    ]


def _bar(centre: float, width: float, month: date, value: Decimal | None) -> str:
    """One month's bar with its value above it, or a dash where there is no rate."""
    if value is None:
        return (
            f'<text x="{_number(centre)}" y="{_number(BASE - 6)}" text-anchor="middle" '
            f'font-size="14" fill="{MUTED}">—</text>'
        )
    top = _y(float(value))
    shown = escape(percent(value))
    return (
        f'<rect class="chart-bar" x="{_number(centre - width / 2)}" y="{_number(top)}" '
        f'width="{_number(width)}" height="{_number(BASE - top)}" fill="{BAR}">'
        f"<title>{escape(format_date(month, 'yyyy-MM'))}: {shown}</title></rect>"
        f'<text class="chart-value" x="{_number(centre)}" y="{_number(top - 6)}" '
        f'text-anchor="middle" font-size="12">{shown}</text>'
    )


def _axis_labels(centre: float, month: date, first_of_year: bool) -> str:
    """The month under its bar, and the year under the first month of each year."""
    label = (
        f'<text class="chart-month" x="{_number(centre)}" y="{BASE + 20}" '
        f'text-anchor="middle" font-size="13">{escape(format_date(month, "MMM"))}</text>'
    )
    if first_of_year:
        label += (
            f'<text class="chart-year" x="{_number(centre)}" y="{BASE + 40}" '
            f'text-anchor="middle" font-size="12" fill="{MUTED}">{month.year}</text>'
        )
    return label


def monthly_rates(
    months: Sequence[tuple[date, Decimal | None]], *, chart_id: str, title: str
) -> Markup:
    """Bars of a rate (0–100 %) month by month; a month without a rate ("—": nothing to divide
    by) is left as a gap with a dash on the axis. ``title`` and a text description of every
    value make the chart readable by a screen reader."""
    slot = PLOT_WIDTH / max(len(months), 1)
    parts = _grid()
    described = []
    previous_year = None
    for index, (month, value) in enumerate(months):
        centre = LEFT + slot * index + slot / 2
        described.append(f"{format_date(month, 'yyyy-MM')} {percent(value)}")
        parts.append(_bar(centre, slot * 0.62, month, value))
        parts.append(_axis_labels(centre, month, month.year != previous_year))
        previous_year = month.year
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{BASE}" y2="{BASE}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    description = _("%(title)s: %(values)s.", title=title, values="; ".join(described))
    # Every piece of text above went through escape(); the rest is numbers and constants.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(parts)}</svg>"
    )


def width_class(share: int) -> str:
    """The class of a bar ``share`` per cent long, in steps of 5 (app.css defines w-0 … w-100:
    the CSP allows no style attribute)."""
    return f"w-{max(0, min(100, share)) // 5 * 5}"
