"""Metrics: create and change them, revise their targets, record measurements."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryAction,
    Measurement,
    Metric,
    MetricTarget,
    Plan,
    Statement,
    Strategy,
)
from app.models.base import utcnow
from app.models.enums import SubjectType
from app.models.metric import MeasurementIn, MetricCreate, MetricUpdate, TargetIn
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import Save, save_changes, save_one, stale_edit
from app.services.changes.history import Actor, Change, record_change, record_changes
from app.services.changes.update_requests import answer_requests
from app.services.errors import FieldProblem, NotFound, ValidationFailed
from app.services.reading.zones import organization_today
from app.services.rules.measurement_rules import check_measurement
from app.services.rules.metric_rule import tolerance_problem
from app.services.rules.plan_dates import SANE, changed_dates, scheduled_window
from app.services.rules.reporting_periods import period_text

KIND = "metric"


def metric_label(metric: Metric) -> str:
    return f"Metric {metric.code}: {metric.name}"


def get_metric(*, session: Session, metric_id: int, include_archived: bool = False) -> Metric:
    metric = session.get(Metric, metric_id)
    if metric is None or (metric.archived_at is not None and not include_archived):
        raise NotFound(f"No metric with id {metric_id}.")
    return metric


def _plan(session: Session, metric: Metric) -> Plan:
    plan = session.get(Plan, metric.plan_id)
    assert plan is not None
    return plan


MEASURED = ("statement_id", "goal_id", "strategy_id", "focus_area_id")


def _check_references(session: Session, plan: Plan, values: dict) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for name, model in zip(MEASURED, (Statement, Goal, Strategy, FocusArea), strict=True):
        value = values.get(name)
        if value is not None:
            row = session.get(model, value)
            if row is None or row.plan_id != plan.id:
                problems.append(FieldProblem(name, "not part of this plan"))
    measured = [n for n in MEASURED if values.get(n) is not None]
    if len(measured) > 1:
        problems.append(
            FieldProblem(
                measured[1],
                "a metric measures one thing: "
                "give only one of statement, goal, strategy, focus area",
            )
        )
    dept_id = values.get("department_id")
    if dept_id is not None:
        dept = session.get(Department, dept_id)
        if dept is None or dept.organization_id != plan.organization_id:
            problems.append(
                FieldProblem("department_id", "no such department in this organisation")
            )
    return problems


def _check_dates(
    plan: Plan, baseline_date: dt.date | None, target: TargetIn | None, problems: list[FieldProblem]
) -> None:
    # A baseline usually predates the plan (it is what the plan sets out to improve), so it is
    # bounded by the years PlanTrack accepts, not by the plan's period; a target is the plan's.
    SANE.check({"baseline_date": baseline_date}, problems)
    if target is not None:
        scheduled_window(plan).check({"target.effective_from": target.effective_from}, problems)


def _check_tolerance(
    tolerance: float | None, kind: str | None, problems: list[FieldProblem]
) -> None:
    """A share of the target (tolerance_kind "share") is a percentage: 0 to 100."""
    problem = tolerance_problem(tolerance, kind)
    if problem is not None:
        problems.append(FieldProblem("tolerance", problem))


def _bound_columns(bounds: dict | None) -> dict[str, float | None]:
    """The API's and plan file's `bounds` ({min, max}, or null for the unit's) as columns."""
    bounds = bounds or {}
    return {"bound_min": bounds.get("min"), "bound_max": bounds.get("max")}


def create_metric(*, session: Session, plan: Plan, data: MetricCreate, actor: Actor) -> Metric:
    values = data.model_dump(exclude={"target", "bounds"})
    values.update(_bound_columns(data.model_dump()["bounds"]))
    metric = Metric(plan_id=plan.id, **values)  # type: ignore[arg-type]
    require(session, actor, Action.edit, metric, kind=KIND)
    problems = _check_references(session, plan, values)
    _check_dates(plan, data.baseline_date, data.target, problems)
    _check_tolerance(data.tolerance, data.tolerance_kind, problems)
    if session.exec(
        select(Metric.id).where(Metric.plan_id == plan.id, Metric.code == data.code)
    ).first():
        problems.append(FieldProblem("code", f"{data.code} is already used in this plan"))
    if problems:
        raise ValidationFailed(problems)
    last = session.exec(
        select(Metric.position)
        .where(Metric.plan_id == plan.id)
        .order_by(col(Metric.position).desc())
    ).first()
    metric.position = (last if last is not None else -1) + 1
    session.add(metric)
    session.flush()
    if data.target is not None:
        session.add(MetricTarget(metric_id=metric.id, **data.target.model_dump()))  # type: ignore[arg-type]
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.metric,
        subject_id=metric.id,  # type: ignore[arg-type]
        action=HistoryAction.create,
        changes={k: (None, v) for k, v in data.model_dump().items() if v not in (None, "")},
        label=metric_label(metric),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        version_after=metric.version,
    )
    return metric


