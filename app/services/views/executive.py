"""The executive view (issue 12): every plan of an organisation on one screen.

For each live plan: its strategies' status distribution, mean progress and headline (rolled up as
its overview rolls them, through plan_index.strategy_inputs), its overdue and stale counts (the
effective statuses of that distribution, as the review counts them), its off-target metrics (judged
as the review judges them: off track, at risk, or late), and what moved since a date, from the
history: status changes, items completed (a status set to complete, a step marked done) and
measurements entered since then whose value misses its target. Programmes come with their member
plans nested under them, and their combined distribution.

A fixed number of queries whatever the number of plans, strategies, metrics or changes: the plans
and departments, the strategies (and their steps and goal links), the metrics with their targets,
the status and done changes since the date, and the measurements since the date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import Department, HistoryEntry, HistoryField, Measurement, Organization, Plan, User
from app.models.base import is_live
from app.models.enums import SubjectType
from app.services.accounts.permissions import can_read_plan, same_organization
from app.services.errors import NotAuthenticated, NotFound
from app.services.rules import clock, metric_rule, rollup
from app.services.rules.asked_dates import EARLIEST, within_window
from app.services.rules.local_time import local_today
from app.services.views.plan_index import plan_rollup, strategy_inputs
from app.services.views.review.metrics import (
    OFF_TARGET,
    Judged,
    ReviewMetric,
    metric_statuses,
    worded,
)

DEFAULT_SINCE_DAYS = 30
# Statuses a status change may end in that count as "completed".
COMPLETE = "complete"


def default_since(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=DEFAULT_SINCE_DAYS)


@dataclass
class Moved:
    """What moved in a plan since the date, from the history and the measurements."""

    status_changes: int = 0
    completed: int = 0
    new_off_target: int = 0

    @property
    def total(self) -> int:
        return self.status_changes + self.completed + self.new_off_target


@dataclass
class PlanLine:
    plan: Plan
    owning_department: Department | None
    rollup: rollup.GroupRollup
    off_target: list[ReviewMetric]  # worst first, all of them (the drill-down lists them)
    moved: Moved
    members: list[PlanLine] = field(default_factory=list)  # a programme's department plans
    combined: rollup.GroupRollup | None = None  # a programme with its members

    @property
    def overdue(self) -> int:
        return self.rollup.distribution.get("overdue", 0)

    @property
    def stale(self) -> int:
        return self.rollup.distribution.get("stale", 0)

    @property
    def off_target_count(self) -> int:
        return len(self.off_target)


@dataclass
class Executive:
    organization: Organization
    since: dt.date
    now: dt.datetime
    lines: list[PlanLine]  # programmes (members nested) and plans in no programme, by title

    @property
    def plan_count(self) -> int:
        return sum(1 + len(line.members) for line in self.lines)


def require_staff(user: User | None, organization: Organization) -> User:
    """People of the organisation and installation administrators; anyone signed in elsewhere
    gets a 404 (the organisation is none of their business), nobody a sign-in."""
    if user is None or not user.active:
        raise NotAuthenticated("Sign in to open the executive view.")
    if not same_organization(user, organization.id):
        raise NotFound("No such organisation.")
    return user


def get_organization(session: Session, slug: str) -> Organization:
    org = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if org is None:
        raise NotFound("No such organisation.")
    return org


def organization_of(session: Session, user: User) -> Organization:
    """The signed-in person's own organisation (an installation administrator may belong to
    none: they open /organizations/{slug}/executive for the one they want)."""
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    if org is None:
        raise NotFound("You belong to no organisation: open an organisation's executive view.")
    return org


def _moved(
    session: Session,
    plans: dict[int, Plan],
    judged: dict[int, Judged],
    *,
    since: dt.date,
) -> dict[int, Moved]:
    """Per plan: status changes and completions since `since` (history), and the measurements
    entered since then whose value misses its target (judged by the metric's rule)."""
    start = dt.datetime.combine(since, dt.time(0), tzinfo=dt.UTC)
    out: dict[int, Moved] = defaultdict(Moved)
    rows = session.exec(
        select(  # type: ignore[call-overload]
            HistoryEntry.plan_id, HistoryEntry.subject_type, HistoryField.field, HistoryField.after
        )
        .join(HistoryField, col(HistoryField.entry_id) == col(HistoryEntry.id))
        .where(
            col(HistoryEntry.plan_id).in_(list(plans)),
            col(HistoryEntry.at) >= start,
            col(HistoryField.field).in_(("status", "done_on")),
        )
    ).all()
    for plan_id, subject_type, name, after in rows:
        moved = out[plan_id]
        if name == "status":
            moved.status_changes += 1
            if after == COMPLETE:
                moved.completed += 1
        elif subject_type == SubjectType.step and after:
            moved.completed += 1
    measured = session.exec(
        select(Measurement.metric_id, Measurement.period, Measurement.value).where(
            col(Measurement.metric_id).in_(list(judged)),
            col(Measurement.created_at) >= start,
            is_live(Measurement),
        )
    ).all()
    for metric_id, period, value in measured:
        facts, targets, _, _ = judged[metric_id]
        code = metric_rule.value_status(
            direction=facts.direction,
            targets=targets,
            value=value,
            period=period,
            tolerance=facts.tolerance,
            tolerance_kind=facts.tolerance_kind,
        )
        if code in ("off_track", "at_risk"):
            out[facts.plan_id].new_off_target += 1
    return out


def load_executive(
    *,
    session: Session,
    user: User | None,
    organization: Organization,
    since: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Executive:
    require_staff(user, organization)
    now = now or clock.clock()
    today = local_today(organization.time_zone, now)  # the organisation's day
    since = since or default_since(today)
    plans = list(
        session.exec(
            select(Plan)
            .where(Plan.organization_id == organization.id, is_live(Plan))
            .order_by(Plan.title, Plan.id)
        )
    )
    departments = {
        d.id: d
        for d in session.exec(
            select(Department).where(Department.organization_id == organization.id)
        )
    }
    by_id = {p.id: p for p in plans}
    inputs = strategy_inputs(session, plans, departments=departments, now=now)  # type: ignore[arg-type]
    judged = metric_statuses(session, list(by_id), today=today)  # type: ignore[arg-type]
    off: dict[int, list[Judged]] = defaultdict(list)
    for j in judged:
        if j[3] in OFF_TARGET:
            off[j[0].plan_id].append(j)
    moved = _moved(
        session,
        by_id,  # type: ignore[arg-type]
        {j[0].id: j for j in judged},
        since=since,
    )
    lines: dict[int, PlanLine] = {}
    for p in plans:
        owner = p.owning_department_id
        lines[p.id] = PlanLine(  # type: ignore[index]
            plan=p,
            owning_department=departments.get(owner) if owner else None,
            rollup=plan_rollup(p, inputs.get(p.id, [])),  # type: ignore[arg-type]
            off_target=worded(off.get(p.id, []), today=today),  # type: ignore[arg-type]
            moved=moved.get(p.id, Moved()),  # type: ignore[arg-type]
        )
    top: list[PlanLine] = []
    for p in plans:
        parent = lines.get(p.programme_id) if p.programme_id else None  # type: ignore[arg-type]
        if parent is not None:
            parent.members.append(lines[p.id])  # type: ignore[index]
        else:
            top.append(lines[p.id])  # type: ignore[index]
    for line in top:
        if line.members:
            line.combined = programme_rollup(line.plan, inputs, [m.plan for m in line.members])
    return Executive(organization=organization, since=since, now=now, lines=top)


def programme_rollup(
    programme: Plan,
    inputs: dict[int, list[rollup.StrategyRollupInput]],
    members: list[Plan],
) -> rollup.GroupRollup:
    """The programme's own strategies and every member plan's, rolled up as one group."""
    items = list(inputs.get(programme.id, []))  # type: ignore[arg-type]
    for m in members:
        items.extend(inputs.get(m.id, []))  # type: ignore[arg-type]
    return plan_rollup(programme, items)


def parse_since(text: str, today: dt.date) -> tuple[dt.date, str]:
    """The "since" date asked for (YYYY-MM-DD), or the default with why it was not used."""
    text = text.strip()
    if not text:
        return default_since(today), ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return default_since(today), "Enter a date as YYYY-MM-DD."
    if day > today:
        return default_since(today), "The date must not be in the future."
    if not within_window(day):
        return default_since(today), f"Enter a date from {EARLIEST} on."
    return day, ""


@dataclass(frozen=True)
class Segment:
    """One status's part of a compact stacked bar: where it starts and how wide, in % of the bar."""

    code: str
    count: int
    start: float
    width: float


def segments(distribution: dict[str, int]) -> list[Segment]:
    """The bar's parts, worst first as the distribution is, leaving out statuses with none."""
    total = sum(distribution.values())
    out: list[Segment] = []
    start = 0.0
    for code, count in distribution.items():
        if not count:
            continue
        width = round(100 * count / total, 3)
        out.append(Segment(code, count, round(start, 3), width))
        start += width
    return out


@dataclass(frozen=True)
class MemberSummary:
    """A department plan of a programme, rolled up as its own overview rolls it up."""

    plan: Plan
    owning_department: Department | None
    rollup: rollup.GroupRollup

    @property
    def overdue(self) -> int:
        return self.rollup.distribution.get("overdue", 0)

    @property
    def stale(self) -> int:
        return self.rollup.distribution.get("stale", 0)


@dataclass(frozen=True)
class Programme:
    """A programme's department plans and its combined roll-up (its own strategies with theirs)."""

    members: list[MemberSummary]
    combined: rollup.GroupRollup


def programme_of(
    session: Session, *, plan: Plan, user: User | None, now: dt.datetime | None = None
) -> Programme | None:
    """The member plans `user` may read of `plan`, when it is a programme; None otherwise. One
    query for a plan with no members; a fixed few more for a programme, whatever its size."""
    members = [
        p
        for p in session.exec(
            select(Plan)
            .where(col(Plan.programme_id) == plan.id, is_live(Plan))
            .order_by(Plan.title, Plan.id)
        )
        if can_read_plan(user, p)
    ]
    if not members:
        return None
    now = now or clock.clock()
    departments = {
        d.id: d
        for d in session.exec(
            select(Department).where(Department.organization_id == plan.organization_id)
        )
    }
    inputs = strategy_inputs(session, [plan, *members], departments=departments, now=now)  # type: ignore[arg-type]
    return Programme(
        members=[
            MemberSummary(
                plan=m,
                owning_department=departments.get(m.owning_department_id)  # type: ignore[arg-type]
                if m.owning_department_id
                else None,
                rollup=plan_rollup(m, inputs.get(m.id, [])),  # type: ignore[arg-type]
            )
            for m in members
        ],
        combined=programme_rollup(plan, inputs, members),
    )
