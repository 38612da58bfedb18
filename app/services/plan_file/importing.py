"""Loading a checked plan file into the database, all or nothing."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryAction,
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
from app.models.enums import SubjectType
from app.services.changes.history import SYSTEM, Actor, record_change
from app.services.changes.programmes import find_programme, programme_problem
from app.services.errors import FieldProblem, ValidationFailed
from app.services.plan_file.checking import check_plan_file
from app.services.plan_file.reading import (
    LineIndex,
    PlanFileError,
    PlanFileProblem,
    parse_plan_text,
    read_plan_text,
)
from app.services.plan_file.schema import GoalIn, PlanFile, StepIn, StrategyIn
from app.services.rules.quarters import quarter_end, quarter_start


def import_plan_text(
    *, session: Session, text: str, source: str = "<plan file>", actor: Actor = SYSTEM
) -> Plan:
    """Validate and store a whole plan in the caller's transaction; raise PlanFileError if refused.

    The caller commits (or rolls back): a refused file leaves the database as it was.
    """
    plan_file, lines = parse_plan_text(text, source=source)
    problems = check_plan_file(plan_file, lines)
    if session.exec(select(Plan.id).where(Plan.slug == plan_file.plan.slug)).first() is not None:
        problems.append(
            PlanFileProblem(
                "plan.slug",
                lines.line_of(("plan", "slug")),
                f"a plan '{plan_file.plan.slug}' already exists in this database",
            )
        )
    programme = _programme_problem(session, plan_file, lines)
    if programme is not None:
        problems.append(programme)
    if problems:
        raise PlanFileError(source, problems)
    return _store(session=session, plan_file=plan_file, actor=actor, lines=lines, source=source)


def _programme_problem(
    session: Session, plan_file: PlanFile, lines: LineIndex
) -> PlanFileProblem | None:
    """The file's `programme` must be a stored plan of the same organisation, in no programme."""
    slug = plan_file.plan.programme
    if not slug:
        return None
    programme = find_programme(session, slug)
    org_id = session.exec(
        select(Organization.id).where(Organization.slug == plan_file.organization.slug)
    ).first()
    # An organisation not stored yet has no plans: any programme found is another's.
    problem = programme_problem(
        session, plan=None, organization_id=org_id or -1, programme=programme, slug=slug
    )
    if problem is None:
        return None
    return PlanFileProblem("plan.programme", lines.line_of(("plan", "programme")), problem.message)


def import_plan_path(*, session: Session, path: Path, actor: Actor = SYSTEM) -> Plan:
    text = read_plan_text(path)
    return import_plan_text(session=session, text=text, source=str(path), actor=actor)


def _organization(session: Session, plan_file: PlanFile) -> Organization:
    org = session.exec(
        select(Organization).where(Organization.slug == plan_file.organization.slug)
    ).first()
    given = plan_file.organization.model_dump(
        include={"time_zone", "reporting_cadence", "reporting_due_day"}, exclude_none=True
    )
    if org is None:
        org = Organization(
            name=plan_file.organization.name, slug=plan_file.organization.slug, **given
        )
        session.add(org)
        session.flush()
        return org
    differs = [name for name, value in given.items() if getattr(org, name) != value]
    if differs:
        raise ValidationFailed(
            [
                FieldProblem(
                    f"organization.{name}",
                    f"the organisation's {name.replace('_', ' ')} is {getattr(org, name)}; an "
                    "administrator changes it on the organisation's settings page",
                )
                for name in differs
            ]
        )
    return org


def _departments(session: Session, org: Organization, plan_file: PlanFile) -> dict[str, int]:
    existing = {
        d.code: d
        for d in session.exec(select(Department).where(Department.organization_id == org.id))
    }
    # New departments come after the organisation's own, in the file's order.
    position = max((d.position for d in existing.values()), default=-1) + 1
    for dept in plan_file.departments:
        if dept.code not in existing:
            row = Department(
                organization_id=org.id, code=dept.code, name=dept.name, position=position
            )
            session.add(row)
            existing[dept.code] = row
            position += 1
    session.flush()
    return {code: row.id for code, row in existing.items() if row.id is not None}


