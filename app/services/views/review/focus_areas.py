"""The coordinator's review: every focus area across an organisation's plans (its department
plans included), with its roll-up, last update and its age, stale and overdue counts, off-target
metrics, and how many changes happened since a date (the last performance session).

`load_review` reads each table once for all the plans (a fixed number of queries, whatever the
number of plans, focus areas, strategies or history entries), and reads columns, not ORM objects:
the database counts each strategy's steps (done / total) and finds each metric's latest value, and
the roll-up rules of services.rules.rollup are applied to those plain values
(app.services.views.review.strategies). Only the focus areas are objects. Of the history it reads
only the entries since the chosen date: the newest change of each focus area and strategy is kept
on its row (history.record_change). A row opens its focus area's narrative history
(app.services.views.review.narratives).

Rules of the review, on top of app.services.rules.rollup:
- A row's figures are those of its strategies that pass the department and term filters. A
  strategy belongs to a department when the department owns it, or, owning nothing itself, when
  its plan is the department's own plan. With either filter on, focus areas with no matching
  strategy are left out; without, a focus area with no strategies is shown ("no … yet").
- The status filter keeps rows whose headline status is that status.
- Last update: the newest history entry on the focus area or on any of its strategies or their
  workplan steps, or a strategy's own last_update_at if newer.
- Changes since: history entries on the same items at or after the "since" date (00:00 UTC).
- Off-target metrics: metrics measuring the focus area, one of its goals or one of its shown
  strategies, whose latest value is off track or at risk, or that are late (stale: the newest
  value due by their reporting window is missing; services.rules.metric_rule). Those
  measuring no focus area (a statement, a goal or strategy in none, the plan as a whole) are
  listed apart, grouped by what they measure (app.services.views.review.metrics); the status
  filter keeps those of its status, the department filter the department's.
- Quick wins changed since the date are listed by plan (app.services.views.review.quick_wins); a
  status or term filter, which quick wins do not have, leaves them out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, true
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    Organization,
    Plan,
    Strategy,
    User,
)
from app.models.base import is_live
from app.models.enums import Role, Term
from app.services.accounts.permissions import is_installation_admin
from app.services.errors import NotAuthenticated, PermissionDenied
from app.services.reading.catalog import DEPARTMENT_ORDER
from app.services.reading.plan_nodes import rolled_up_strategy
from app.services.reading.plan_tree import step_counts
from app.services.reading.zones import reading_today
from app.services.rules import clock, rollup
from app.services.views.review.changes import changes_since_by_focus_area, newest_change_of_archived
from app.services.views.review.metrics import (
    OFF_TARGET,
    OFF_TARGET_LISTED,
    Judged,
    MetricGroup,
    ReviewMetric,
    metric_groups,
    metric_statuses,
    worded,
)
from app.services.views.review.quick_wins import QuickWinChange, quick_win_changes
from app.services.views.review.strategies import ReviewStrategy, belongs, strategy_facts

DEFAULT_SINCE_DAYS = 30
TERM_LABELS: dict[str, str] = {
    Term.short: "Short term",
    Term.long: "Long term",
    Term.future: "Future consideration",
}
REFUSED = (
    "The review is for program coordinators and administrators: it compares every focus area "
    "across the organisation's plans. Everyone can read the plans themselves."
)


def require_reviewer(user: User | None) -> User:
    """Coordinators and administrators; anyone else is told why (anonymous: sign in)."""
    if user is None or not user.active:
        raise NotAuthenticated("Sign in to open the review.")
    if user.role not in (Role.coordinator, Role.admin):
        raise PermissionDenied(REFUSED)
    return user


def default_since(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=DEFAULT_SINCE_DAYS)


def since_moment(since: dt.date) -> dt.datetime:
    return dt.datetime.combine(since, dt.time(0), tzinfo=dt.UTC)


@dataclass
class ReviewFilters:
    since: dt.date
    plan: str = ""  # slug
    department: str = ""  # code
    status: str = ""  # headline status code
    term: str = ""  # strategies' term

    @property
    def narrows_strategies(self) -> bool:
        return bool(self.department or self.term)


@dataclass
class ReviewRow:
    plan: Plan
    focus_area: FocusArea
    plan_department: Department | None  # the department whose own plan this is
    strategies: list[ReviewStrategy]
    rollup: rollup.GroupRollup
    last_update: dt.datetime | None
    changes_since: int
    off_target: list[ReviewMetric]  # the worst OFF_TARGET_LISTED, worst first
    off_target_count: int  # all of them

    @property
    def stale(self) -> int:
        return self.rollup.distribution.get("stale", 0)

    @property
    def overdue(self) -> int:
        return self.rollup.distribution.get("overdue", 0)


@dataclass
class Review:
    organizations: list[Organization]
    plans: list[Plan]
    departments: list[Department]
    rows: list[ReviewRow]
    filters: ReviewFilters
    now: dt.datetime
    # Off-target metrics measuring no focus area (a statement, a goal or strategy in none, the
    # plan), by plan and what they measure; and the quick wins changed since the date.
    metric_groups: list[MetricGroup] = field(default_factory=list)
    quick_wins: list[QuickWinChange] = field(default_factory=list)

    @property
    def changed_rows(self) -> int:
        return sum(1 for r in self.rows if r.changes_since)

    @property
    def headlines(self) -> list[tuple[str, str]]:
        """The statuses a row's headline can have, worst first, for the filter."""
        return [(code, rollup.LABELS[code]) for code in (*rollup.SEVERITY, "no_data")]


