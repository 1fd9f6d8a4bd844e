"""Accessible charts drawn on the server as SVG: a measure over time, and the four worlds.

The pages pair each picture with a text summary and the numbers as a table; the pictures use
shape and words as well as colour (points are marked, the latest value is labelled), and no
inline style (the CSP forbids it): presentation attributes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .models import Better, World

WIDTH = 640
HEIGHT = 260
LEFT = 64
RIGHT = 24
TOP = 20
BOTTOM = 44
#: GOV.UK text black and link blue: the latest reading, and the others.
INK = "#0b0c0c"
LINE = "#1d70b8"


def _fmt(value: Decimal | float) -> str:
    value = Decimal(str(value)).normalize()
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass
class MeasureChart:
    width: int = WIDTH
    height: int = HEIGHT
    points: list[dict[str, Any]] = field(default_factory=list)
    polyline: str = ""
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    x_ticks: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    baseline_y: float = HEIGHT - BOTTOM
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT

    @property
    def has_readings(self) -> bool:
        return bool(self.points)

    @property
    def points_svg(self) -> SafeString:
        """A circle per reading (with its label as a tooltip), the latest larger and labelled.
        Built here, not in a template loop: a cycle page shows a few hundred points."""
        circles = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="{}" fill="{}"><title>{}</title></circle>',
            (
                (
                    p["x"],
                    p["y"],
                    "6" if p["last"] else "3.5",
                    INK if p["last"] else LINE,
                    p["label"],
                )
                for p in self.points
            ),
        )
        last = self.points[-1] if self.points else None
        if last is None:
            return circles
        return circles + format_html(
            '<text x="{}" y="{}" dx="-8" dy="{}" text-anchor="end" fill="{}" '
            'font-weight="bold">Latest: {}</text>',
            last["x"], last["y"], last["label_dy"], INK, last["value"],
        )  # fmt: skip


def _scale(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """A y axis with round ticks (1, 2, 2.5 or 5 times a power of ten), about four steps,
    starting at zero when the readings are all positive and zero reads honestly."""
    if low > 0 and (high - low) < high:
        low = Decimal(0)
    span = high - low or abs(high) or Decimal(1)
    raw = span / 4
    power = Decimal(10) ** (raw.adjusted())
    step = next(
        m * power
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if m * power >= raw
    )
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if top == bottom:
        top = bottom + step
    return bottom, top, step


def _trend_words(first: Decimal, last: Decimal, better: str) -> str:
    if last == first:
        return "no change since the first reading"
    went_up = last > first
    improved = went_up == (better == Better.HIGHER)
    direction = "up" if went_up else "down"
    verdict = "better" if improved else "worse"
    return f"{direction} {_fmt(abs(last - first))} since the first reading, which is {verdict}"


def measure_chart(readings: Sequence[Any], *, name: str, unit: str, better: str) -> MeasureChart:
    """A line of the readings in date order, with a point per reading."""
    chart = MeasureChart()
    rows = sorted(readings, key=lambda r: (r.date, r.pk or 0))
    if not rows:
        chart.summary = f"No readings of {name} yet."
        return chart
    values = [Decimal(r.value) for r in rows]
    low, high, step = _scale(min(values), max(values))
    first_day: date = rows[0].date
    last_day: date = rows[-1].date
    span = max((last_day - first_day).days, 1)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(day: date) -> float:
        if len(rows) == 1:
            return LEFT + plot_w / 2
        return round(LEFT + plot_w * (day - first_day).days / span, 1)

    def y_of(value: Decimal) -> float:
        return round(TOP + plot_h * float((high - value) / (high - low)), 1)

    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        chart.points.append(
            {
                "x": x_of(row.date),
                "y": y_of(value),
                "label": f"{row.date:%-d %b %Y}: {_fmt(value)} {unit}".strip(),
                "last": index == len(rows) - 1,
                "value": _fmt(value),
                # The "Latest" label sits above its point, or below it near the top edge.
                "label_dy": 24 if y_of(value) < TOP + 24 else -12,
            }
        )
    chart.polyline = " ".join(f"{p['x']},{p['y']}" for p in chart.points)
    tick = low
    while tick <= high:
        chart.y_ticks.append({"y": y_of(tick), "label": _fmt(tick)})
        tick += step
    chart.x_ticks = [
        {"x": x_of(first_day), "label": f"{first_day:%b %Y}", "anchor": "start"},
    ]
    if last_day != first_day:
        chart.x_ticks.append({"x": x_of(last_day), "label": f"{last_day:%b %Y}", "anchor": "end"})
    latest = rows[-1]
    better_words = "higher is better" if better == Better.HIGHER else "lower is better"
    when = (
        f"from {first_day:%-d %B %Y} to {last_day:%-d %B %Y}"
        if last_day != first_day
        else f"on {first_day:%-d %B %Y}"
    )
    parts = [
        f"{len(rows)} reading{'s' if len(rows) != 1 else ''} of {name} {when} ({better_words}).",
        f"Latest: {_fmt(latest.value)} {unit} on {latest.date:%-d %B %Y}.".replace("  ", " "),
        f"Lowest {_fmt(min(values))}, highest {_fmt(max(values))}.",
    ]
    if len(rows) > 1:
        parts.append(f"It is {_trend_words(values[0], values[-1], better)}.")
    chart.summary = " ".join(parts)
    return chart


@dataclass
class WorldsChart:
    rows: list[dict[str, Any]]
    total: int
    width: int = WIDTH
    height: int = 0
    summary: str = ""


WORLD_ORDER = [World.TO, World.FOR, World.WITH, World.BY]
WORLD_FILLS = {
    World.TO: "#d4351c",
    World.FOR: "#f47738",
    World.WITH: "#1d70b8",
    World.BY: "#00703c",
}


def worlds_chart(counts: dict[str, int]) -> WorldsChart:
    """Horizontal bars: how many actions were done to, for, with and by people."""
    total = sum(counts.get(w, 0) for w in WORLD_ORDER)
    biggest = max([counts.get(w, 0) for w in WORLD_ORDER] + [1])
    label_w, count_w = 170, 60
    bar_space = WIDTH - label_w - count_w
    rows: list[dict[str, Any]] = []
    for index, world in enumerate(WORLD_ORDER):
        n = counts.get(world, 0)
        bar_width = round(bar_space * n / biggest, 1) if n else 0
        rows.append(
            {
                "world": world.value,
                "label": world.label,
                "short": f"{world.value.capitalize()} people",
                "count": n,
                "percent": round(100 * n / total) if total else 0,
                "text_y": 24 + index * 36,
                "bar_y": 10 + index * 36,
                "bar_x": label_w,
                "bar_width": bar_width,
                "count_x": label_w + bar_width + 8,
                "fill": WORLD_FILLS[world],
            }
        )
    if total:
        summary = (
            f"{total} action{'s' if total != 1 else ''} logged: "
            + ", ".join(f"{r['count']} {r['label'].lower()}" for r in rows)
            + "."
        )
    else:
        summary = "No actions logged yet."
    return WorldsChart(rows=rows, total=total, height=10 + len(rows) * 36, summary=summary)
