"""What My work shows: a page of a department's work (DepartmentWork), each plan's items on it as
the page reads them (PlanWork, FocusAreaWork), each item with what the user may do to it
(StrategyWork, QuickWinWork, MetricWork), and the statuses the items' forms offer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.models import Department, FocusArea, Organization, Plan, QuickWin
from app.models.enums import QuickWinStatus, StrategyStatus
from app.services.reading.plan_nodes import MetricNode, StrategyNode
from app.services.rules.rollup import LABELS

STRATEGY_STATUSES: list[tuple[str, str]] = [(s.value, LABELS[s.value]) for s in StrategyStatus]
QUICK_WIN_LABELS: dict[str, str] = {
    QuickWinStatus.planned: "Planned",
    QuickWinStatus.in_progress: "In progress",
    QuickWinStatus.complete: "Complete",
}
QUICK_WIN_STATUSES: list[tuple[str, str]] = [(s.value, QUICK_WIN_LABELS[s]) for s in QuickWinStatus]
# Items (strategies, quick wins, metrics) a page shows: a strategy with its steps and forms is a
# screenful or more, so the first page is quick and the rest come as the lead scrolls.
PER_PAGE = 10


@dataclass
class StrategyWork:
    node: StrategyNode
    plan: Plan
    can_progress: bool  # status, % progress, narrative
    can_edit: bool  # add workplan steps and tick them done


@dataclass
class FocusAreaWork:
    focus_area: FocusArea | None  # None: strategies the plan files under no focus area
    strategies: list[StrategyWork]
    continued: bool = False  # its first strategies are on an earlier page


@dataclass
class MetricWork:
    node: MetricNode
    plan: Plan
    can_record: bool


@dataclass
class QuickWinWork:
    quick_win: QuickWin
    plan: Plan
    can_progress: bool


@dataclass
class PlanWork:
    """A plan's items on this page; `counts` and the flags say how it sits in the whole list."""

    plan: Plan
    focus_areas: list[FocusAreaWork] = field(default_factory=list)
    metrics: list[MetricWork] = field(default_factory=list)
    quick_wins: list[QuickWinWork] = field(default_factory=list)
    # The department's strategies, quick wins and metrics in this plan, on every page.
    counts: tuple[int, int, int] = (0, 0, 0)
    continued: bool = False  # the plan's first items are on an earlier page
    quick_wins_continued: bool = False
    metrics_continued: bool = False

    @property
    def strategies(self) -> list[StrategyWork]:
        return [s for fa in self.focus_areas for s in fa.strategies]


@dataclass
class DepartmentWork:
    """One page of a department's work; the counts are of every page."""

    organization: Organization
    department: Department
    plans: list[PlanWork]  # this page's
    today: dt.date
    strategy_count: int = 0
    quick_win_count: int = 0
    metric_count: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    # Every plan with work for the department, and the page where its items begin.
    plan_pages: list[tuple[Plan, int]] = field(default_factory=list)
    # Issue 13: what it owes and when (services.views.my_work.due: DueItem, overdue first), the
    # open update requests waiting for its leads (reading.update_requests.RequestView), and
    # today in the organisation's time zone.
    due: list[Any] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    local_today: dt.date | None = None

    @property
    def overdue_count(self) -> int:
        return sum(1 for d in self.due if d.due.overdue)

    @property
    def is_empty(self) -> bool:
        return not self.item_count

    @property
    def item_count(self) -> int:
        return self.strategy_count + self.quick_win_count + self.metric_count

    @property
    def pages(self) -> int:
        return max(1, -(-self.item_count // self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of this page's first item in the whole list."""
        return min((self.page - 1) * self.per_page + 1, self.item_count)

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.item_count)

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None
