"""The roadmap of a plan: a quarter-by-quarter timeline of every strategy with a planned span.

The columns are whole years of quarters, written the way the plan writes them: "Year 1 … Year 4"
with Q1–Q4 under each on a plan-relative schedule (Mississauga's implementation chart), calendar
years otherwise. They cover the plan's period (from its schedule origin on a relative schedule),
and where the plan gives no period, the strategies' spans, at most MAX_YEARS of them, whatever the
filters, so narrowing the rows never moves the columns. A span reaching outside the columns (one
stored before dates were checked, say 0001-01-01) is clipped and its row says so. Today's quarter
is marked when it falls inside; a strategy past its planned end and not complete is marked
overdue (its effective status).

The timeline is a Gantt chart (issue 12): each bar takes its strategy's effective status colour
(the status language of app.css) with its % complete filled in, a strategy's workplan steps with a
due date are milestones on its row, quick wins with planned dates have rows of their own, and a
line marks today. Columns are calendar years where the plan has dates (a plan on a relative
schedule has none: its origin is an assumption, so it reads "Year 1 … Year 4"), or fiscal years
where the plan sets its fiscal year's first month (`fiscal_year_start_month`): "FY2026", named by
the calendar year it ends in (from July, July 2025 – June 2026), its quarters counted from that
month, so the quarter boundaries fall on the fiscal quarters.

Strategies without a planned span (San José's recommendations) are not left out: they are listed
under the timeline by term, then phase.

`timeline_columns` and `row_cells` are pure (unit-tested); `load_roadmap` reads the plan once
through `load_plan_outline` (a fixed number of queries; the bars need no steps or metrics) and
applies the filters in memory.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from sqlmodel import Session

from app.models import Department, FocusArea, Phase, Plan
from app.models.enums import Term
from app.services.reading.plan_nodes import PlanTree, StrategyNode
from app.services.reading.plan_tree import load_plan_outline
from app.services.rules import rollup
from app.services.rules.plan_dates import planned_span_window
from app.services.rules.quarters import fiscal_quarter_label, quarter_label
from app.services.rules.timeline import (
    Cell,
    Column,
    YearHeading,
    blank_cells,
    fill_tenths,
    row_cells,
    timeline_base,
    timeline_columns,
    timeline_span,
    year_headings,
)
from app.services.views.roadmap_marks import (
    GanttMarks,
    PlacedMilestone,
    QuickWinRow,
    load_marks,
    place_milestones,
    quick_win_rows,
)

TERM_LABELS: dict[str, str] = {
    Term.short: "Short term",
    Term.long: "Long term",
    Term.future: "Future consideration",
}
NO_TERM = "none"
# The longest timeline a roadmap draws (a plan longer than this shows its busiest 40 years).
MAX_YEARS = 40
GROUPINGS = ("focus_area", "phase")


# --- quarters as the plan writes them ------------------------------------------------------------


def is_relative(plan: Plan) -> bool:
    return plan.schedule == "relative" and plan.schedule_origin is not None


def fiscal_start(plan: Plan) -> int | None:
    """The month the plan's fiscal year starts, where it counts in fiscal years (never on a
    plan-relative schedule, whose years are its own)."""
    return None if is_relative(plan) else plan.fiscal_year_start_month


def fiscal_note(plan: Plan) -> str:
    """How the roadmap counts fiscal years, in words: "in fiscal years from July, each named by
    the year it ends in (FY2026 is July 2025 – June 2026)"; empty without a fiscal year."""
    month = fiscal_start(plan)
    if month is None:
        return ""
    first = calendar.month_name[month]
    last = calendar.month_name[(month - 2) % 12 + 1]
    begins = 2025 if month > 1 else 2026
    return (
        f"in fiscal years from {first}, each named by the year it ends in (FY2026 is {first} "
        f"{begins} – {last} 2026), with its fiscal quarters"
    )


def plan_quarter(day: dt.date, plan: Plan) -> str:
    """ "Year 2 Q2" on a plan-relative schedule, "FY2026 Q1" with a fiscal year, "2024 Q2" on a
    calendar one."""
    if is_relative(plan):
        return quarter_label(day, plan.schedule_origin).replace("Y", "Year ", 1)
    if (month := fiscal_start(plan)) is not None:
        return fiscal_quarter_label(day, month)
    return quarter_label(day).replace("-", " ")


def span_text(start: dt.date | None, end: dt.date | None, plan: Plan) -> str:
    """A planned span in quarters: "Year 2 Q2 – Year 3 Q4", "2024 Q1", "from 2024 Q1"…"""
    if start and end:
        first, last = plan_quarter(start, plan), plan_quarter(end, plan)
        return first if first == last else f"{first} – {last}"
    if start:
        return f"from {plan_quarter(start, plan)}"
    if end:
        return f"by {plan_quarter(end, plan)}"
    return ""