def update_metric(*, session: Session, metric: Metric, data: MetricUpdate, actor: Actor) -> Metric:
    plan = _plan(session, metric)
    require(session, actor, Action.edit, metric, kind=KIND)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if any(name in changes for name in MEASURED):
        # What it measures is replaced as a whole: naming one clears the others.
        changes.update({name: changes.get(name) for name in MEASURED})
    if "bounds" in changes:
        changes.update(_bound_columns(changes.pop("bounds")))
    if "internal" in changes and changes["internal"] is None:
        del changes["internal"]  # null: unchanged (the flag is never unset)
    if "department_id" in changes:
        require(
            session,
            actor,
            Action.edit,
            Metric(plan_id=plan.id, department_id=changes["department_id"]),
            kind=KIND,
        )
    problems = _check_references(session, plan, changes)
    SANE.check(changed_dates(metric, changes, ("baseline_date",)), problems)
    _check_tolerance(
        changes.get("tolerance", metric.tolerance),
        changes.get("tolerance_kind", metric.tolerance_kind),
        problems,
    )
    if problems:
        raise ValidationFailed(problems)
    save_changes(
        session=session,
        item=metric,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.metric,
        label=metric_label(metric),
        plan_id=plan.id,
        organization_id=plan.organization_id,
    )
    return metric


def revise_target(
    *,
    session: Session,
    metric: Metric,
    version: int,
    target: TargetIn,
    actor: Actor,
    note: str = "",
) -> MetricTarget:
    """A new target from `effective_from`; the one it replaces is kept for the periods before."""
    plan = _plan(session, metric)
    require(session, actor, Action.edit, metric, kind=KIND)
    # NULLS FIRST: the original target (in force from the start) is the oldest on every database
    # (PostgreSQL sorts NULL last by default, so the replaced target was recorded wrongly there).
    existing = session.exec(
        select(MetricTarget)
        .where(MetricTarget.metric_id == metric.id)
        .order_by(col(MetricTarget.effective_from).asc().nulls_first(), col(MetricTarget.id))
    ).all()
    problems: list[FieldProblem] = []
    scheduled_window(plan).check({"effective_from": target.effective_from}, problems)
    if problems:
        raise ValidationFailed(problems)
    if existing and target.effective_from is None:
        raise ValidationFailed.one(
            "effective_from", "a revised target needs the date it takes effect"
        )
    latest = max((t.effective_from for t in existing if t.effective_from), default=None)
    if target.effective_from and latest and target.effective_from <= latest:
        raise ValidationFailed.one(
            "effective_from", f"must be after the latest target's date ({latest})"
        )
    before = existing[-1] if existing else None
    row = MetricTarget(metric_id=metric.id, **target.model_dump())  # type: ignore[arg-type]
    session.add(row)
    change = {
        "target": (
            {"value": before.value, "comparator": before.comparator, "label": before.label}
            if before
            else None,
            {
                "value": target.value,
                "comparator": target.comparator.value,
                "label": target.label,
                "effective_from": target.effective_from.isoformat()
                if target.effective_from
                else None,
            },
        )
    }
    # The metric's version moves, so a stale editor of the metric hears about the new target.
    save_changes(
        session=session,
        item=metric,
        expected_version=version,
        changes={},
        actor=actor,
        subject_type=SubjectType.metric,
        label=metric_label(metric),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        note=note,
        always_record=True,
        extra_history=change,
    )
    session.flush()
    return row


def measurement_save(
    *, plan: Plan, metric: Metric, data: MeasurementIn, existing: Measurement, actor: Actor
) -> Save:
    """What storing `data` over the period's stored value changes: a correction of a live value
    (from the version the client names), or an archived value brought back with the new one.
    One place for a single entry and a batch (measurement_batches)."""
    common = {
        "item": existing,
        "subject_type": SubjectType.measurement,
        "label": f"{metric_label(metric)} ({data.period:%Y-%m})",
        "plan_id": plan.id,
        "organization_id": plan.organization_id,
    }
    if existing.archived_at is None:
        return Save(
            expected_version=data.version,  # type: ignore[arg-type]
            changes={"value": data.value, "note": data.note},
            extra_values={"entered_by_id": actor.user_id},
            **common,
        )
    return Save(
        expected_version=existing.version,
        changes={
            "value": data.value,
            "note": data.note,
            "archived_at": None,
            "void_reason": "",
            "voided_by_id": None,
        },
        action=HistoryAction.restore,
        **common,
    )


