"""A plan's exports: its scorecard, its measurements (long format) and its roadmap.

Each is made from the read model its page builds (services.views.scorecard and roadmap), for the
reader the page answers and under its filters, with every row the filters keep rather than one
page of them. The scorecard's latest status and reason and each point's status are the ones the
page shows; a measurement's note and who entered it are internal (`internal`: the reader may read
the plan's internal notes, services.accounts.permissions.can_read_internal), as on a metric's page.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.models import Plan
from app.services.exports.tables import (
    Column,
    Export,
    Table,
    columns,
    file_name,
    status_word,
)
from app.services.views import roadmap as roadmap_view
from app.services.views import scorecard as scorecard_view
from app.services.views.metric_card import DIRECTION_WORDS, MetricCard, period_text, target_text

# Every metric on one "page": an export is the whole of what the filters keep.
ALL = 1_000_000


def load_scorecard(
    *, session: Session, plan: Plan, horizon: str = "", status: str = "", internal: bool = True
) -> scorecard_view.Scorecard:
    """The scorecard the page shows under these filters, with every matching metric at once
    (internal metrics only when `internal`)."""
    return scorecard_view.load_scorecard(
        session=session,
        plan=plan,
        horizon=horizon,
        status=status,
        page=1,
        per_page=ALL,
        internal=internal,
    )


def _target_value(card: MetricCard) -> float | None:
    target = card.node.target_in_force
    return target.value if target is not None else None


def scorecard_export(card: scorecard_view.Scorecard, *, today: dt.date) -> Export:
    """One row per metric, as the scorecard's table: latest value, target, status and reason."""
    plan = card.plan
    table = Table(
        "Scorecard",
        columns(
            Column("Code", 12),
            Column("Metric", 40),
            "Department",
            Column("Measures", 40),
            "Horizon",
            "Unit",
            "Direction",
            "Latest period",
            "Latest value",
            Column("Target", 24),
            "Target value",
            "Status",
            Column("Reason", 60),
            "Baseline",
            "Baseline date",
        ),
    )
    for c in card.metrics:
        m, node = c.metric, c.node
        latest = node.latest
        table.add(
            m.code,
            m.name,
            node.department.name if node.department is not None else None,
            node.measures_label,
            c.horizon_label or None,
            m.unit or None,
            DIRECTION_WORDS.get(m.direction, m.direction),
            latest.period if latest is not None else None,
            latest.value if latest is not None else None,
            c.target or None,
            _target_value(c),
            status_word(node.status.code, plan, node.status.label),
            node.status.reason or None,
            m.baseline_value,
            m.baseline_date,
        )
    return Export(file_name(plan.slug, "scorecard", *_filters(card), day=today), [table])


def _filters(card: scorecard_view.Scorecard) -> list[str]:
    return [card.horizon, card.status]


def measurements_export(
    card: scorecard_view.Scorecard, *, internal: bool, today: dt.date
) -> Export:
    """Every live measurement of the scorecard's metrics, one row each (long format), with the
    target in force for its period and its status against it; with its note and who entered it
    for a reader of the plan's internal notes."""
    plan = card.plan
    titles: list[str | Column] = [
        Column("Metric code", 12),
        Column("Metric", 40),
        "Unit",
        "Period",
        "Period label",
        "Value",
        Column("Target in force", 24),
        "Target value",
        "Status",
    ]
    if internal:
        titles += [Column("Note", 60), "Entered by"]
    table = Table("Measurements", columns(*titles))
    for c in card.metrics:
        m = c.metric
        for point in c.points:
            row = point.measurement
            values = [
                m.code,
                m.name,
                m.unit or None,
                row.period,
                period_text(row.period, m.frequency),
                row.value,
                target_text(point.target, m.unit) or None,
                point.target_value,
                status_word(point.status.code, plan),
            ]
            if internal:
                who = c.entered_by.get(row.entered_by_id) if row.entered_by_id else None
                values += [row.note or None, who]
            table.add(*values)
    return Export(file_name(plan.slug, "measurements", *_filters(card), day=today), [table])


def roadmap_export(roadmap: roadmap_view.Roadmap, *, today: dt.date) -> Export:
    """Every strategy the roadmap shows, in its order: the timeline's rows group by group, then
    those without planned quarters, by term."""
    plan, f = roadmap.plan, roadmap.filters
    strategy, focus_area = plan.term("strategy"), plan.term("focus_area")
    table = Table(
        "Roadmap",
        columns(
            Column("Group", 40),
            Column("Code", 10),
            Column(strategy, 50),
            Column(focus_area, 40),
            "Phase",
            "Term",
            "Department",
            "Planned start",
            "Planned end",
            "Planned quarters",
            "Status",
            Column("Reason", 60),
            "Progress (%)",
        ),
    )
    rows = [(g.title, r.node, r.span) for g in roadmap.groups for r in g.rows]
    for listed in roadmap.unscheduled:
        rows += [(f"{listed.label} (no planned quarters)", n, "") for n in listed.nodes]
    for group, node, span in rows:
        s = node.strategy
        fa = roadmap.focus_area_of(node)
        table.add(
            group,
            s.code,
            s.title,
            f"{fa.code} {fa.title}" if fa is not None else None,
            f"Phase {node.phase.code}: {node.phase.name}" if node.phase is not None else None,
            roadmap_view.TERM_LABELS.get(s.term or "", None),
            node.department.name if node.department is not None else None,
            s.planned_start,
            s.planned_end,
            span or None,
            status_word(node.status.code, plan),
            node.status.reason or None,
            node.progress,
        )
    parts = [f.term, f.status, f.department] + (["by-phase"] if f.group == "phase" else [])
    return Export(file_name(plan.slug, "roadmap", *parts, day=today), [table])