# --- the roadmap of a plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class RoadmapFilters:
    group: str = "focus_area"
    term: str = ""
    status: str = ""
    department: str = ""

    @classmethod
    def parse(
        cls, *, group: str = "", term: str = "", status: str = "", department: str = ""
    ) -> RoadmapFilters:
        """Unknown values are ignored (a shared link with a stale filter still shows a page)."""
        return cls(
            group=group if group in GROUPINGS else "focus_area",
            term=term if term in TERM_LABELS else "",
            status=status if status in rollup.SEVERITY_RANK else "",
            department=department.strip()[:20],
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.term or self.status or self.department)

    def keeps(self, node: StrategyNode) -> bool:
        if self.term and node.strategy.term != self.term:
            return False
        if self.status and node.status.code != self.status:
            return False
        owner = node.department.code if node.department is not None else None
        return not self.department or owner == self.department


@dataclass
class Row:
    node: StrategyNode
    cells: list[Cell]
    span: str
    overdue: bool
    starts_before: bool = False
    ends_after: bool = False
    fills: dict[int, int] = field(default_factory=dict)  # tenths of each planned cell done
    milestones: dict[int, list[PlacedMilestone]] = field(default_factory=dict)  # by column

    @property
    def status_code(self) -> str:
        return self.node.status.code


@dataclass
class RowGroup:
    key: str
    title: str
    rows: list[Row]


@dataclass
class ListedGroup:
    """Strategies without a planned span, under one term."""

    term: str
    label: str
    nodes: list[StrategyNode]


@dataclass
class Roadmap:
    tree: PlanTree
    filters: RoadmapFilters
    columns: list[Column]
    years: list[YearHeading]
    groups: list[RowGroup]
    unscheduled: list[ListedGroup]
    scheduled_total: int
    unscheduled_total: int
    departments: list[Department] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    quick_wins: list[QuickWinRow] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        return self.tree.plan

    @property
    def today_column(self) -> Column | None:
        return next((c for c in self.columns if c.today), None)

    @property
    def today_note(self) -> str:
        """Where today stands when its quarter is not one of the columns."""
        if not self.columns or self.today_column is not None:
            return ""
        today = self.tree.today
        where = "before the first" if today < self.columns[0].start else "after the last"
        return f"Today ({today.isoformat()}) is {where} quarter of this timeline."

    @property
    def milestone_count(self) -> int:
        return sum(len(ms) for g in self.groups for r in g.rows for ms in r.milestones.values())

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def listed_count(self) -> int:
        return sum(len(g.nodes) for g in self.unscheduled)

    def phase_nodes(self, phase: Phase) -> list[StrategyNode]:
        return [n for n in self.tree.strategies if n.strategy.phase_id == phase.id]

    def focus_area_of(self, node: StrategyNode) -> FocusArea | None:
        return self._focus_areas.get(node.strategy.focus_area_id)  # type: ignore[arg-type]

    @cached_property
    def _focus_areas(self) -> dict[int, FocusArea]:
        return {fa.focus_area.id: fa.focus_area for fa in self.tree.focus_areas}  # type: ignore[misc]


def _has_span(node: StrategyNode) -> bool:
    return node.strategy.planned_start is not None or node.strategy.planned_end is not None


def _row(
    node: StrategyNode, columns: list[Column], plan: Plan, blanks: list[Cell], marks: GanttMarks
) -> Row:
    s = node.strategy
    overdue = node.status.code == "overdue"
    first, last = s.planned_start or s.planned_end, s.planned_end or s.planned_start
    assert first is not None and last is not None
    cells = row_cells(
        start=s.planned_start, end=s.planned_end, columns=columns, overdue=overdue, blanks=blanks
    )
    return Row(
        node=node,
        cells=cells,
        span=span_text(s.planned_start, s.planned_end, plan),
        overdue=overdue,
        starts_before=bool(columns) and first < columns[0].start,
        ends_after=bool(columns) and last > columns[-1].end,
        fills=fill_tenths(cells, node.progress),
        milestones=place_milestones(marks.milestones.get(s.id, []), columns),  # type: ignore[arg-type]
    )


