"""One focus area's narrative history, as a review row opens it: the progress updates (status,
% progress, narrative, note, who, when) of its strategies and of the focus area itself, newest
first, beside the strategies' standing now."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from app.models import Department, FocusArea, HistoryEntry, HistoryField, Plan, Strategy, User
from app.models.enums import SubjectType
from app.models.history import HistoryAction
from app.services.accounts.permissions import is_installation_admin
from app.services.errors import NotFound
from app.services.reading.node_builders import build_strategy_nodes
from app.services.reading.plan_nodes import StrategyNode
from app.services.reading.zones import organization_today
from app.services.rules import clock, rollup
from app.services.views.review.focus_areas import since_moment

# The narrative history shows at most this many updates at once (newest first).
HISTORY_LIMIT = 300


@dataclass
class HistoryItem:
    entry: HistoryEntry
    fields: list[HistoryField] = field(default_factory=list)

    def value(self, name: str) -> object | None:
        """The value after this update of a field it changed (None if it did not change it)."""
        return next((f.after for f in self.fields if f.field == name), None)

    def before(self, name: str) -> object | None:
        return next((f.before for f in self.fields if f.field == name), None)

    def changed(self, name: str) -> bool:
        return any(f.field == name for f in self.fields)


@dataclass
class FocusAreaHistory:
    plan: Plan
    focus_area: FocusArea
    strategies: list[StrategyNode]
    rollup: rollup.GroupRollup
    items: list[HistoryItem]
    since: dt.date | None  # None: the whole history
    total_since: int  # how many updates match (the list shows at most HISTORY_LIMIT)
    now: dt.datetime
    strategy_codes: dict[int, str]


def load_focus_area_history(
    *,
    session: Session,
    user: User,
    focus_area_id: int,
    since: dt.date | None,
    now: dt.datetime | None = None,
) -> FocusAreaHistory:
    """The progress updates (status, % progress, narrative, note, who, when) of a focus area's
    strategies and of the focus area itself, newest first, since `since` (None: all)."""
    now = now or clock.clock()
    focus_area = session.get(FocusArea, focus_area_id)
    plan = session.get(Plan, focus_area.plan_id) if focus_area is not None else None
    visible = (
        plan is not None
        and focus_area is not None
        and focus_area.archived_at is None
        and plan.archived_at is None
        and (
            user.organization_id is None
            and is_installation_admin(user)
            or plan.organization_id == user.organization_id
        )
    )
    if not visible:
        raise NotFound(f"No focus area {focus_area_id} in your organisation's plans.")
    assert plan is not None and focus_area is not None
    strategies = list(
        session.exec(
            select(Strategy)
            .where(Strategy.focus_area_id == focus_area.id)
            .order_by(Strategy.position, Strategy.id)
        )
    )
    live = [s for s in strategies if s.archived_at is None]
    departments = {
        d.id: d
        for d in session.exec(
            select(Department).where(Department.organization_id == plan.organization_id)
        )
    }
    nodes = build_strategy_nodes(
        session,
        live,
        departments=departments,
        phases={},
        goal_codes={},  # type: ignore[arg-type]
        today=organization_today(session, plan.organization_id, now),
        now=now,
        words=plan.status_words or {},
    )
    subjects = (
        (col(HistoryEntry.subject_type) == SubjectType.strategy)
        & col(HistoryEntry.subject_id).in_([s.id for s in strategies])
    ) | (
        (col(HistoryEntry.subject_type) == SubjectType.focus_area)
        & (col(HistoryEntry.subject_id) == focus_area.id)
    )
    conditions = [
        col(HistoryEntry.plan_id) == plan.id,
        subjects,
        col(HistoryEntry.action) == HistoryAction.progress,
    ]
    if since is not None:
        conditions.append(col(HistoryEntry.at) >= since_moment(since))
    total = session.exec(select(func.count()).select_from(HistoryEntry).where(*conditions)).one()
    entries = list(
        session.exec(
            select(HistoryEntry)
            .where(*conditions)
            .order_by(col(HistoryEntry.at).desc(), col(HistoryEntry.id).desc())
            .limit(HISTORY_LIMIT)
        )
    )
    fields_of: dict[int, list[HistoryField]] = defaultdict(list)
    for f in session.exec(
        select(HistoryField)
        .where(col(HistoryField.entry_id).in_([e.id for e in entries]))
        .order_by(HistoryField.id)
    ):
        fields_of[f.entry_id].append(f)
    return FocusAreaHistory(
        plan=plan,
        focus_area=focus_area,
        strategies=nodes,
        rollup=rollup.rollup_group(
            items=[n.rollup_input for n in nodes],
            noun=plan.term("strategies").lower(),
            words=plan.status_words or {},
        ),
        items=[HistoryItem(e, fields_of.get(e.id, [])) for e in entries],  # type: ignore[arg-type]
        since=since,
        total_since=int(total),
        now=now,
        strategy_codes={s.id: s.code for s in strategies},  # type: ignore[misc]
    )
