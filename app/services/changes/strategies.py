"""Strategies and their workplan steps: create, change, progress updates, archive and restore."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryAction,
    Phase,
    Plan,
    Strategy,
    StrategyGoal,
    WorkplanStep,
)
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.models.strategy import (
    StepCreate,
    StepUpdate,
    StrategyCreate,
    StrategyUpdate,
)
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes, stale_edit
from app.services.changes.history import Actor, record_change
from app.services.changes.strategy_progress import (
    PROGRESS_FIELDS,  # noqa: F401
    check_steps_change,
    follow_steps,
    mark_complete_with_last_step,
    plan_of,
    record_strategy_progress,  # noqa: F401
    save_strategy_changes,
    strategy_label,
)
from app.services.errors import FieldProblem, NotFound, ValidationFailed
from app.services.reading.zones import organization_today
from app.services.rules.plan_dates import SANE, changed_dates, planned_span_window, scheduled_window

# Progress updates and the rules of status and progress live in strategy_progress; they are
# named here too, where callers look for what can be done to a strategy.
_plan_of = plan_of


def get_strategy(*, session: Session, strategy_id: int, include_archived: bool = False) -> Strategy:
    strategy = session.get(Strategy, strategy_id)
    if strategy is None or (strategy.archived_at is not None and not include_archived):
        raise NotFound(f"No strategy with id {strategy_id}.")
    return strategy


def get_step(*, session: Session, step_id: int, include_archived: bool = False) -> WorkplanStep:
    step = session.get(WorkplanStep, step_id)
    if step is None or (step.archived_at is not None and not include_archived):
        raise NotFound(f"No workplan step with id {step_id}.")
    return step


def _check_references(session: Session, plan: Plan, values: dict[str, Any]) -> list[FieldProblem]:
    """Ids a client sends must name rows of this plan (or its organisation)."""
    problems: list[FieldProblem] = []
    checks = (
        ("focus_area_id", FocusArea, "plan_id", plan.id),
        ("phase_id", Phase, "plan_id", plan.id),
        ("department_id", Department, "organization_id", plan.organization_id),
    )
    for name, model, owner_field, owner_id in checks:
        value = values.get(name)
        if value is None:
            continue
        row = session.get(model, value)
        if row is None or getattr(row, owner_field) != owner_id:
            problems.append(
                FieldProblem(
                    name, f"no such {name.removesuffix('_id').replace('_', ' ')} in this plan"
                )
            )
    for goal_id in values.get("goal_ids") or []:
        goal = session.get(Goal, goal_id)
        if goal is None or goal.plan_id != plan.id:
            problems.append(FieldProblem("goal_ids", f"goal {goal_id} is not a goal of this plan"))
    return problems


def _check_span(
    plan: Plan, start: dt.date | None, end: dt.date | None, problems: list[FieldProblem]
) -> None:
    if start and end and end < start:
        problems.append(FieldProblem("planned_end", f"{end} is before the planned start {start}"))


def create_strategy(
    *, session: Session, plan: Plan, data: StrategyCreate, actor: Actor
) -> Strategy:
    values = data.model_dump(exclude={"goal_ids"})
    strategy = Strategy(plan_id=plan.id, **values)  # type: ignore[arg-type]
    require(session, actor, Action.edit, strategy, kind=plan.term("strategy").lower())
    problems = _check_references(session, plan, data.model_dump())
    planned_span_window(plan).check(
        {"planned_start": data.planned_start, "planned_end": data.planned_end}, problems
    )
    _check_span(plan, data.planned_start, data.planned_end, problems)
    if session.exec(
        select(Strategy.id).where(Strategy.plan_id == plan.id, Strategy.code == data.code)
    ).first():
        problems.append(FieldProblem("code", f"{data.code} is already used in this plan"))
    if problems:
        raise ValidationFailed(problems)
    last = session.exec(
        select(Strategy.position)
        .where(Strategy.plan_id == plan.id)
        .order_by(col(Strategy.position).desc())
    ).first()
    strategy.position = (last or 0) + 1
    session.add(strategy)
    session.flush()
    for goal_id in data.goal_ids:
        session.add(StrategyGoal(strategy_id=strategy.id, goal_id=goal_id))  # type: ignore[arg-type]
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.strategy,
        subject_id=strategy.id,
        action=HistoryAction.create,  # type: ignore[arg-type]
        changes={k: (None, v) for k, v in values.items() if v not in (None, "", [])},
        label=strategy_label(plan, strategy),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        version_after=strategy.version,
    )
    return strategy


def update_strategy(
    *, session: Session, strategy: Strategy, data: StrategyUpdate, actor: Actor, note: str = ""
) -> Strategy:
    plan = _plan_of(session, strategy.plan_id)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    require(session, actor, Action.edit, strategy, kind=plan.term("strategy").lower())
    if "department_id" in changes:
        # Moving a strategy to another department is a change the new owner must be allowed too.
        require(
            session,
            actor,
            Action.edit,
            Strategy(plan_id=plan.id, department_id=changes["department_id"]),
            kind=plan.term("strategy").lower(),
        )
    problems = _check_references(session, plan, changes)
    planned_span_window(plan).check(
        changed_dates(strategy, changes, ("planned_start", "planned_end")), problems
    )
    _check_span(
        plan,
        changes.get("planned_start", strategy.planned_start),
        changes.get("planned_end", strategy.planned_end),
        problems,
    )
    sent_goals = "goal_ids" in changes
    goal_ids = changes.pop("goal_ids", None)
    if sent_goals and goal_ids is None:
        problems.append(FieldProblem("goal_ids", "must not be null: send [] for none"))
    if problems:
        raise ValidationFailed(problems)
    goals = _goal_change(session, strategy, goal_ids, data.version)
    save_strategy_changes(
        session=session,
        strategy=strategy,
        plan=plan,
        version=data.version,
        changes=changes,
        actor=actor,
        note=note,
        always_record=goals is not None,
        extra_history={"goal_ids": goals} if goals is not None else None,
    )
    if goals is not None:
        _set_goals(session, strategy, goals[1])
    return strategy


def goal_ids_of(session: Session, strategy: Strategy) -> list[int]:
    """The goals the strategy supports, by id."""
    return list(
        session.exec(
            select(StrategyGoal.goal_id)
            .where(StrategyGoal.strategy_id == strategy.id)
            .order_by(col(StrategyGoal.goal_id))
        )
    )


def _goal_change(
    session: Session, strategy: Strategy, goal_ids: list[int] | None, version: int
) -> tuple[list[int], list[int]] | None:
    """The goal list before and after, when `goal_ids` changes it (None: no change). A stale
    version is refused here, with the goals it supports now among the newer values."""
    if goal_ids is None:
        return None
    before = goal_ids_of(session, strategy)
    after = sorted(set(goal_ids))
    if before == after:
        return None
    if strategy.version != version:
        conflict = stale_edit(
            session,
            strategy,
            expected_version=version,
            subject_type=SubjectType.strategy,
            fields=[],
        )
        conflict.current["goal_ids"] = before
        raise conflict
    return before, after


def _set_goals(session: Session, strategy: Strategy, goal_ids: list[int]) -> None:
    session.execute(delete(StrategyGoal).where(col(StrategyGoal.strategy_id) == strategy.id))
    for goal_id in goal_ids:
        session.add(StrategyGoal(strategy_id=strategy.id, goal_id=goal_id))  # type: ignore[arg-type]
    session.flush()


def strategy_step_counts(*, session: Session, strategy_id: int) -> tuple[int, int]:
    steps = session.exec(
        select(WorkplanStep.done_on).where(
            WorkplanStep.strategy_id == strategy_id, col(WorkplanStep.archived_at).is_(None)
        )
    ).all()
    return len(steps), sum(1 for done in steps if done is not None)


def set_archived(
    *,
    session: Session,
    item: Strategy | WorkplanStep,
    version: int,
    archived: bool,
    actor: Actor,
    note: str = "",
    complete_strategy: bool = False,
) -> None:
    """Archive (or, admins only, restore): the item leaves lists and roll-ups, its history stays.
    Archiving a step that leaves its strategy's steps all done may mark the strategy complete
    with it (`complete_strategy`), as ticking the last open one may."""
    if isinstance(item, WorkplanStep):
        strategy = get_strategy(session=session, strategy_id=item.strategy_id)
        plan = _plan_of(session, strategy.plan_id)
        kind, subject, label = (
            plan.term("step").lower(),
            SubjectType.step,
            f"{plan.term('step')}: {item.title}",
        )
    else:
        plan = _plan_of(session, item.plan_id)
        kind, subject, label = (
            plan.term("strategy").lower(),
            SubjectType.strategy,
            strategy_label(plan, item),
        )
    require(session, actor, Action.archive if archived else Action.restore, item, kind=kind)
    if isinstance(item, WorkplanStep):
        had_steps = _has_steps(session, strategy)
    save_changes(
        session=session,
        item=item,
        expected_version=version,
        changes={"archived_at": utcnow() if archived else None},
        actor=actor,
        subject_type=subject,
        label=label,
        plan_id=plan.id,
        organization_id=plan.organization_id,
        action=HistoryAction.archive if archived else HistoryAction.restore,
        note=note,
    )
    if isinstance(item, WorkplanStep):
        _steps_changed(
            session, strategy, actor, had_steps=had_steps, complete_strategy=complete_strategy
        )


def _has_steps(session: Session, strategy: Strategy) -> bool:
    return strategy_step_counts(session=session, strategy_id=strategy.id)[0] > 0  # type: ignore[arg-type]


def _steps_changed(
    session: Session,
    strategy: Strategy,
    actor: Actor,
    *,
    had_steps: bool,
    complete_strategy: bool = False,
) -> str:
    """Its steps changed: progress follows them (or goes back to hand), and the change is refused
    if status and progress would contradict each other. Returns the switch stated, if any."""
    said = follow_steps(session, strategy, actor, had_steps=had_steps)
    field = "complete_strategy" if complete_strategy else "status"
    if check_steps_change(session, strategy, field=field, complete_strategy=complete_strategy):
        mark_complete_with_last_step(session, strategy, actor)
    return said


def add_step(
    *, session: Session, strategy: Strategy, data: StepCreate, actor: Actor
) -> WorkplanStep:
    plan = _plan_of(session, strategy.plan_id)
    require(session, actor, Action.edit, strategy, kind=plan.term("strategy").lower())
    problems: list[FieldProblem] = []
    scheduled_window(plan).check({"due": data.due}, problems)
    if data.parent_id is not None:
        parent = session.get(WorkplanStep, data.parent_id)
        if parent is None or parent.strategy_id != strategy.id or parent.archived_at is not None:
            problems.append(
                FieldProblem(
                    "parent_id",
                    f"not a {plan.term('step').lower()} of this {plan.term('strategy').lower()}",
                )
            )
        elif parent.parent_id is not None:
            problems.append(
                FieldProblem(
                    "parent_id", "sub-steps have no sub-steps of their own (one level only)"
                )
            )
    if problems:
        raise ValidationFailed(problems)
    had_steps = _has_steps(session, strategy)
    last = session.exec(
        select(WorkplanStep.position)
        .where(WorkplanStep.strategy_id == strategy.id, WorkplanStep.parent_id == data.parent_id)
        .order_by(col(WorkplanStep.position).desc())
    ).first()
    step = WorkplanStep(
        strategy_id=strategy.id,
        position=(last if last is not None else -1) + 1,
        **data.model_dump(),
    )  # type: ignore[arg-type]
    session.add(step)
    session.flush()
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.step,
        subject_id=step.id,  # type: ignore[arg-type]
        action=HistoryAction.create,
        changes={k: (None, v) for k, v in data.model_dump().items() if v not in (None, "")},
        label=f"{plan.term('step')} of {strategy_label(plan, strategy)}: {step.title}",
        plan_id=plan.id,
        organization_id=plan.organization_id,
        version_after=step.version,
    )
    _steps_changed(session, strategy, actor, had_steps=had_steps)
    _touch(session, strategy)
    return step


def update_step(
    *,
    session: Session,
    step: WorkplanStep,
    data: StepUpdate,
    actor: Actor,
    note: str = "",
    complete_strategy: bool = False,
) -> WorkplanStep:
    strategy = get_strategy(session=session, strategy_id=step.strategy_id)
    plan = _plan_of(session, strategy.plan_id)
    require(session, actor, Action.edit, step, kind=plan.term("step").lower())
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    problems: list[FieldProblem] = []
    scheduled_window(plan).check(changed_dates(step, changes, ("due",)), problems)
    # When a step was done is a fact, not a plan: work may be done before the period starts.
    SANE.check(changed_dates(step, changes, ("done_on",)), problems)
    if changes.get("done_on") and changes["done_on"] > organization_today(
        session, plan.organization_id
    ):
        problems.append(FieldProblem("done_on", "cannot be in the future"))
    if problems:
        raise ValidationFailed(problems)
    only_done = set(changes) <= {"done_on"}
    save_changes(
        session=session,
        item=step,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.step,
        label=f"{plan.term('step')} of {strategy_label(plan, strategy)}: {step.title}",
        plan_id=plan.id,
        organization_id=plan.organization_id,
        note=note,
        action=HistoryAction.progress if only_done else HistoryAction.update,
    )
    if "done_on" in changes:
        field = "complete_strategy" if changes["done_on"] else "done_on"
        if check_steps_change(session, strategy, field=field, complete_strategy=complete_strategy):
            mark_complete_with_last_step(session, strategy, actor, note)
        _touch(session, strategy)
    return step


def set_step_done(
    *,
    session: Session,
    step: WorkplanStep,
    version: int,
    done: bool,
    actor: Actor,
    note: str = "",
    complete_strategy: bool = False,
) -> WorkplanStep:
    """Tick a step done (today) or undo it; the strategy's progress follows from its steps.
    Ticking the last open step may mark the strategy complete with it (`complete_strategy`).
    Today is the plan's organisation's day (a step ticked at 17:00 PST is done that day)."""
    today = None
    if done:
        strategy = get_strategy(session=session, strategy_id=step.strategy_id)
        today = organization_today(session, _plan_of(session, strategy.plan_id).organization_id)
    data = StepUpdate(version=version, done_on=today)
    return update_step(
        session=session,
        step=step,
        data=data,
        actor=actor,
        note=note,
        complete_strategy=complete_strategy and done,
    )


def _touch(session: Session, strategy: Strategy) -> None:
    """Work on a strategy's steps counts as an update of the strategy (it is not stale)."""
    from sqlalchemy import update

    session.execute(
        update(Strategy)
        .where(col(Strategy.id) == strategy.id)
        .values(last_update_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(strategy)
