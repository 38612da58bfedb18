"""The plan tree and its outline: the overview's and roadmap's roll-ups, counted by the database,
are the ones the whole tree and the ORM path (my work, review, plan list) compute step by step."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from app.models import FocusArea, Metric, Plan, Strategy, WorkplanStep
from app.models.metric import MeasurementIn, MetricCreate, TargetIn
from app.models.strategy import ProgressUpdateIn, StepCreate, StrategyCreate
from app.services.changes import metrics, strategies
from app.services.changes.history import SYSTEM
from app.services.reading.node_builders import build_metric_nodes, build_strategy_nodes
from app.services.reading.plan_nodes import PlanTree, StrategyNode
from app.services.reading.plan_stamp import plan_stamp
from app.services.reading.plan_tree import load_plan_outline, load_plan_tree
from app.services.rules import rollup
from tests.factories import make_tiny_plan

TODAY = dt.date(2025, 3, 1)
NOW = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def _strategy(session: Session, plan: Plan, code: str, **values: object) -> Strategy:
    data = StrategyCreate(code=code, title=f"Strategy {code}", **values)  # type: ignore[arg-type]
    return strategies.create_strategy(session=session, plan=plan, data=data, actor=SYSTEM)


def _step(session: Session, strategy: Strategy, title: str, **values: object) -> WorkplanStep:
    data = StepCreate(title=title, **values)  # type: ignore[arg-type]
    return strategies.add_step(session=session, strategy=strategy, data=data, actor=SYSTEM)


def _done(session: Session, step: WorkplanStep) -> None:
    strategies.set_step_done(
        session=session, step=step, version=step.version, done=True, actor=SYSTEM
    )


@pytest.fixture
def edgy(session: Session) -> Plan:
    """The tiny plan, and: a strategy in no focus area with no steps and entered progress; one
    with done and open steps, sub-steps, an archived step whose live sub-step must not count;
    an archived strategy; lower-is-better metrics met and missed within tolerance."""
    plan = make_tiny_plan(session)
    access = session.exec(select(FocusArea).where(FocusArea.code == "1")).one()
    loose = _strategy(session, plan, "9.1", term="long")
    strategies.record_strategy_progress(
        session=session,
        strategy=loose,
        data=ProgressUpdateIn(version=loose.version, status="on_track", progress=40),
        actor=SYSTEM,
    )
    busy = _strategy(session, plan, "1.3", focus_area_id=access.id)
    strategies.record_strategy_progress(  # begun: its steps can be ticked
        session=session,
        strategy=busy,
        data=ProgressUpdateIn(version=busy.version, status="on_track"),
        actor=SYSTEM,
    )
    first = _step(session, busy, "First")
    second = _step(session, busy, "Second")
    _done(session, first)  # with Second open: 100% while On track would be refused
    sub = _step(session, busy, "Second, part a", parent_id=second.id)
    _done(session, sub)
    _step(session, busy, "Second, part b", parent_id=second.id)
    gone = _step(session, busy, "Dropped")
    _step(session, busy, "Dropped, part a", parent_id=gone.id)
    session.refresh(gone)
    strategies.set_archived(
        session=session, item=gone, version=gone.version, archived=True, actor=SYSTEM
    )
    old = _strategy(session, plan, "1.4", focus_area_id=access.id)
    _step(session, old, "Never counted")
    session.refresh(old)
    strategies.set_archived(
        session=session, item=old, version=old.version, archived=True, actor=SYSTEM
    )
    for code, value in (("WAIT", 9.0), ("HOLD", 10.3)):
        metric = metrics.create_metric(
            session=session,
            plan=plan,
            data=MetricCreate(
                code=code,
                name=f"Minutes on hold ({code})",
                unit="minutes",
                direction="lower",
                target=TargetIn(value=10, comparator="at_most", label="10 minutes or less"),
            ),  # type: ignore[call-arg]
            actor=SYSTEM,
        )
        metrics.record_measurement(
            session=session,
            metric=metric,
            data=MeasurementIn(period=dt.date(2025, 1, 1), value=value),
            actor=SYSTEM,
            today=TODAY,
        )
    session.commit()
    return plan


def _facts(nodes: list[StrategyNode]) -> dict[str, tuple[object, ...]]:
    return {
        n.strategy.code: (
            n.steps_total,
            n.steps_done,
            n.progress,
            n.progress_source,
            n.status,
            n.department.code if n.department else None,
            n.phase.code if n.phase else None,
            tuple(n.goal_codes),
        )
        for n in nodes
    }


def _orm_nodes(session: Session, plan: Plan, tree: PlanTree) -> list[StrategyNode]:
    """The strategies rolled up as my work, the review and the plan list do: ORM objects."""
    live = session.exec(
        select(Strategy)
        .where(Strategy.plan_id == plan.id, col(Strategy.archived_at).is_(None))
        .order_by(Strategy.position, Strategy.id)
    ).all()
    return build_strategy_nodes(
        session,
        list(live),
        departments=tree.departments,
        phases={p.id: p for p in tree.phases},  # type: ignore[misc]
        goal_codes={g.id: g.code for g in tree.goals},  # type: ignore[misc]
        today=TODAY,
        now=NOW,
    )


class TestRollupsAgree:
    def test_outline_tree_and_orm_nodes_roll_every_strategy_up_alike(
        self, session: Session, edgy: Plan
    ) -> None:
        tree = load_plan_tree(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        outline = load_plan_outline(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        orm = _facts(_orm_nodes(session, edgy, tree))
        assert _facts(outline.strategies) == _facts(tree.strategies) == orm
        # What those are, so the agreement is not one of three wrong answers:
        # 1.3: First (done), Second, its parts a (done) and b; Dropped and its part not counted.
        assert orm["1.3"][:4] == (4, 2, 50, "steps")
        assert orm["1.1"][:4] == (2, 0, 0, "steps")
        assert orm["9.1"][:4] == (0, 0, 40, "entered")
        assert orm["1.1"][4].code == "overdue"  # ended 2024-12-31, not complete
        assert "1.4" not in orm  # archived: out of every roll-up

    def test_focus_area_and_plan_rollups_are_the_same_both_ways(
        self, session: Session, edgy: Plan
    ) -> None:
        tree = load_plan_tree(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        outline = load_plan_outline(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        assert [fa.rollup for fa in outline.focus_areas] == [fa.rollup for fa in tree.focus_areas]
        assert outline.rollup == tree.rollup
        assert tree.rollup.total == 4  # 1.1, 1.2, 1.3 and 9.1 (in no focus area)
        assert tree.rollup.mean_progress == rollup._round_half_up((0 + 0 + 50 + 40) / 4)
        access = tree.focus_areas[0].rollup
        assert (access.total, access.headline, access.culprits) == (3, "overdue", ("1.1",))

    def test_metric_statuses_are_the_ones_the_scorecard_path_computes(
        self, session: Session, edgy: Plan
    ) -> None:
        tree = load_plan_tree(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        live = session.exec(
            select(Metric).where(Metric.plan_id == edgy.id).order_by(Metric.position, Metric.id)
        ).all()
        orm = build_metric_nodes(session, list(live), departments=tree.departments, today=TODAY)  # type: ignore[arg-type]
        assert [(m.metric.code, m.status) for m in tree.metrics] == [
            (m.metric.code, m.status) for m in orm
        ]
        by_code = {m.metric.code: m for m in tree.metrics}
        # Lower is better, at most 10 minutes: 9 is met, 10.3 misses within 5% of 10.
        assert by_code["WAIT"].status.code == "on_track"
        assert by_code["HOLD"].status.code == "at_risk"
        assert by_code["FCR"].status.code == "at_risk"  # 83% against 85% or higher
        assert by_code["HOLD"].target_in_force.label == "10 minutes or less"

    def test_the_outline_counts_what_it_does_not_load(self, session: Session, edgy: Plan) -> None:
        tree = load_plan_tree(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        outline = load_plan_outline(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        assert outline.outline and not tree.outline
        assert (outline.metric_count, outline.quick_win_count) == (3, 2)
        assert (tree.metric_count, tree.quick_win_count) == (len(tree.metrics), 2)
        assert outline.metrics == [] and all(n.steps == [] for n in outline.strategies)


class TestStrategiesInNoFocusArea:
    def test_they_are_in_the_tree_after_those_of_the_focus_areas(
        self, session: Session, edgy: Plan
    ) -> None:
        for tree in (
            load_plan_tree(session=session, plan=edgy, internal=True, today=TODAY, now=NOW),
            load_plan_outline(session=session, plan=edgy, internal=True, today=TODAY, now=NOW),
        ):
            assert [n.strategy.code for n in tree.unplaced] == ["9.1"]
            assert [n.strategy.code for n in tree.strategies] == ["1.1", "1.2", "1.3", "9.1"]

    def test_a_strategy_whose_focus_area_is_archived_is_not_lost(
        self, session: Session, edgy: Plan
    ) -> None:
        tools = session.exec(select(FocusArea).where(FocusArea.code == "2")).one()
        moved = _strategy(session, edgy, "2.1", focus_area_id=tools.id)
        tools.archived_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        session.commit()
        tree = load_plan_tree(session=session, plan=edgy, internal=True, today=TODAY, now=NOW)
        assert [fa.focus_area.code for fa in tree.focus_areas] == ["1"]
        assert [n.strategy.code for n in tree.unplaced] == ["9.1", moved.code]


class TestPlanStamp:
    def test_the_same_plan_at_the_same_moment_has_the_same_stamp(
        self, session: Session, edgy: Plan
    ) -> None:
        assert plan_stamp(session=session, plan=edgy, now=NOW) == plan_stamp(
            session=session, plan=edgy, now=NOW
        )

    def test_an_accepted_change_gives_a_new_stamp(self, session: Session, edgy: Plan) -> None:
        before = plan_stamp(session=session, plan=edgy, now=NOW)
        step = session.exec(select(WorkplanStep).where(WorkplanStep.title == "Second")).one()
        _done(session, step)
        session.commit()
        assert plan_stamp(session=session, plan=edgy, now=NOW) != before

    def test_a_strategy_turning_stale_within_a_day_gives_a_new_stamp(
        self, session: Session, edgy: Plan
    ) -> None:
        loose = session.exec(select(Strategy).where(Strategy.code == "9.1")).one()
        assert loose.last_update_at is not None
        updated = loose.last_update_at.replace(tzinfo=dt.UTC)
        # Cadence 30 days: stale once 31 whole days have passed, at the hour it was updated.
        just_before = updated + dt.timedelta(days=31) - dt.timedelta(minutes=1)
        just_after = updated + dt.timedelta(days=31) + dt.timedelta(minutes=1)
        day = just_after.date()  # the same date both times: only the hour differs
        stamps = [
            plan_stamp(session=session, plan=edgy, today=day, now=moment)
            for moment in (just_before, just_after)
        ]
        assert stamps[0] != stamps[1]
        assert (
            load_plan_tree(session=session, plan=edgy, internal=True, now=just_after)
            .unplaced[0]
            .status.code
            == "stale"
        )
