"""What the roadmap draws besides the strategies' bars: workplan steps with a due date as
milestones on their strategy's row, and quick wins with planned dates as bars of their own.

Two queries for the whole plan, whatever its size (the roadmap's query count stays fixed):
`load_marks` reads the dated steps and the dated quick wins; `place_milestones` and
`quick_win_rows` lay them on the timeline's columns, pure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from app.models import Department, Plan, QuickWin, Strategy, WorkplanStep
from app.models.base import is_live
from app.services.rules.timeline import Cell, Column, column_of, row_cells

QUICK_WIN_LABELS: dict[str, str] = {
    "planned": "Planned",
    "in_progress": "In progress",
    "complete": "Complete",
}


@dataclass(frozen=True)
class Milestone:
    title: str
    due: dt.date
    done_on: dt.date | None


@dataclass(frozen=True)
class PlacedMilestone:
    milestone: Milestone
    at: int  # tenths into its quarter (0-9)

    @property
    def text(self) -> str:
        m = self.milestone
        state = f"done {m.done_on.isoformat()}" if m.done_on else "not done"
        return f"Milestone: {m.title}, due {m.due.isoformat()}, {state}"


@dataclass
class GanttMarks:
    milestones: dict[int, list[Milestone]] = field(default_factory=dict)  # by strategy id
    quick_wins: list[tuple[QuickWin, Department | None]] = field(default_factory=list)


@dataclass
class QuickWinRow:
    quick_win: QuickWin
    department: Department | None
    cells: list[Cell]
    span: str

    @property
    def status_label(self) -> str:
        return QUICK_WIN_LABELS.get(self.quick_win.status, self.quick_win.status)

    @property
    def name(self) -> str:
        q = self.quick_win
        return q.issue_category or q.summary[:120] or f"Quick win {q.number}"

    @property
    def department_code(self) -> str | None:
        return self.department.code if self.department is not None else None


def load_marks(*, session: Session, plan: Plan) -> GanttMarks:
    """The plan's live workplan steps (and sub-steps of live steps) with a due date, by strategy,
    in their order; its live quick wins with a planned start or end, in number order."""
    parent = aliased(WorkplanStep)
    steps = session.execute(
        select(WorkplanStep.strategy_id, WorkplanStep.title, WorkplanStep.due, WorkplanStep.done_on)
        .join(Strategy, col(Strategy.id) == WorkplanStep.strategy_id)
        .outerjoin(parent, col(parent.id) == WorkplanStep.parent_id)
        .where(
            Strategy.plan_id == plan.id,
            is_live(Strategy),
            is_live(WorkplanStep),
            col(WorkplanStep.due).is_not(None),
            or_(col(WorkplanStep.parent_id).is_(None), col(parent.archived_at).is_(None)),
        )
        .order_by(WorkplanStep.due, WorkplanStep.position, WorkplanStep.id)
    )
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for strategy_id, title, due, done_on in steps:
        milestones[strategy_id].append(Milestone(title, due, done_on))
    quick_wins = session.execute(
        select(QuickWin, Department)
        .outerjoin(Department, col(Department.id) == QuickWin.department_id)
        .where(
            QuickWin.plan_id == plan.id,
            is_live(QuickWin),
            or_(col(QuickWin.planned_start).is_not(None), col(QuickWin.planned_end).is_not(None)),
        )
        .order_by(QuickWin.number)
    )
    return GanttMarks(dict(milestones), [(q, d) for q, d in quick_wins])


def place_milestones(
    milestones: list[Milestone], columns: list[Column]
) -> dict[int, list[PlacedMilestone]]:
    """Each milestone in the column of its due date (those outside the timeline are left out)."""
    placed: dict[int, list[PlacedMilestone]] = defaultdict(list)
    for m in milestones:
        i = column_of(columns, m.due)
        if i is not None:
            placed[i].append(PlacedMilestone(m, columns[i].tenth_of(m.due)))
    return dict(placed)


def quick_win_rows(
    marks: GanttMarks,
    columns: list[Column],
    blanks: list[Cell],
    *,
    span_of: Callable[[dt.date | None, dt.date | None], str],
    department: str,
) -> list[QuickWinRow]:
    """A row per dated quick win (of `department` when one is asked for)."""
    rows = []
    for q, dept in marks.quick_wins:
        if department and (dept is None or dept.code != department):
            continue
        cells = row_cells(start=q.planned_start, end=q.planned_end, columns=columns, blanks=blanks)
        rows.append(QuickWinRow(q, dept, cells, span_of(q.planned_start, q.planned_end)))
    return rows
