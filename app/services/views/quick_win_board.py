"""The quick wins board of a plan: its quick wins as cards, by status or by People / Process /
Technology, each saying whether the reader may move it between statuses.

Two queries for the whole board (the organisation's departments, the plan's live quick wins),
whatever the number of cards; `can()` reads the plan from the session's identity map, so asking
it per card costs no query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session, col, select

from app.models import Department, Plan, QuickWin, User
from app.models.enums import QuickWinStatus, WorkCategory
from app.services.accounts.permissions import Action, can
from app.services.changes.quick_wins import KIND
from app.services.errors import NotFound

STATUS_LABELS: dict[str, str] = {
    QuickWinStatus.planned: "Planned",
    QuickWinStatus.in_progress: "In progress",
    QuickWinStatus.complete: "Complete",
}
CATEGORY_LABELS: dict[str, str] = {
    WorkCategory.people: "People",
    WorkCategory.process: "Process",
    WorkCategory.technology: "Technology",
}
UNCATEGORISED = "uncategorised"


class BoardView(StrEnum):
    status = "status"
    category = "category"


@dataclass
class QuickWinCard:
    quick_win: QuickWin
    department: Department | None
    can_move: bool
    # Whether the reader may request an update of it (a coordinator): with `can_move` (its
    # department's lead answers them), who the card offers its update requests to.
    can_request: bool = False

    @property
    def shows_requests(self) -> bool:
        return self.can_move or self.can_request

    @property
    def key(self) -> str:
        return f"quick-win-{self.quick_win.id}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.quick_win.status, self.quick_win.status)

    @property
    def category_label(self) -> str:
        category = self.quick_win.category
        return CATEGORY_LABELS.get(category, "") if category else ""

    @property
    def planned(self) -> str:
        """When it is planned: "3 Mar 2027 – 30 Apr 2027", "from 3 Mar 2027", "by …" or ""."""
        start, end = self.quick_win.planned_start, self.quick_win.planned_end
        if start and end:
            return f"{_day(start)} – {_day(end)}"
        if start or end:
            return f"from {_day(start)}" if start else f"by {_day(end)}"  # type: ignore[arg-type]
        return ""


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass
class Column:
    key: str
    title: str
    cards: list[QuickWinCard] = field(default_factory=list)


@dataclass
class Board:
    plan: Plan
    cards: list[QuickWinCard]

    @property
    def status_counts(self) -> dict[str, int]:
        """How many quick wins are in each status, every status listed (in board order)."""
        counts = {status: 0 for status in STATUS_LABELS}
        for card in self.cards:
            counts[card.quick_win.status] = counts.get(card.quick_win.status, 0) + 1
        return counts

    def columns(self, view: BoardView) -> list[Column]:
        """Status columns always all three (an empty "Planned" says nothing is waiting);
        category columns People / Process / Technology, plus one for quick wins without one."""
        if view == BoardView.status:
            columns = {key: Column(key, title) for key, title in STATUS_LABELS.items()}
            for card in self.cards:
                columns.setdefault(
                    card.quick_win.status, Column(card.quick_win.status, card.status_label)
                ).cards.append(card)
            return list(columns.values())
        columns = {key: Column(key, title) for key, title in CATEGORY_LABELS.items()}
        for card in self.cards:
            key = card.quick_win.category or UNCATEGORISED
            if key not in columns:
                columns[key] = Column(key, "Not categorised")
            columns[key].cards.append(card)
        return list(columns.values())


def _departments(session: Session, plan: Plan) -> dict[int, Department]:
    rows = session.exec(
        select(Department).where(Department.organization_id == plan.organization_id)
    )
    return {d.id: d for d in rows if d.id is not None}


def _card(
    session: Session, quick_win: QuickWin, departments: dict[int, Department], user: User | None
) -> QuickWinCard:
    return QuickWinCard(
        quick_win=quick_win,
        department=departments.get(quick_win.department_id) if quick_win.department_id else None,
        can_move=can(session, user, Action.progress, quick_win, kind=KIND),
        can_request=can(session, user, Action.request_update, quick_win, kind=KIND),
    )


def load_board(*, session: Session, plan: Plan, user: User | None) -> Board:
    """Every live quick win of `plan`, in number order, as the reader's cards."""
    departments = _departments(session, plan)
    quick_wins = session.exec(
        select(QuickWin)
        .where(QuickWin.plan_id == plan.id, col(QuickWin.archived_at).is_(None))
        .order_by(QuickWin.number)
    ).all()
    return Board(plan=plan, cards=[_card(session, q, departments, user) for q in quick_wins])


def load_card(*, session: Session, quick_win: QuickWin, user: User | None) -> QuickWinCard:
    """One card, for the fragment an inline move answers."""
    department = (
        session.get(Department, quick_win.department_id) if quick_win.department_id else None
    )
    return QuickWinCard(
        quick_win=quick_win,
        department=department,
        can_move=can(session, user, Action.progress, quick_win, kind=KIND),
        can_request=can(session, user, Action.request_update, quick_win, kind=KIND),
    )


def get_plan_quick_win(*, session: Session, plan: Plan, quick_win_id: int | None) -> QuickWin:
    """A live quick win of this board's plan; another plan's, an archived or a missing one (or
    no id at all) is not found."""
    quick_win = session.get(QuickWin, quick_win_id) if quick_win_id is not None else None
    if quick_win is None or quick_win.plan_id != plan.id or quick_win.archived_at is not None:
        raise NotFound(f"No quick win {quick_win_id} on this board.")
    return quick_win