def new_measurement(*, metric: Metric, data: MeasurementIn, actor: Actor) -> Measurement:
    """A first value for the period (added to the session by the caller, then `created`)."""
    return Measurement(
        metric_id=metric.id,
        period=data.period,
        value=data.value,
        note=data.note,
        entered_by_id=actor.user_id,
    )  # type: ignore[arg-type]


def created(*, plan: Plan, metric: Metric, row: Measurement) -> Change:
    """The history entry of a first value, once the row has its id."""
    return Change(
        subject_type=SubjectType.measurement,
        subject_id=row.id,  # type: ignore[arg-type]
        action=HistoryAction.create,
        changes={
            "period": (None, row.period),
            "value": (None, row.value),
            "note": (None, row.note),
        },
        label=f"{metric_label(metric)} ({row.period:%Y-%m})",
        plan_id=plan.id,
        organization_id=plan.organization_id,
        version_after=row.version,
    )


def record_measurement(
    *,
    session: Session,
    metric: Metric,
    data: MeasurementIn,
    actor: Actor,
    today: dt.date | None = None,
    stored: Measurement | None = None,
) -> Measurement:
    """This period's value. A value already recorded for the period is corrected only when the
    client names its version, so two people entering the same month cannot overwrite each other.
    `stored`: the period's live value when the caller has already read it, so it is not read
    again."""
    plan = _plan(session, metric)
    require(session, actor, Action.record_measurement, metric, kind=KIND)
    problems = check_measurement(
        plan,
        metric,
        period=data.period,
        value=data.value,
        today=today or organization_today(session, plan.organization_id),
    )
    if problems:
        raise ValidationFailed(problems)
    existing = stored
    if existing is None or (existing.metric_id, existing.period) != (metric.id, data.period):
        existing = session.exec(
            select(Measurement).where(
                Measurement.metric_id == metric.id, Measurement.period == data.period
            )
        ).first()
    if existing is not None:
        if existing.archived_at is None and data.version is None:
            raise stale_edit(
                session,
                existing,
                expected_version=0,
                subject_type=SubjectType.measurement,
                fields=["period", "value", "note"],
            )
        save = measurement_save(plan=plan, metric=metric, data=data, existing=existing, actor=actor)
        save_one(session=session, actor=actor, save=save)
        answer_for_values(session=session, metrics=[(metric, data.period)], actor=actor)
        return existing
    row = new_measurement(metric=metric, data=data, actor=actor)
    session.add(row)
    session.flush()
    record_changes(
        session=session, actor=actor, changes=[created(plan=plan, metric=metric, row=row)]
    )
    answer_for_values(session=session, metrics=[(metric, data.period)], actor=actor)
    return row


def answer_for_values(
    *, session: Session, metrics: list[tuple[Metric, dt.date]], actor: Actor
) -> None:
    """Values recorded for these metrics answer their open update requests (one query when
    none is open, whatever the number of values)."""
    if not metrics:
        return
    periods: dict[int, dt.date] = {}
    for metric, period in metrics:
        periods[metric.id] = max(period, periods.get(metric.id, period))  # type: ignore[index]
    frequency = {m.id: m.frequency for m, _ in metrics}
    texts = {period_text(p, frequency[i]) for i, p in periods.items()}
    answered_with = f"a value for {', '.join(sorted(texts))}" if len(texts) == 1 else "new values"
    answer_requests(
        session=session,
        kind="metric",
        item_ids=list(periods),
        actor=actor,
        answered_with=answered_with,
    )


def set_metric_archived(
    *, session: Session, metric: Metric, version: int, archived: bool, actor: Actor, note: str = ""
) -> None:
    plan = _plan(session, metric)
    require(session, actor, Action.archive if archived else Action.restore, metric, kind=KIND)
    save_changes(
        session=session,
        item=metric,
        expected_version=version,
        changes={"archived_at": utcnow() if archived else None},
        actor=actor,
        subject_type=SubjectType.metric,
        label=metric_label(metric),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        action=HistoryAction.archive if archived else HistoryAction.restore,
        note=note,
    )
