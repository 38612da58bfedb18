"""What a department owes and when (issue 13): every strategy, quick win and metric it owns, with
the due date the organisation's calendar gives it (services.rules.update_cycles), overdue first
(oldest first), then due soonest; and the open update requests waiting for its leads.

Built from what My work has already loaded (every item of the department, not only the page's)
plus two aggregate queries (each quick win's newest progress update, each metric's newest value)
and the requests' (services.reading.update_requests), so its database work does not grow with
the number of items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    HistoryAction,
    HistoryEntry,
    Measurement,
    Metric,
    Organization,
    Plan,
    QuickWin,
    Strategy,
)
from app.models.base import is_live
from app.models.enums import PlanStatus, QuickWinStatus, StrategyStatus, SubjectType
from app.services.reading.update_requests import item_label, item_url
from app.services.rules import local_time
from app.services.rules.reporting_periods import day_text, period_text
from app.services.rules.update_cycles import (
    Calendar,
    Due,
    local_date,
    metric_due,
    quick_win_due,
    strategy_due,
)

# Items the page lists in its "Due" section (the API lists them all).
DUE_SHOWN = 12


@dataclass(frozen=True)
class DueItem:
    plan: Plan
    item: Strategy | QuickWin | Metric
    kind: str  # "strategy", "quick_win", "metric"
    key: str  # its anchor on My work: "strategy-12"
    label: str
    url: str
    due: Due

    @property
    def due_text(self) -> str:
        return day_text(self.due.due)

    @property
    def period_text(self) -> str:
        return period_text(self.due.period.start, self.due.frequency)

    def days_text(self, today: dt.date) -> str:
        days = (self.due.due - today).days
        if days < 0:
            return f"{-days} day{'s' if days != -1 else ''} overdue"
        if days == 0:
            return "due today"
        return f"in {days} day{'s' if days != 1 else ''}"


def local_today(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    """Today in the organisation's time zone (what "due today" means to its people)."""
    return local_time.local_today(organization.time_zone, now)


def _quick_win_updates(session: Session, ids: list[int]) -> dict[int, dt.datetime]:
    rows = session.exec(
        select(HistoryEntry.subject_id, func.max(HistoryEntry.at))
        .where(
            HistoryEntry.subject_type == SubjectType.quick_win,
            HistoryEntry.action == HistoryAction.progress,
            col(HistoryEntry.subject_id).in_(ids),
        )
        .group_by(HistoryEntry.subject_id)
    )
    return {subject_id: at for subject_id, at in rows}


def _latest_periods(session: Session, ids: list[int]) -> dict[int, dt.date]:
    rows = session.exec(
        select(Measurement.metric_id, func.max(Measurement.period))
        .where(col(Measurement.metric_id).in_(ids), is_live(Measurement))
        .group_by(Measurement.metric_id)
    )
    return {metric_id: period for metric_id, period in rows}


def department_due(
    session: Session,
    *,
    organization: Organization,
    plans: list[Plan],
    strategies: list[Strategy],
    quick_wins: list[QuickWin],
    metrics: list[Metric],
    now: dt.datetime | None = None,
) -> list[DueItem]:
    """Every item that owes an update, overdue first (oldest due first), then due soonest."""
    calendar = Calendar.of(organization)
    zone = organization.time_zone
    today = local_today(organization, now)
    # Drafts and archived plans owe nothing (the rule's module says why).
    plans = [p for p in plans if p.status == PlanStatus.adopted]
    by_id = {p.id: p for p in plans}
    strategies = [s for s in strategies if s.plan_id in by_id]
    quick_wins = [q for q in quick_wins if q.plan_id in by_id]
    metrics = [m for m in metrics if m.plan_id in by_id]

    def started(item: Strategy | QuickWin | Metric) -> dt.date:
        planned = getattr(item, "planned_start", None)
        return planned or local_date(item.created_at, zone)

    out: list[DueItem] = []

    def add(item: Strategy | QuickWin | Metric, kind: str, key: str, due: Due | None) -> None:
        if due is not None:
            plan = by_id[item.plan_id]
            out.append(
                DueItem(plan, item, kind, key, item_label(plan, item), item_url(plan, item), due)
            )

    for s in strategies:
        last = local_date(s.last_update_at, zone) if s.last_update_at else None
        due = strategy_due(
            calendar,
            cadence_days=s.update_cadence_days,
            last_update=last,
            started=started(s),
            complete=s.status == StrategyStatus.complete,
            today=today,
        )
        add(s, "strategy", f"strategy-{s.id}", due)
    updates = _quick_win_updates(session, [q.id for q in quick_wins])  # type: ignore[misc]
    for q in quick_wins:
        at = updates.get(q.id)  # type: ignore[arg-type]
        due = quick_win_due(
            calendar,
            last_update=local_date(at, zone) if at else None,
            started=started(q),
            complete=q.status == QuickWinStatus.complete,
            today=today,
        )
        add(q, "quick_win", f"quick-win-{q.id}", due)
    periods = _latest_periods(session, [m.id for m in metrics])  # type: ignore[misc]
    for m in metrics:
        due = metric_due(
            calendar,
            frequency=m.frequency,
            window_days=m.reporting_window_days,
            latest_period=periods.get(m.id),  # type: ignore[arg-type]
            started=local_date(m.created_at, zone),
            today=today,
            last_day=by_id[m.plan_id].period_end,
        )
        add(m, "metric", f"metric-{m.id}", due)
    out.sort(key=lambda d: (*d.due.sort_key(), d.label))
    return out
