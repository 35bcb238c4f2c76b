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


def monthly_rates(
    months: Sequence[tuple[date, Decimal | None]], *, chart_id: str, title: str
) -> Markup:
    """Bars of a rate (0–100 %) month by month; a month without a rate ("—": nothing to divide
    by) is left as a gap with a dash on the axis. ``title`` and a text description of every
    value make the chart readable by a screen reader."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    base = TOP + plot_height
    slot = plot_width / max(len(months), 1)
    bar = slot * 0.62

    def y(rate: float) -> float:
        return base - plot_height * rate / 100

    parts: list[str] = []
    for level in (0, 50, 100):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_number(y(level))}" '
            f'y2="{_number(y(level))}" stroke="{GRID}" stroke-width="1"/>'
            f'<text class="chart-axis" x="{LEFT - 6}" y="{_number(y(level) + 4)}" '
            f'text-anchor="end" font-size="12" fill="{MUTED}">{level}%</text>'
        )
    described = []
    previous_year = None
    for index, (month, value) in enumerate(months):
        centre = LEFT + slot * index + slot / 2
        label = escape(format_date(month, "MMM"))
        shown = percent(value)
        described.append(f"{format_date(month, 'yyyy-MM')} {shown}")
        if value is None:
            parts.append(
                f'<text x="{_number(centre)}" y="{_number(base - 6)}" text-anchor="middle" '
                f'font-size="14" fill="{MUTED}">—</text>'
            )
        else:
            top = y(float(value))
            parts.append(
                f'<rect class="chart-bar" x="{_number(centre - bar / 2)}" y="{_number(top)}" '
                f'width="{_number(bar)}" height="{_number(base - top)}" fill="{BAR}">'
                f"<title>{escape(format_date(month, 'yyyy-MM'))}: {escape(shown)}</title></rect>"
                f'<text class="chart-value" x="{_number(centre)}" y="{_number(top - 6)}" '
                f'text-anchor="middle" font-size="12">{escape(shown)}</text>'
            )
        parts.append(
            f'<text class="chart-month" x="{_number(centre)}" y="{base + 20}" '
            f'text-anchor="middle" font-size="13">{label}</text>'
        )
        if month.year != previous_year:
            parts.append(
                f'<text class="chart-year" x="{_number(centre)}" y="{base + 40}" '
                f'text-anchor="middle" font-size="12" fill="{MUTED}">{month.year}</text>'
            )
            previous_year = month.year
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" '
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
