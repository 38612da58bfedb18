"""The shape of GET /api/v1/plans/{slug}/tree: the whole plan with its roll-ups."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from app.services import plan_tree, rollup


class StatusOut(BaseModel):
    code: str
    label: str
    reason: str

    @classmethod
    def of(cls, status: rollup.EffectiveStatus | rollup.MetricStatus) -> StatusOut:
        return cls(code=status.code, label=status.label, reason=status.reason)


class RollupOut(BaseModel):
    distribution: dict[str, int]
    mean_progress: int | None
    headline: str
    headline_label: str
    why: str
    strategies: int

    @classmethod
    def of(cls, r: rollup.GroupRollup) -> RollupOut:
        label = rollup.LABELS.get(r.headline, r.headline)
        return cls(
            distribution=r.distribution,
            mean_progress=r.mean_progress,
            headline=r.headline,
            headline_label=label,
            why=r.why,
            strategies=r.total,
        )


class StepOut(BaseModel):
    id: int
    version: int
    title: str
    completion_measure: str
    owner: str
    due: dt.date | None
    done_on: dt.date | None
    sub_steps: list[StepOut] = []


class StrategyOut(BaseModel):
    id: int
    version: int
    code: str
    title: str
    description: str
    term: str | None
    priority: int | None
    department: str | None
    leads: list[str]
    phase: str | None
    goals: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    status: str
    effective_status: StatusOut
    progress: int
    progress_source: str
    entered_progress: int
    narrative: str
    last_update_at: dt.datetime | None
    steps: list[StepOut]

    @classmethod
    def of(cls, node: plan_tree.StrategyNode) -> StrategyOut:
        s = node.strategy

        def step_out(step, subs=()) -> StepOut:  # noqa: ANN001
            return StepOut(
                id=step.id,
                version=step.version,
                title=step.title,
                completion_measure=step.completion_measure,
                owner=step.owner,
                due=step.due,
                done_on=step.done_on,
                sub_steps=[step_out(sub) for sub in subs],
            )

        return cls(
            id=s.id,
            version=s.version,
            code=s.code,
            title=s.title,
            description=s.description,  # type: ignore[arg-type]
            term=s.term,
            priority=s.priority,
            department=node.department.code if node.department else None,
            leads=list(s.leads or []),
            phase=node.phase.code if node.phase else None,
            goals=node.goal_codes,
            planned_start=s.planned_start,
            planned_end=s.planned_end,
            status=s.status,
            effective_status=StatusOut.of(node.status),
            progress=node.progress,
            progress_source=node.progress_source,
            entered_progress=s.progress,
            narrative=s.narrative,
            last_update_at=s.last_update_at,
            steps=[step_out(n.step, n.sub_steps) for n in node.steps],
        )


class GoalOut(BaseModel):
    id: int
    code: str
    title: str
    description: str
    outcomes: list[str]


class FocusAreaOut(BaseModel):
    id: int
    version: int
    code: str
    title: str
    description: str
    category: str | None
    active_from: dt.date | None
    active_to: dt.date | None
    narrative: str
    rollup: RollupOut
    goals: list[GoalOut]
    strategies: list[StrategyOut]


class TargetOut(BaseModel):
    value: float
    comparator: str
    label: str
    effective_from: dt.date | None


class MetricOut(BaseModel):
    id: int
    version: int
    code: str
    name: str
    description: str
    kind: str
    measures: str
    unit: str
    direction: str
    horizon: str | None
    frequency: str | None
    department: str | None
    baseline_value: float | None
    baseline_date: dt.date | None
    targets: list[TargetOut]
    target_in_force: TargetOut | None
    latest_period: dt.date | None
    latest_value: float | None
    status: StatusOut

    @classmethod
    def of(cls, node: plan_tree.MetricNode) -> MetricOut:
        m = node.metric

        def target(t) -> TargetOut:  # noqa: ANN001
            return TargetOut(
                value=t.value,
                comparator=t.comparator,
                label=t.label,
                effective_from=t.effective_from,
            )

        return cls(
            id=m.id,
            version=m.version,
            code=m.code,
            name=m.name,
            description=m.description,  # type: ignore[arg-type]
            kind=m.kind,
            measures=node.measures_label,
            unit=m.unit,
            direction=m.direction,
            horizon=m.horizon,
            frequency=m.frequency,
            department=node.department.code if node.department else None,
            baseline_value=m.baseline_value,
            baseline_date=m.baseline_date,
            targets=[target(t) for t in node.targets],
            target_in_force=target(node.target_in_force) if node.target_in_force else None,
            latest_period=node.latest.period if node.latest else None,
            latest_value=node.latest.value if node.latest else None,
            status=StatusOut.of(node.status),
        )


class QuickWinOut(BaseModel):
    id: int
    version: int
    number: int
    service_areas: list[str]
    issue_category: str
    customer_issue: str
    summary: str
    category: str | None
    status: str
    department: str | None
    narrative: str


class StatementOut(BaseModel):
    id: int
    kind: str
    code: str | None
    title: str
    definition: str


class PhaseOut(BaseModel):
    id: int
    code: str
    name: str
    description: str
    start: dt.date | None
    end: dt.date | None


class JourneyOut(BaseModel):
    title: str
    description: str


class PersonaOut(BaseModel):
    id: int
    name: str
    description: str
    journeys: list[JourneyOut]


class PlanTreeOut(BaseModel):
    id: int
    version: int
    slug: str
    title: str
    subtitle: str
    organization: str
    owning_department: str | None
    status: str
    published: bool
    period_start: dt.date | None
    period_end: dt.date | None
    adopted_on: dt.date | None
    mission: str
    vision: str
    mandate: str
    summary: str
    terminology: dict[str, str]
    as_of: dt.date
    rollup: RollupOut
    statements: list[StatementOut]
    phases: list[PhaseOut]
    goals: list[GoalOut]
    focus_areas: list[FocusAreaOut]
    metrics: list[MetricOut]
    quick_wins: list[QuickWinOut]
    personas: list[PersonaOut]

    @classmethod
    def of(cls, tree: plan_tree.PlanTree) -> PlanTreeOut:
        p = tree.plan
        depts = tree.departments

        def goal(g) -> GoalOut:  # noqa: ANN001
            return GoalOut(
                id=g.id,
                code=g.code,
                title=g.title,
                description=g.description,
                outcomes=list(g.outcomes or []),
            )

        return cls(
            id=p.id,
            version=p.version,
            slug=p.slug,
            title=p.title,
            subtitle=p.subtitle,  # type: ignore[arg-type]
            organization=tree.organization.name,
            owning_department=tree.owning_department.code if tree.owning_department else None,
            status=p.status,
            published=p.published,
            period_start=p.period_start,
            period_end=p.period_end,
            adopted_on=p.adopted_on,
            mission=p.mission,
            vision=p.vision,
            mandate=p.mandate,
            summary=p.summary,
            terminology={k: p.term(k) for k in p.terminology or {}} or {},
            as_of=tree.today,
            rollup=RollupOut.of(tree.rollup),
            statements=[
                StatementOut(
                    id=s.id,
                    kind=s.kind,
                    code=s.code,
                    title=s.title,  # type: ignore[arg-type]
                    definition=s.definition,
                )
                for s in tree.statements
            ],
            phases=[
                PhaseOut(
                    id=ph.id,
                    code=ph.code,
                    name=ph.name,
                    description=ph.description,  # type: ignore[arg-type]
                    start=ph.start,
                    end=ph.end,
                )
                for ph in tree.phases
            ],
            goals=[goal(g) for g in tree.goals if g.focus_area_id is None],
            focus_areas=[
                FocusAreaOut(
                    id=n.focus_area.id,
                    version=n.focus_area.version,
                    code=n.focus_area.code,  # type: ignore[arg-type]
                    title=n.focus_area.title,
                    description=n.focus_area.description,
                    category=n.focus_area.category,
                    active_from=n.focus_area.active_from,
                    active_to=n.focus_area.active_to,
                    narrative=n.focus_area.narrative,
                    rollup=RollupOut.of(n.rollup),
                    goals=[goal(g) for g in n.goals],
                    strategies=[StrategyOut.of(s) for s in n.strategies],
                )
                for n in tree.focus_areas
            ],
            metrics=[MetricOut.of(m) for m in tree.metrics],
            quick_wins=[
                QuickWinOut(
                    id=q.id,
                    version=q.version,
                    number=q.number,  # type: ignore[arg-type]
                    service_areas=list(q.service_areas or []),
                    issue_category=q.issue_category,
                    customer_issue=q.customer_issue,
                    summary=q.summary,
                    category=q.category,
                    status=q.status,
                    department=depts[q.department_id].code if q.department_id in depts else None,
                    narrative=q.narrative,
                )
                for q in tree.quick_wins
            ],
            personas=[
                PersonaOut(
                    id=n.persona.id,
                    name=n.persona.name,
                    description=n.persona.description,  # type: ignore[arg-type]
                    journeys=[
                        JourneyOut(title=j.title, description=j.description) for j in n.journeys
                    ],
                )
                for n in tree.personas
            ],
        )
