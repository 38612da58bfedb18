"""Writing a stored plan back as a plan file (the canonical form: defaults left out)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from enum import Enum
from typing import Any

import yaml
from sqlmodel import Session, col, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Measurement,
    Metric,
    MetricTarget,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    StrategyGoal,
    WorkplanStep,
)
from app.models.enums import ScheduleStyle
from app.models.organization import DEFAULT_DUE_DAY
from app.services.changes.programmes import programme_slug
from app.services.plan_file.schema import (
    FORMAT_VERSION,
    BaselineIn,
    BoundsIn,
    DepartmentIn,
    FocusAreaIn,
    GoalIn,
    JourneyIn,
    MeasurementIn,
    MeasuresIn,
    MetricIn,
    OrganizationIn,
    PersonaIn,
    PhaseIn,
    PlanFile,
    PlanIn,
    QuickWinIn,
    StatementIn,
    StatusWordsIn,
    StepIn,
    StrategyIn,
    SubStepIn,
    TargetIn,
    TerminologyIn,
)
from app.services.reading.catalog import DEPARTMENT_ORDER
from app.services.rules.quarters import quarter_label


class PlanNotFound(LookupError):
    pass


def _live(model: Any) -> Any:
    return col(model.archived_at).is_(None)


def build_plan_file(*, session: Session, slug: str) -> PlanFile:
    plan = session.exec(select(Plan).where(Plan.slug == slug)).first()
    if plan is None:
        raise PlanNotFound(slug)
    org = session.get(Organization, plan.organization_id)
    assert org is not None
    departments = session.exec(
        select(Department).where(Department.organization_id == org.id).order_by(*DEPARTMENT_ORDER)
    ).all()
    dept_code = {d.id: d.code for d in departments}
    origin = plan.schedule_origin if plan.schedule == ScheduleStyle.relative else None

    def quarter(day: dt.date | None) -> str | None:
        return quarter_label(day, origin) if day else None

    statements = session.exec(
        select(Statement)
        .where(Statement.plan_id == plan.id, _live(Statement))
        .order_by(Statement.position)
    ).all()
    phases = session.exec(
        select(Phase).where(Phase.plan_id == plan.id, _live(Phase)).order_by(Phase.position)
    ).all()
    goals = session.exec(
        select(Goal).where(Goal.plan_id == plan.id, _live(Goal)).order_by(Goal.position, Goal.id)
    ).all()
    focus_areas = session.exec(
        select(FocusArea)
        .where(FocusArea.plan_id == plan.id, _live(FocusArea))
        .order_by(FocusArea.position)
    ).all()
    strategies = session.exec(
        select(Strategy)
        .where(Strategy.plan_id == plan.id, _live(Strategy))
        .order_by(Strategy.position, Strategy.id)
    ).all()
    strategy_ids = [s.id for s in strategies]
    steps = session.exec(
        select(WorkplanStep)
        .where(col(WorkplanStep.strategy_id).in_(strategy_ids), _live(WorkplanStep))
        .order_by(WorkplanStep.position, WorkplanStep.id)
    ).all()
    links = session.exec(
        select(StrategyGoal).where(col(StrategyGoal.strategy_id).in_(strategy_ids))
    ).all()
    metrics = session.exec(
        select(Metric)
        .where(Metric.plan_id == plan.id, _live(Metric))
        .order_by(Metric.position, Metric.id)
    ).all()
    metric_ids = [m.id for m in metrics]
    targets = session.exec(
        select(MetricTarget).where(col(MetricTarget.metric_id).in_(metric_ids))
    ).all()
    measurements = session.exec(
        select(Measurement)
        .where(col(Measurement.metric_id).in_(metric_ids), _live(Measurement))
        .order_by(Measurement.period)
    ).all()
    quick_wins = session.exec(
        select(QuickWin)
        .where(QuickWin.plan_id == plan.id, _live(QuickWin))
        .order_by(QuickWin.number)
    ).all()
    personas = session.exec(
        select(Persona).where(Persona.plan_id == plan.id, _live(Persona)).order_by(Persona.position)
    ).all()
    journeys = session.exec(
        select(Journey)
        .where(col(Journey.persona_id).in_([p.id for p in personas]), _live(Journey))
        .order_by(Journey.position)
    ).all()

    goal_code = {g.id: g.code for g in goals}
    statement_code = {s.id: s.code for s in statements}
    phase_code = {p.id: p.code for p in phases}
    fa_code = {f.id: f.code for f in focus_areas}
    strategy_code = {s.id: s.code for s in strategies}
    goals_of: dict[int, list[str]] = defaultdict(list)
    for link in sorted(links, key=lambda link: goal_code.get(link.goal_id, "")):
        if link.goal_id in goal_code:
            goals_of[link.strategy_id].append(goal_code[link.goal_id])
    children: dict[int | None, list[WorkplanStep]] = defaultdict(list)
    top_steps: dict[int, list[WorkplanStep]] = defaultdict(list)
    for step in steps:
        if step.parent_id is None:
            top_steps[step.strategy_id].append(step)
        else:
            children[step.parent_id].append(step)
    targets_of: dict[int, list[MetricTarget]] = defaultdict(list)
    for t in sorted(targets, key=lambda t: t.effective_from or dt.date.min):
        targets_of[t.metric_id].append(t)
    measurements_of: dict[int, list[Measurement]] = defaultdict(list)
    for ms in measurements:
        measurements_of[ms.metric_id].append(ms)
    journeys_of: dict[int, list[Journey]] = defaultdict(list)
    for j in journeys:
        journeys_of[j.persona_id].append(j)

    def step_in(step: WorkplanStep) -> StepIn:
        return StepIn(
            title=step.title,
            completion_measure=step.completion_measure,
            owner=step.owner,
            due=step.due,
            done_on=step.done_on,
            steps=[
                SubStepIn(
                    title=c.title,
                    completion_measure=c.completion_measure,
                    owner=c.owner,
                    due=c.due,
                    done_on=c.done_on,
                )
                for c in children.get(step.id, [])
            ],
        )

    def strategy_in(s: Strategy) -> StrategyIn:
        return StrategyIn(
            code=s.code,
            title=s.title,
            description=s.description,
            term=s.term,
            priority=s.priority,
            department=dept_code.get(s.department_id) if s.department_id else None,
            leads=list(s.leads or []),
            phase=phase_code.get(s.phase_id) if s.phase_id else None,
            goals=goals_of.get(s.id, []),  # type: ignore[arg-type]
            planned_start=quarter(s.planned_start),
            planned_end=quarter(s.planned_end),
            status=s.status,
            progress=s.progress,
            progress_counting=s.progress_counting,
            narrative=s.narrative,
            update_cadence_days=s.update_cadence_days,
            steps=[step_in(step) for step in top_steps.get(s.id, [])],  # type: ignore[arg-type]
        )

    def goal_in(g: Goal) -> GoalIn:
        return GoalIn(
            code=g.code, title=g.title, description=g.description, outcomes=list(g.outcomes or [])
        )

    def metric_in(m: Metric) -> MetricIn:
        return MetricIn(
            code=m.code,
            name=m.name,
            description=m.description,
            kind=m.kind,
            measures=MeasuresIn(
                statement=statement_code.get(m.statement_id) if m.statement_id else None,
                goal=goal_code.get(m.goal_id) if m.goal_id else None,
                strategy=strategy_code.get(m.strategy_id) if m.strategy_id else None,
                focus_area=fa_code.get(m.focus_area_id) if m.focus_area_id else None,
            ),
            unit=m.unit,
            direction=m.direction,
            horizon=m.horizon,
            frequency=m.frequency,
            reporting_window_days=m.reporting_window_days,
            data_source=m.data_source,
            department=dept_code.get(m.department_id) if m.department_id else None,
            tolerance=m.tolerance,
            tolerance_kind=m.tolerance_kind,
            bounds=(
                None
                if m.bound_min is None and m.bound_max is None
                else BoundsIn(min=m.bound_min, max=m.bound_max)
            ),
            internal=m.internal,
            baseline=(
                BaselineIn(value=m.baseline_value, date=m.baseline_date, note=m.baseline_note)
                if m.baseline_value is not None
                else None
            ),
            targets=[
                TargetIn(
                    value=t.value,
                    comparator=t.comparator,
                    label=t.label,
                    effective_from=t.effective_from,
                )
                for t in targets_of.get(m.id, [])  # type: ignore[arg-type]
            ],
            measurements=[
                MeasurementIn(period=ms.period, value=ms.value, note=ms.note)
                for ms in measurements_of.get(m.id, [])  # type: ignore[arg-type]
            ],
        )

    # A strategy or goal whose focus area is missing or archived is still live: it goes in the
    # top-level lists (strategies and goals in no focus area) rather than being left out.
    placed = set(fa_code)
    used_depts = departments  # every department of the organisation travels with its plans
    return PlanFile(
        format=FORMAT_VERSION,
        organization=_organization_in(org),
        departments=[DepartmentIn(code=d.code, name=d.name) for d in used_depts],
        plan=PlanIn(
            slug=plan.slug,
            title=plan.title,
            subtitle=plan.subtitle,
            status=plan.status,
            owning_department=dept_code.get(plan.owning_department_id)
            if plan.owning_department_id
            else None,
            period_start=plan.period_start,
            period_end=plan.period_end,
            adopted_on=plan.adopted_on,
            schedule=plan.schedule,
            schedule_origin=plan.schedule_origin,
            programme=programme_slug(session, plan),
            fiscal_year_start_month=plan.fiscal_year_start_month,
            published=plan.published,
            source=plan.source,
            summary=plan.summary,
            mission=plan.mission,
            vision=plan.vision,
            mandate=plan.mandate,
            terminology=TerminologyIn(**(plan.terminology or {})),
            status_words=StatusWordsIn(**(plan.status_words or {})),
        ),
        statements=[
            StatementIn(kind=s.kind, code=s.code, title=s.title, definition=s.definition)
            for s in statements
        ],
        phases=[
            PhaseIn(
                code=p.code,
                name=p.name,
                description=p.description,
                start=quarter(p.start),
                end=quarter(p.end),
            )
            for p in phases
        ],
        goals=[goal_in(g) for g in goals if g.focus_area_id not in placed],
        focus_areas=[
            FocusAreaIn(
                code=f.code,
                title=f.title,
                description=f.description,
                category=f.category,
                active_from=f.active_from,
                active_to=f.active_to,
                narrative=f.narrative,
                goals=[goal_in(g) for g in goals if g.focus_area_id == f.id],
                strategies=[strategy_in(s) for s in strategies if s.focus_area_id == f.id],
            )
            for f in focus_areas
        ],
        strategies=[strategy_in(s) for s in strategies if s.focus_area_id not in placed],
        metrics=[metric_in(m) for m in metrics],
        quick_wins=[
            QuickWinIn(
                number=q.number,
                service_areas=list(q.service_areas or []),
                issue_category=q.issue_category,
                customer_issue=q.customer_issue,
                summary=q.summary,
                category=q.category,
                status=q.status,
                narrative=q.narrative,
                department=dept_code.get(q.department_id) if q.department_id else None,
                planned_start=q.planned_start,
                planned_end=q.planned_end,
            )
            for q in quick_wins
        ],
        personas=[
            PersonaIn(
                name=p.name,
                description=p.description,
                journeys=[
                    JourneyIn(title=j.title, description=j.description)
                    for j in journeys_of.get(p.id, [])
                ],  # type: ignore[arg-type]
            )
            for p in personas
        ],
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _PlanDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PlanDumper.add_representer(str, _represent_str)


def export_plan_text(*, session: Session, slug: str) -> str:
    plan_file = build_plan_file(session=session, slug=slug)
    data = _plain(plan_file.model_dump(mode="python", exclude_defaults=True))
    data = {"format": FORMAT_VERSION, **data}
    header = f"# PlanTrack plan file ({FORMAT_VERSION}); format: docs/plan-format.md\n"
    return header + yaml.dump(
        data, Dumper=_PlanDumper, sort_keys=False, allow_unicode=True, width=100
    )


def _organization_in(org: Organization) -> OrganizationIn:
    """The organisation, with its time zone and calendar where they are not the defaults (so a
    file of an organisation that never set them reads as before)."""
    settings = {
        "time_zone": org.time_zone if org.time_zone != "UTC" else None,
        "reporting_cadence": org.reporting_cadence if org.reporting_cadence != "monthly" else None,
        "reporting_due_day": org.reporting_due_day
        if org.reporting_due_day != DEFAULT_DUE_DAY
        else None,
    }
    return OrganizationIn(name=org.name, slug=org.slug, **settings)  # type: ignore[arg-type]