def build_roadmap(
    tree: PlanTree, filters: RoadmapFilters, marks: GanttMarks | None = None
) -> Roadmap:
    """The roadmap of `tree`; with `marks` (see `load_marks`), its milestones and quick wins."""
    plan = tree.plan
    marks = marks or GanttMarks()
    every = tree.strategies
    scheduled = [n for n in every if _has_span(n)]
    # The columns come from every scheduled strategy and the plan's period, not the filtered
    # rows: a filter narrows the rows, the time axis stays the same.
    # Whatever the rows say, the columns stay within the plan's period (see `timeline_span`).
    days = [d for n in scheduled for d in (n.strategy.planned_start, n.strategy.planned_end) if d]
    days += [d for q, _ in marks.quick_wins for d in (q.planned_start, q.planned_end) if d]
    columns: list[Column] = []
    if days:
        origin = plan.schedule_origin if is_relative(plan) else None
        first, last = timeline_span(
            days=days,
            window=planned_span_window(plan),
            bounded=(plan.period_start is not None, plan.period_end is not None),
            max_years=MAX_YEARS,
        )
        fiscal = fiscal_start(plan)
        base = timeline_base(relative_origin=origin, earliest=first, fiscal_start_month=fiscal)
        columns = timeline_columns(
            base=base,
            last_day=last,
            relative=origin is not None,
            today=tree.today,
            first_day=first,
            fiscal=fiscal is not None,
        )
    shown = [n for n in scheduled if filters.keeps(n)]
    blanks = blank_cells(columns)
    groups: list[RowGroup] = []
    if filters.group == "phase":
        keyed = [(f"phase-{p.code}", f"Phase {p.code}: {p.name}", p.id) for p in tree.phases]
        for key, title, phase_id in keyed:
            rows = [
                _row(n, columns, plan, blanks, marks)
                for n in shown
                if n.strategy.phase_id == phase_id
            ]
            if rows:
                groups.append(RowGroup(key, title, rows))
        known = {p.id for p in tree.phases}
        rest = [
            _row(n, columns, plan, blanks, marks) for n in shown if n.strategy.phase_id not in known
        ]
        if rest:
            groups.append(RowGroup("phase-none", "No phase given", rest))
    else:
        term = plan.term("focus_area")
        for fa in tree.focus_areas:
            wanted = [n for n in fa.strategies if _has_span(n) and filters.keeps(n)]
            if wanted:
                groups.append(
                    RowGroup(
                        f"focus-area-{fa.focus_area.code}",
                        f"{term} {fa.focus_area.code}: {fa.focus_area.title}",
                        [_row(n, columns, plan, blanks, marks) for n in wanted],
                    )
                )
        placed = {id(r.node) for g in groups for r in g.rows}
        rest = [_row(n, columns, plan, blanks, marks) for n in shown if id(n) not in placed]
        if rest:
            groups.append(RowGroup("focus-area-none", f"Not in a {term.lower()}", rest))

    phase_rank = {p.id: i for i, p in enumerate(tree.phases)}
    unscheduled_all = [n for n in every if not _has_span(n)]
    listed = [n for n in unscheduled_all if filters.keeps(n)]
    unscheduled: list[ListedGroup] = []
    for code, label in [*TERM_LABELS.items(), (NO_TERM, "No term given")]:
        nodes = [n for n in listed if (n.strategy.term or NO_TERM) == code]
        # Within a term, by phase (the plan's phase order; none last), then the plan's order.
        nodes.sort(key=lambda n: phase_rank.get(n.strategy.phase_id, len(phase_rank)))  # type: ignore[arg-type]
        if nodes:
            unscheduled.append(ListedGroup(str(code), label, nodes))

    owning = {n.department.id: n.department for n in every if n.department is not None}
    present = {n.status.code for n in every}
    return Roadmap(
        tree=tree,
        filters=filters,
        columns=columns,
        years=year_headings(columns),
        groups=groups,
        unscheduled=unscheduled,
        scheduled_total=len(scheduled),
        unscheduled_total=len(unscheduled_all),
        departments=sorted(owning.values(), key=lambda d: (d.position, d.code, d.id)),  # type: ignore[arg-type]
        statuses=[code for code in rollup.SEVERITY if code in present],
        # A quick win has no term and its own status scale: those filters leave it out.
        quick_wins=[]
        if filters.term or filters.status
        else quick_win_rows(
            marks,
            columns,
            blanks,
            span_of=lambda a, b: span_text(a, b, plan),
            department=filters.department,
        ),
    )


def load_roadmap(
    *,
    session: Session,
    plan: Plan,
    filters: RoadmapFilters,
    internal: bool,
    today: dt.date | None = None,
) -> Roadmap:
    """`internal`: whether the reader may see internal metrics (`can_read_internal`)."""
    tree = load_plan_outline(session=session, plan=plan, today=today, internal=internal)
    return build_roadmap(tree, filters, load_marks(session=session, plan=plan))