def _store(
    *, session: Session, plan_file: PlanFile, actor: Actor, lines: LineIndex, source: str
) -> Plan:
    org = _organization(session, plan_file)
    dept_ids = _departments(session, org, plan_file)
    p = plan_file.plan
    origin = p.schedule_origin
    plan = Plan(
        organization_id=org.id,
        owning_department_id=dept_ids.get(p.owning_department) if p.owning_department else None,
        slug=p.slug,
        title=p.title,
        subtitle=p.subtitle,
        status=p.status,
        period_start=p.period_start,
        period_end=p.period_end,
        adopted_on=p.adopted_on,
        schedule=p.schedule,
        schedule_origin=p.schedule_origin,
        programme_id=find_programme(session, p.programme).id if p.programme else None,  # type: ignore[union-attr]
        fiscal_year_start_month=p.fiscal_year_start_month,
        published=p.published,
        source=p.source,
        summary=p.summary,
        mission=p.mission,
        vision=p.vision,
        mandate=p.mandate,
        terminology=p.terminology.model_dump(),
        status_words=p.status_words.words(),
    )
    session.add(plan)
    session.flush()
    assert plan.id is not None

    statement_ids: dict[str, int] = {}
    for position, s in enumerate(plan_file.statements):
        row = Statement(
            plan_id=plan.id,
            kind=s.kind,
            code=s.code,
            position=position,
            title=s.title,
            definition=s.definition,
        )
        session.add(row)
        session.flush()
        if s.code:
            statement_ids[s.code] = row.id  # type: ignore[assignment]

    phase_ids: dict[str, int] = {}
    for position, ph in enumerate(plan_file.phases):
        row = Phase(
            plan_id=plan.id,
            code=ph.code,
            position=position,
            name=ph.name,
            description=ph.description,
            start=quarter_start(ph.start, origin) if ph.start else None,
            end=quarter_end(ph.end, origin) if ph.end else None,
        )
        session.add(row)
        session.flush()
        phase_ids[ph.code] = row.id  # type: ignore[assignment]

    goal_ids: dict[str, int] = {}

    def add_goal(goal: GoalIn, position: int, focus_area_id: int | None) -> None:
        row = Goal(
            plan_id=plan.id,
            focus_area_id=focus_area_id,
            code=goal.code,
            position=position,
            title=goal.title,
            description=goal.description,
            outcomes=list(goal.outcomes),
        )
        session.add(row)
        session.flush()
        goal_ids[goal.code] = row.id  # type: ignore[assignment]

    for position, goal in enumerate(plan_file.goals):
        add_goal(goal, position, None)

    strategy_ids: dict[str, int] = {}

    def add_strategy(s: StrategyIn, position: int, focus_area_id: int | None) -> None:
        row = Strategy(
            plan_id=plan.id,
            focus_area_id=focus_area_id,
            department_id=dept_ids.get(s.department) if s.department else None,
            phase_id=phase_ids.get(s.phase) if s.phase else None,
            code=s.code,
            position=position,
            title=s.title,
            description=s.description,
            term=s.term,
            priority=s.priority,
            leads=list(s.leads),
            planned_start=quarter_start(s.planned_start, origin) if s.planned_start else None,
            planned_end=quarter_end(s.planned_end, origin) if s.planned_end else None,
            status=s.status,
            progress=s.progress,
            progress_counting=s.counting,
            narrative=s.narrative,
            update_cadence_days=s.update_cadence_days,
        )
        session.add(row)
        session.flush()
        strategy_ids[s.code] = row.id  # type: ignore[assignment]
        for goal_code in s.goals:
            session.add(StrategyGoal(strategy_id=row.id, goal_id=goal_ids[goal_code]))
        _add_steps(session, row.id, s.steps)  # type: ignore[arg-type]

    # Every focus area and goal first: a strategy may support a goal of a later focus area.
    focus_area_ids: dict[str, int] = {}
    for fa_position, fa in enumerate(plan_file.focus_areas):
        fa_row = FocusArea(
            plan_id=plan.id,
            code=fa.code,
            position=fa_position,
            title=fa.title,
            description=fa.description,
            category=fa.category,
            active_from=fa.active_from,
            active_to=fa.active_to,
            narrative=fa.narrative,
        )
        session.add(fa_row)
        session.flush()
        focus_area_ids[fa.code] = fa_row.id  # type: ignore[assignment]
        for position, goal in enumerate(fa.goals):
            add_goal(goal, position, fa_row.id)
    strategy_position = 0
    for fa in plan_file.focus_areas:
        for s in fa.strategies:
            strategy_position += 1
            add_strategy(s, strategy_position, focus_area_ids[fa.code])
    # Strategies in no focus area come after those in one, in the file's order.
    for s in plan_file.strategies:
        strategy_position += 1
        add_strategy(s, strategy_position, None)

    for position, m in enumerate(plan_file.metrics):
        metric = Metric(
            plan_id=plan.id,
            statement_id=statement_ids.get(m.measures.statement) if m.measures.statement else None,
            goal_id=goal_ids.get(m.measures.goal) if m.measures.goal else None,
            strategy_id=strategy_ids.get(m.measures.strategy) if m.measures.strategy else None,
            focus_area_id=(
                focus_area_ids.get(m.measures.focus_area) if m.measures.focus_area else None
            ),
            department_id=dept_ids.get(m.department) if m.department else None,
            code=m.code,
            position=position,
            name=m.name,
            description=m.description,
            kind=m.kind,
            unit=m.unit,
            direction=m.direction,
            horizon=m.horizon,
            frequency=m.frequency,
            reporting_window_days=m.reporting_window_days,
            data_source=m.data_source,
            tolerance=m.tolerance,
            tolerance_kind=m.tolerance_kind,
            baseline_value=m.baseline.value if m.baseline else None,
            baseline_date=m.baseline.date if m.baseline else None,
            baseline_note=m.baseline.note if m.baseline else "",
            bound_min=m.bounds.min if m.bounds else None,
            bound_max=m.bounds.max if m.bounds else None,
            internal=m.internal,
        )
        session.add(metric)
        session.flush()
        for t in m.targets:
            session.add(
                MetricTarget(
                    metric_id=metric.id,
                    value=t.value,
                    comparator=t.comparator,
                    label=t.label,
                    effective_from=t.effective_from,
                )
            )
        for ms in m.measurements:
            session.add(
                Measurement(metric_id=metric.id, period=ms.period, value=ms.value, note=ms.note)
            )

    for q in plan_file.quick_wins:
        session.add(
            QuickWin(
                plan_id=plan.id,
                department_id=dept_ids.get(q.department) if q.department else None,
                number=q.number,
                service_areas=list(q.service_areas),
                issue_category=q.issue_category,
                customer_issue=q.customer_issue,
                summary=q.summary,
                category=q.category,
                status=q.status,
                narrative=q.narrative,
                planned_start=q.planned_start,
                planned_end=q.planned_end,
            )
        )

    for position, persona in enumerate(plan_file.personas):
        row = Persona(
            plan_id=plan.id, position=position, name=persona.name, description=persona.description
        )
        session.add(row)
        session.flush()
        for j, journey in enumerate(persona.journeys):
            session.add(
                Journey(
                    persona_id=row.id,
                    position=j,
                    title=journey.title,
                    description=journey.description,
                )
            )

    session.flush()
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.plan,
        subject_id=plan.id,
        action=HistoryAction.imported,
        note=f"imported from {source}",
        label=plan.title,
        plan_id=plan.id,
        organization_id=org.id,
        version_after=plan.version,
    )
    return plan


def _add_steps(session: Session, strategy_id: int, steps: list[StepIn]) -> None:
    for position, step in enumerate(steps):
        parent = WorkplanStep(
            strategy_id=strategy_id,
            position=position,
            title=step.title,
            completion_measure=step.completion_measure,
            owner=step.owner,
            due=step.due,
            done_on=step.done_on,
        )
        session.add(parent)
        session.flush()
        for sub_position, sub in enumerate(step.steps):
            session.add(
                WorkplanStep(
                    strategy_id=strategy_id,
                    parent_id=parent.id,
                    position=sub_position,
                    title=sub.title,
                    completion_measure=sub.completion_measure,
                    owner=sub.owner,
                    due=sub.due,
                    done_on=sub.done_on,
                )
            )
