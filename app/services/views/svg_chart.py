"""A metric's trend as the geometry of a small SVG chart: its measurements as a line with points,
the target in force as a dashed line, and labelled axes.

The report (HTML and PDF) draws it with the `svg_chart` macro of templates/reports/_chart.html,
so the chart needs no JavaScript and prints as it shows; every number here is a coordinate or a
label the template escapes like any other text (no markup is built in Python).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.services.views.metric_card import MetricCard

WIDTH = 560
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40  # margins around the plot, in SVG units
MAX_X_LABELS = 5


@dataclass(frozen=True)
class Tick:
    at: float  # the coordinate (y for the value axis, x for periods)
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # "2025-Q1: 87 %", the point's <title>


@dataclass
class SvgChart:
    title: str
    desc: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM
    points: list[Point] = field(default_factory=list)
    line: str = ""  # the polyline's points: "x,y x,y …"
    target_path: str = ""  # the dashed target: "M x y H x …", one run per target in force
    target_label: str = ""
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)

    @property
    def grid_path(self) -> str:
        """The value axis's grid lines as one path (one element to draw, not one per tick)."""
        return " ".join(f"M {self.left} {t.at} H {self.right}" for t in self.y_ticks)

    @property
    def axes_path(self) -> str:
        return f"M {self.left} {self.top} V {self.bottom} H {self.right}"

    @property
    def has_target(self) -> bool:
        return bool(self.target_path)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values spanning [low, high] (1, 2 or 5 times a power of ten apart), both ends
    included, so the axis reads 0, 20, 40… rather than 3.7, 18.2…"""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        high, low = low + 1, low - 1 if low else 0
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    n = round((stop - start) / step)
    return [start + i * step for i in range(n + 1)]


_MONTH = re.compile(r"^([A-Z][a-z]{3,}) (\d{4})$")


def axis_label(period: str) -> str:
    """A period as the time axis names it: "December 2023" as "Dec 2023" (the point keeps the
    full name). WeasyPrint lays out an SVG text letter by letter: the city's report has ~2,700
    axis labels, and the long month names were a third of their letters."""
    match = _MONTH.match(period)
    return f"{match.group(1)[:3]} {match.group(2)}" if match else period


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.3g}"


def build_chart(
    *,
    title: str,
    periods: Sequence[str],
    values: Sequence[float],
    targets: Sequence[float | None],
    value_text: Sequence[str],
    target_label: str = "",
    summary: str = "",
) -> SvgChart:
    """The chart of `values` over `periods` (oldest first) with each period's target in force
    (None where none was); `value_text` is each value as the reader sees it ("87 %")."""
    chart = SvgChart(title=title, desc=summary or f"Trend of {title}.", target_label=target_label)
    if not values:
        return chart
    known = [t for t in targets if t is not None]
    ticks = nice_ticks(min([*values, *known]), max([*values, *known]))
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0
    plot_w = chart.right - chart.left
    plot_h = chart.bottom - chart.top

    def y_of(v: float) -> float:
        return round(chart.bottom - (v - low) / span * plot_h, 1)

    n = len(values)
    step = plot_w / n
    xs = [round(chart.left + step * (i + 0.5), 1) for i in range(n)]
    chart.y_ticks = [Tick(y_of(t), _number(t)) for t in ticks]
    every = max(1, math.ceil(n / MAX_X_LABELS))
    chart.x_ticks = [Tick(xs[i], axis_label(periods[i])) for i in range(0, n, every)]
    chart.points = [
        Point(x, y_of(v), f"{p}: {text}")
        for x, v, p, text in zip(xs, values, periods, value_text, strict=True)
    ]
    chart.line = " ".join(f"{p.x},{p.y}" for p in chart.points)
    runs: list[str] = []
    for i, target in enumerate(targets):
        if target is None:
            continue
        x0, x1 = round(xs[i] - step / 2, 1), round(xs[i] + step / 2, 1)
        if i and targets[i - 1] == target and runs:
            runs[-1] = runs[-1].rsplit(" H ", 1)[0] + f" H {x1}"
        else:
            runs.append(f"M {x0} {y_of(target)} H {x1}")
    chart.target_path = " ".join(runs)
    return chart


def metric_chart(card: MetricCard) -> SvgChart:
    """A metric card's chart: its measurements and the target in force for each period."""
    data = card.chart
    return build_chart(
        title=card.metric.name,
        periods=data["periods"],
        values=data["values"],
        targets=data["targets"],
        value_text=[value for _, value, _, _ in card.series_rows],
        target_label=data["targetLabel"],
        summary=card.chart_summary,
    )
