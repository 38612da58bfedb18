"""What a pack keeps to draw an off-target metric's chart: its measurements (period as the
reader sees it, value, value as text) and the target in force for each period, as plain JSON.

The pack is frozen when its session closes, so these points are kept with it: the briefing book
of a closed session draws the chart as it was presented, whatever is measured or retargeted
later. The geometry is not kept (app.services.views.svg_chart builds it when the page or PDF is
drawn), only the data the chart is made of, the same the scorecard's charts are made of.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from sqlmodel import Session, col, select

from app.models import Measurement, MetricTarget
from app.models.base import is_live
from app.services.reading.plan_nodes import oldest_first
from app.services.rules import metric_rule
from app.services.rules.reporting_periods import period_text
from app.services.rules.value_text import format_value
from app.services.views.metric_card import target_text

# The latest points a chart keeps: enough for years of monthly values, a bounded pack.
MAX_POINTS = 60


class ChartedMetric(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def frequency(self) -> str | None: ...


def chart_points(session: Session, metrics: list[ChartedMetric]) -> dict[int, dict[str, Any]]:
    """Each metric's chart data by id, in two queries whatever the number of metrics (both run
    even for none, so a pack's statements never depend on its data)."""
    ids = {m.id for m in metrics}
    targets: dict[int, list[MetricTarget]] = defaultdict(list)
    for t in session.exec(select(MetricTarget).where(col(MetricTarget.metric_id).in_(ids))):
        targets[t.metric_id].append(t)
    measured: dict[int, list[tuple[Any, float]]] = defaultdict(list)
    for metric_id, period, value in session.exec(
        select(Measurement.metric_id, Measurement.period, Measurement.value)
        .where(col(Measurement.metric_id).in_(ids), is_live(Measurement))
        .order_by(col(Measurement.metric_id), col(Measurement.period))
    ).all():
        measured[metric_id].append((period, value))
    charts: dict[int, dict[str, Any]] = {}
    for m in metrics:
        ordered = oldest_first(targets.get(m.id, []))
        rows = measured.get(m.id, [])[-MAX_POINTS:]
        in_force = [metric_rule.target_in_force(targets=ordered, period=p) for p, _ in rows]
        latest = in_force[-1] if in_force else (ordered[-1] if ordered else None)
        label = target_text(latest, m.unit)
        charts[m.id] = {
            "periods": [period_text(p, m.frequency) for p, _ in rows],
            "values": [v for _, v in rows],
            "value_text": [format_value(v, m.unit) for _, v in rows],
            "targets": [t.value if t is not None else None for t in in_force],
            "target_label": "Target" + (f" ({label})" if label else ""),
        }
    return charts