def _org_condition(column: object, user: User) -> ColumnElement[bool]:
    """The user's organisation; an administrator who belongs to none reviews every one."""
    if user.organization_id is None and is_installation_admin(user):
        return true()
    return col(column) == user.organization_id  # type: ignore[arg-type]


def _metric_belongs(owner: int | None, plan: Plan, department: Department | None) -> bool:
    """A metric is a department's when the department owns it, or, owned by none, when its plan
    is the department's own plan (as for strategies)."""
    if department is None:
        return True
    return owner == department.id or (owner is None and plan.owning_department_id == department.id)


def _newest(*moments: dt.datetime | None) -> dt.datetime | None:
    known = [m if m.tzinfo else m.replace(tzinfo=dt.UTC) for m in moments if m is not None]
    return max(known, default=None)


def load_review(
    *, session: Session, user: User, filters: ReviewFilters, now: dt.datetime | None = None
) -> Review:
    now = now or clock.clock()
    today = reading_today(session, user, now=now)  # the reader's organisation's day
    organizations = list(
        session.exec(
            select(Organization)
            .where(_org_condition(Organization.id, user))
            .order_by(Organization.name)
        )
    )
    all_plans = list(
        session.exec(
            select(Plan)
            .where(_org_condition(Plan.organization_id, user), is_live(Plan))
            .order_by(Plan.title)
        )
    )
    departments = list(
        session.exec(
            select(Department)
            .where(_org_condition(Department.organization_id, user))
            .order_by(Department.organization_id, *DEPARTMENT_ORDER)
        )
    )
    by_dept_id = {d.id: d for d in departments}
    plans = [p for p in all_plans if not filters.plan or p.slug == filters.plan]
    plan_ids = [p.id for p in plans if p.id is not None]
    department = next((d for d in departments if d.code == filters.department), None)
    if filters.department and department is None:
        filters.department = ""  # not a department of this organisation: no filter, not an error

    focus_areas = list(
        session.exec(
            select(FocusArea)
            .where(col(FocusArea.plan_id).in_(plan_ids), is_live(FocusArea))
            .order_by(FocusArea.plan_id, FocusArea.position, FocusArea.id)
        )
    )
    strategies = strategy_facts(session, plan_ids)
    # The steps plan_tree lists and rolls up, counted by the database (sub-steps included).
    steps = step_counts(
        session,
        select(Strategy.id).where(col(Strategy.plan_id).in_(plan_ids), is_live(Strategy)),
    )
    goal_focus = dict(
        session.exec(
            select(Goal.id, Goal.focus_area_id).where(
                col(Goal.plan_id).in_(plan_ids), is_live(Goal)
            )
        ).all()
    )
    metrics = metric_statuses(session, plan_ids, today=today)
    changes_since = changes_since_by_focus_area(session, plan_ids, since_moment(filters.since))
    archived_newest = newest_change_of_archived(session, plan_ids)

    plan_of = {p.id: p for p in plans}
    strategy_focus = {s.id: s.focus_area_id for s in strategies}
    nodes_of: dict[int, list[ReviewStrategy]] = defaultdict(list)
    for s in strategies:
        if s.focus_area_id is None:
            continue  # the review is by focus area; unfiled strategies have no row
        plan = plan_of[s.plan_id]
        if filters.term and s.term != filters.term:
            continue
        if not belongs(s, plan, department.id if department else None):
            continue
        total, done = steps.get(s.id, (0, 0))
        progress, _, status = rolled_up_strategy(
            s,
            steps_total=total,
            steps_done=done,
            today=today,
            now=now,
            words=plan.status_words or {},
        )
        nodes_of[s.focus_area_id].append(ReviewStrategy(s, total, done, progress, status))
    # The live strategies the filters keep, in a focus area or not (for the metrics on them).
    passing = {
        s.id
        for s in strategies
        if (not filters.term or s.term == filters.term)
        and belongs(s, plan_of[s.plan_id], department.id if department else None)
    }
    off_target_of: dict[int, list[Judged]] = defaultdict(list)
    outside: list[Judged] = []  # measuring no focus area: listed apart, by what they measure
    for m, targets, last, code in metrics:
        if code not in OFF_TARGET:
            continue
        if m.strategy_id is not None and m.strategy_id not in passing:
            continue  # it measures a strategy the filters leave out (or an archived one)
        fa = m.focus_area_id or goal_focus.get(m.goal_id) or strategy_focus.get(m.strategy_id)  # type: ignore[arg-type]
        if fa is not None:
            off_target_of[fa].append((m, targets, last, code))
        elif _metric_belongs(m.department_id, plan_of[m.plan_id], department):
            outside.append((m, targets, last, code))

    # Rows in the plans' order (by title), each plan's focus areas in its own order.
    plan_rank = {p.id: rank for rank, p in enumerate(plans)}
    focus_areas.sort(key=lambda f: (plan_rank[f.plan_id], f.position, f.id or 0))
    # Each focus area's live strategies, grouped once (not a scan of them all per focus area).
    live_of: dict[int, set[int]] = defaultdict(set)
    for s in strategies:
        if s.focus_area_id is not None:
            live_of[s.focus_area_id].add(s.id)
    rows = []
    for fa in focus_areas:
        plan = plan_of[fa.plan_id]
        own = nodes_of.get(fa.id, [])  # type: ignore[arg-type]
        if filters.narrows_strategies and not own:
            continue
        shown_ids = {n.strategy.id for n in own}
        live_ids = live_of.get(fa.id, set())  # type: ignore[arg-type]
        # The focus area's own changes always count; a strategy's when it is shown, or,
        # archived since, when no filter narrows the strategies.
        newest = _newest(
            fa.last_changed_at,
            *(n.strategy.last_changed_at for n in own),
            *(n.strategy.last_update_at for n in own),
            None if filters.narrows_strategies else archived_newest.get(fa.id),  # type: ignore[arg-type]
        )
        changes = sum(
            count
            for sid, count in changes_since.get(fa.id, {}).items()  # type: ignore[arg-type]
            if sid is None
            or sid in shown_ids
            or (sid not in live_ids and not filters.narrows_strategies)
        )
        group = rollup.rollup_group(
            items=[n.rollup_input for n in own],
            noun=plan.term("strategies").lower(),
            words=plan.status_words or {},
        )
        if filters.status and group.headline != filters.status:
            continue
        owner = plan.owning_department_id
        rows.append(
            ReviewRow(
                plan=plan,
                focus_area=fa,
                plan_department=by_dept_id.get(owner) if owner else None,
                strategies=own,
                rollup=group,
                last_update=newest,
                changes_since=changes,
                off_target=worded(off_target_of.get(fa.id, []), OFF_TARGET_LISTED, today=today),  # type: ignore[arg-type]
                off_target_count=len(off_target_of.get(fa.id, [])),  # type: ignore[arg-type]
            )
        )
    return Review(
        organizations=organizations,
        plans=all_plans,
        departments=departments,
        rows=rows,
        filters=filters,
        now=now,
        metric_groups=metric_groups(
            session,
            plans=plan_of,
            outside=outside,
            goal_focus=goal_focus,
            strategy_names={s.id: (s.code, s.title) for s in strategies},
            status=filters.status,
            today=today,
        ),
        quick_wins=[]
        if filters.term or filters.status
        else quick_win_changes(
            session,
            plans=plan_of,
            since=since_moment(filters.since),
            department_id=department.id if department else None,
        ),
    )
