"""Strategies in no focus area travel in the plan file's top-level `strategies` list, and an
export leaves out nothing live: a plan built through the services, exported and imported into a
fresh database, exports to the same file and holds as many rows of every kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from app.models import (
    Department,
    FocusArea,
    Goal,
    Journey,
    Measurement,
    Metric,
    MetricTarget,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    StrategyGoal,
    WorkplanStep,
)
from app.models.enums import QuickWinStatus, StrategyStatus, Term, Unit
from app.models.metric import MeasurementIn, MetricCreate, TargetIn
from app.models.quick_win import QuickWinCreate, QuickWinProgressIn
from app.models.strategy import ProgressUpdateIn, StepCreate, StrategyCreate
from app.services.changes import metrics as metric_service
from app.services.changes import quick_wins as quick_win_service
from app.services.changes import strategies as strategy_service
from app.services.changes.history import SYSTEM
from app.services.plan_file.exporting import export_plan_text
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError
from tests.factories import TINY_PLAN, make_tiny_plan

# TINY_PLAN with a strategy in no focus area, and a metric that measures it.
UNPLACED = """\
strategies:
  - code: "9.1"
    title: Answer every email
    term: short
    priority: 2
    department: CC
    leads: [Contact centre manager]
    phase: "1"
    goals: [G1]
    planned_start: 2024-Q2
    planned_end: 2025-Q1
    status: on_track
    progress: 40
    narrative: Half the inbox is answered within a day.
    update_cadence_days: 14
    steps:
      - title: Set up a shared inbox
        completion_measure: Inbox live
        owner: IT
        due: 2024-06-30
        done_on: 2024-06-15
        steps:
          - {title: Choose the software, done_on: 2024-05-01}
      - title: Train staff
metrics:
  - code: EMAIL
    name: Emails answered within a day
    measures: {strategy: "9.1"}
    unit: percent
    direction: higher
"""


def _with_unplaced(*changes: tuple[str, str]) -> str:
    """TINY_PLAN with UNPLACED (changed as given) before its metrics."""
    unplaced = UNPLACED
    for old, new in changes:
        assert unplaced.count(old) == 1, old
        unplaced = unplaced.replace(old, new)
    return TINY_PLAN.replace("metrics:\n", unplaced, 1)


PLAN_WITH_UNPLACED = _with_unplaced()


def _export_into_fresh_database(
    text: str, slug: str, request: pytest.FixtureRequest
) -> tuple[str, Callable[[], Session]]:
    """Import `text` into a new database and export it again; the new database's sessions."""
    from app.db import get_engine
    from tests.conftest import _point_app_at, new_database_url

    _point_app_at(new_database_url(request, request.getfixturevalue("template_database")))
    with Session(get_engine()) as other:
        import_plan_text(session=other, text=text, source="first-export.yaml")
        other.commit()
        again = export_plan_text(session=other, slug=slug)
    return again, lambda: Session(get_engine())


def test_top_level_strategies_are_stored_outside_any_focus_area(session: Session) -> None:
    plan = make_tiny_plan(session, PLAN_WITH_UNPLACED)
    s = session.exec(select(Strategy).where(Strategy.code == "9.1")).scalars().one()
    assert s.plan_id == plan.id and s.focus_area_id is None
    assert (s.term, s.priority, s.leads, s.status, s.progress, s.update_cadence_days) == (
        "short",
        2,
        ["Contact centre manager"],
        "on_track",
        40,
        14,
    )
    assert (s.planned_start, s.planned_end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    dept = session.get(Department, s.department_id)
    phase = session.get(Phase, s.phase_id)
    assert dept is not None and dept.code == "CC" and phase is not None and phase.code == "1"
    goal_codes = session.exec(
        select(Goal.code).join(StrategyGoal).where(StrategyGoal.strategy_id == s.id)
    ).all()
    assert [code for (code,) in goal_codes] == ["G1"]
    steps = (
        session.exec(
            select(WorkplanStep)
            .where(WorkplanStep.strategy_id == s.id)
            .order_by(WorkplanStep.parent_id.is_not(None), WorkplanStep.position)  # type: ignore[union-attr]
        )
        .scalars()
        .all()
    )
    assert [(st.title, st.parent_id is not None) for st in steps] == [
        ("Set up a shared inbox", False),
        ("Train staff", False),
        ("Choose the software", True),
    ]
    metric = session.exec(select(Metric).where(Metric.code == "EMAIL")).scalars().one()
    assert metric.strategy_id == s.id
    # It comes after the strategies of the focus areas.
    positions = session.exec(select(Strategy.code).order_by(Strategy.position)).all()
    assert [code for (code,) in positions] == ["1.1", "1.2", "9.1"]


def test_top_level_strategies_round_trip(session: Session, request: pytest.FixtureRequest) -> None:
    make_tiny_plan(session, PLAN_WITH_UNPLACED)
    first = export_plan_text(session=session, slug="testville-service")
    data = yaml.safe_load(first)
    assert [s["code"] for s in data["strategies"]] == ["9.1"]
    assert data["strategies"][0]["goals"] == ["G1"]
    assert data["strategies"][0]["planned_start"] == "2024-Q2"
    assert [len(s["steps"]) for s in data["strategies"]] == [2]
    assert [s["code"] for s in data["focus_areas"][0]["strategies"]] == ["1.1", "1.2"]
    assert data["metrics"][0]["measures"] == {"strategy": "9.1"}
    # The list sits between focus_areas and metrics, as the format's key order says.
    keys = list(data)
    assert keys.index("focus_areas") < keys.index("strategies") < keys.index("metrics")
    second, _ = _export_into_fresh_database(first, "testville-service", request)
    assert second == first


def test_no_strategies_key_when_every_strategy_is_in_a_focus_area(session: Session) -> None:
    make_tiny_plan(session)
    exported = export_plan_text(session=session, slug="testville-service")
    assert "strategies" not in yaml.safe_load(exported)
    assert "\nstrategies:" not in exported


def _refused(session: Session, text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        import_plan_text(session=session, text=text, source="broken.yaml")
    session.rollback()
    assert session.execute(select(func.count()).select_from(Strategy)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == 0
    return str(caught.value).splitlines()


def _line(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_bad_term_in_a_top_level_strategy_names_line_and_field(session: Session) -> None:
    text = _with_unplaced(("term: short", "term: someday"))
    assert _refused(session, text) == [
        f"broken.yaml:{_line(text, '    term: someday')}: "
        "strategies[0].term: must be one of short, long, future"
    ]


def test_top_level_strategies_are_cross_checked(session: Session) -> None:
    text = _with_unplaced(
        ('code: "9.1"', 'code: "1.2"'),
        ("goals: [G1]", "goals: [G9]"),
        ('phase: "1"', 'phase: "7"'),
        ("department: CC", "department: XX"),
        ("planned_end: 2025-Q1", "planned_end: 2023-Q4"),
    )
    messages = _refused(session, text)
    expected = [
        (_line(text, '  - code: "1.2"'), "strategies[0].code: strategy code '1.2' is used more"),
        (_line(text, "    department: XX"), "strategies[0].department: unknown department 'XX'"),
        (_line(text, '    phase: "7"'), "strategies[0].phase: unknown phase '7'"),
        (_line(text, "    goals: [G9]"), "strategies[0].goals[0]: unknown goal 'G9'"),
        (_line(text, "    planned_end: 2023-Q4"), "strategies[0].planned_end: 2023-Q4 is before"),
        (
            _line(text, '    measures: {strategy: "9.1"}'),
            "metrics[0].measures.strategy: unknown strategy '9.1'",
        ),
    ]
    for line, start in expected:
        assert any(m.startswith(f"broken.yaml:{line}: {start}") for m in messages), (
            start,
            messages,
        )
    # The clash is reported where the focus area's strategy is written too.
    assert any("focus_areas[0].strategies[1].code: strategy code '1.2'" in m for m in messages)


def test_quarters_of_a_top_level_strategy_follow_the_schedule(session: Session) -> None:
    text = _with_unplaced(("planned_start: 2024-Q2", "planned_start: Y1 Q2"))
    (message,) = _refused(session, text)
    assert message.startswith(
        f"broken.yaml:{_line(text, '    planned_start: Y1 Q2')}: strategies[0].planned_start: "
        "must be written like '2019-Q2' on a calendar schedule"
    )


def test_a_strategy_may_support_a_goal_of_a_later_focus_area(session: Session) -> None:
    text = TINY_PLAN.replace(
        '  - code: "2"\n    title: Tools\n',
        '  - code: "2"\n    title: Tools\n    goals:\n      - {code: G2, title: Better tools}\n',
    ).replace("        goals: [G1]\n", "        goals: [G1, G2]\n")
    make_tiny_plan(session, text)
    links = session.execute(select(func.count()).select_from(StrategyGoal)).scalar_one()
    assert links == 2


# --- a plan built through the services: nothing live is left out --------------------------------

BASE = TINY_PLAN.replace(
    '  - code: "2"\n    title: Tools\n',
    '  - code: "2"\n    title: Tools\n    goals:\n      - {code: G2, title: Better tools}\n',
)


def _id(session: Session, model: type, **where: object) -> int:
    query = select(model.id)  # type: ignore[attr-defined]
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.execute(query).scalar_one()


def _build_everything(session: Session) -> None:
    """Every kind of item, made the way people make them (services), plus the states an export
    must cope with: a strategy created in no focus area, a focus area archived under its strategy
    and goal, archived strategy / step / metric / measurement / quick win that must stay out."""
    plan = make_tiny_plan(session, BASE)
    plan_id = plan.id
    assert plan_id is not None
    cc = _id(session, Department, code="CC")
    phase = _id(session, Phase, plan_id=plan_id, code="1")
    g1 = _id(session, Goal, plan_id=plan_id, code="G1")
    g2 = _id(session, Goal, plan_id=plan_id, code="G2")
    fa1 = _id(session, FocusArea, plan_id=plan_id, code="1")
    fa2 = _id(session, FocusArea, plan_id=plan_id, code="2")
    statement = _id(session, Statement, plan_id=plan_id, code="1")

    def strategy(code: str, focus_area_id: int | None, goal_ids: list[int]) -> Strategy:
        return strategy_service.create_strategy(
            session=session,
            plan=plan,
            data=StrategyCreate(
                code=code,
                title=f"Strategy {code}",
                description="Made through the service.",
                focus_area_id=focus_area_id,
                department_id=cc,
                phase_id=phase,
                term=Term.long,
                priority=3,
                leads=["Director"],
                planned_start=dt.date(2024, 4, 1),
                planned_end=dt.date(2025, 6, 30),
                update_cadence_days=60,
                goal_ids=goal_ids,
            ),
            actor=SYSTEM,
        )

    loose = strategy("N.1", None, [g1, g2])
    moved = strategy("2.1", fa2, [g2])
    dropped = strategy("X.1", fa1, [g1])
    step = strategy_service.add_step(
        session=session,
        strategy=loose,
        data=StepCreate(title="Draft the policy", owner="Clerk", due=dt.date(2024, 9, 30)),
        actor=SYSTEM,
    )
    sub = strategy_service.add_step(
        session=session,
        strategy=loose,
        data=StepCreate(title="Collect examples", parent_id=step.id),
        actor=SYSTEM,
    )
    gone = strategy_service.add_step(
        session=session, strategy=loose, data=StepCreate(title="Abandoned"), actor=SYSTEM
    )
    session.flush()
    strategy_service.record_strategy_progress(  # begun: its steps can be ticked
        session=session,
        strategy=loose,
        data=ProgressUpdateIn(version=loose.version, status=StrategyStatus.on_track),
        actor=SYSTEM,
    )
    strategy_service.set_step_done(
        session=session, step=sub, version=sub.version, done=True, actor=SYSTEM
    )
    strategy_service.set_archived(
        session=session, item=gone, version=gone.version, archived=True, actor=SYSTEM
    )
    strategy_service.record_strategy_progress(
        session=session,
        strategy=moved,
        data=ProgressUpdateIn(
            version=moved.version,
            status=StrategyStatus.at_risk,
            progress=30,
            narrative="Waiting on the vendor.",
        ),
        actor=SYSTEM,
    )
    strategy_service.set_archived(
        session=session, item=dropped, version=dropped.version, archived=True, actor=SYSTEM
    )

    def metric(code: str, **measures: int) -> Metric:
        return metric_service.create_metric(
            session=session,
            plan=plan,
            data=MetricCreate(
                code=code,
                name=f"Metric {code}",
                unit=Unit.percent,
                direction="higher",
                department_id=cc,
                baseline_value=50,
                baseline_date=dt.date(2024, 1, 1),
                target=TargetIn(value=70, comparator="at_least", label="70% or more"),
                **measures,
            ),
            actor=SYSTEM,
        )

    measured = [
        metric("M-LOOSE", strategy_id=loose.id),  # type: ignore[arg-type]
        metric("M-MOVED", strategy_id=moved.id),  # type: ignore[arg-type]
        metric("M-GOAL", goal_id=g1),
        metric("M-GOAL2", goal_id=g2),
        metric("M-AREA", focus_area_id=fa1),
        metric("M-STD", statement_id=statement),
        metric("M-PLAN"),
    ]
    retired = metric("M-OLD")
    session.flush()
    for m in measured:
        metric_service.record_measurement(
            session=session,
            metric=m,
            data=MeasurementIn(period=dt.date(2024, 3, 1), value=55, note="first"),
            actor=SYSTEM,
        )
    metric_service.revise_target(
        session=session,
        metric=measured[0],
        version=measured[0].version,
        target=TargetIn(value=80, comparator="at_least", effective_from=dt.date(2025, 1, 1)),
        actor=SYSTEM,
    )
    metric_service.set_metric_archived(
        session=session, metric=retired, version=retired.version, archived=True, actor=SYSTEM
    )
    quick_win = quick_win_service.create_quick_win(
        session=session,
        plan=plan,
        data=QuickWinCreate(number=7, service_areas=["Library"], summary="Longer hours."),
        actor=SYSTEM,
    )
    quick_win_service.record_quick_win_progress(
        session=session,
        quick_win=quick_win,
        data=QuickWinProgressIn(
            version=quick_win.version, status=QuickWinStatus.in_progress, narrative="Pilot open."
        ),
        actor=SYSTEM,
    )
    old_win = quick_win_service.create_quick_win(
        session=session, plan=plan, data=QuickWinCreate(number=8), actor=SYSTEM
    )
    quick_win_service.set_quick_win_archived(
        session=session, quick_win=old_win, version=old_win.version, archived=True, actor=SYSTEM
    )
    # Focus areas are archived by administrators in the database (there is no API for it);
    # its strategy and goal stay live and now sit in no focus area.
    session.get(FocusArea, fa1).narrative = "Access is improving."  # type: ignore[union-attr]
    session.get(FocusArea, fa2).archived_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # type: ignore[union-attr]
    session.commit()


def _live_counts(session: Session) -> dict[str, int]:
    """Rows of each kind a plan's reader sees (archived rows and rows under them left out)."""
    parent = aliased(WorkplanStep)
    live_strategy = select(Strategy.id).where(col(Strategy.archived_at).is_(None))
    live_metric = select(Metric.id).where(col(Metric.archived_at).is_(None))
    live_goal = select(Goal.id).where(col(Goal.archived_at).is_(None))
    queries = {
        "department": select(func.count()).select_from(Department),
        "plan": select(func.count()).select_from(Plan),
        "statement": select(func.count()).select_from(Statement),
        "phase": select(func.count()).select_from(Phase),
        "focus_area": select(func.count())
        .select_from(FocusArea)
        .where(col(FocusArea.archived_at).is_(None)),
        "goal": select(func.count()).select_from(Goal).where(col(Goal.archived_at).is_(None)),
        "strategy": select(func.count()).select_from(live_strategy.subquery()),
        "strategy in no live focus area": select(func.count())
        .select_from(Strategy)
        .where(
            col(Strategy.archived_at).is_(None),
            col(Strategy.focus_area_id).is_(None)
            | col(Strategy.focus_area_id).in_(
                select(FocusArea.id).where(col(FocusArea.archived_at).is_not(None))
            ),
        ),
        "strategy goal": select(func.count())
        .select_from(StrategyGoal)
        .where(
            col(StrategyGoal.strategy_id).in_(live_strategy),
            col(StrategyGoal.goal_id).in_(live_goal),
        ),
        "workplan step": select(func.count())
        .select_from(WorkplanStep)
        .outerjoin(parent, col(parent.id) == WorkplanStep.parent_id)
        .where(
            col(WorkplanStep.archived_at).is_(None),
            col(parent.archived_at).is_(None),
            col(WorkplanStep.strategy_id).in_(live_strategy),
        ),
        "step done": select(func.count())
        .select_from(WorkplanStep)
        .where(col(WorkplanStep.archived_at).is_(None), col(WorkplanStep.done_on).is_not(None)),
        "metric": select(func.count()).select_from(live_metric.subquery()),
        "metric measuring something": select(func.count())
        .select_from(Metric)
        .where(
            col(Metric.archived_at).is_(None),
            (
                col(Metric.statement_id).is_not(None)
                | col(Metric.goal_id).is_not(None)
                | col(Metric.strategy_id).is_not(None)
                | col(Metric.focus_area_id).is_not(None)
            ),
        ),
        "metric target": select(func.count())
        .select_from(MetricTarget)
        .where(col(MetricTarget.metric_id).in_(live_metric)),
        "measurement": select(func.count())
        .select_from(Measurement)
        .where(col(Measurement.archived_at).is_(None), col(Measurement.metric_id).in_(live_metric)),
        "quick win": select(func.count())
        .select_from(QuickWin)
        .where(col(QuickWin.archived_at).is_(None)),
        "persona": select(func.count()).select_from(Persona),
        "journey": select(func.count()).select_from(Journey),
    }
    return {name: session.execute(query).scalar_one() for name, query in queries.items()}


def test_export_leaves_out_nothing_live(session: Session, request: pytest.FixtureRequest) -> None:
    _build_everything(session)
    before = _live_counts(session)
    assert before["strategy in no live focus area"] == 2  # N.1, and 2.1 of the archived area
    assert before["focus_area"] == 1 and before["metric"] == 8 and before["quick win"] == 3
    first = export_plan_text(session=session, slug="testville-service")
    data = yaml.safe_load(first)
    assert [s["code"] for s in data["strategies"]] == ["N.1", "2.1"]
    assert [f["code"] for f in data["focus_areas"]] == ["1"]
    assert [g["code"] for g in data["goals"]] == ["G1", "G2"]  # G2's focus area is archived
    loose, moved = data["strategies"]
    assert loose["goals"] == ["G1", "G2"] and loose["phase"] == "1" and loose["department"] == "CC"
    assert [s["title"] for s in loose["steps"]] == ["Draft the policy"]
    assert loose["steps"][0]["steps"][0]["title"] == "Collect examples"
    assert "done_on" in loose["steps"][0]["steps"][0]
    assert (moved["status"], moved["progress"], moved["narrative"]) == (
        "at_risk",
        30,
        "Waiting on the vendor.",
    )
    assert data["focus_areas"][0]["narrative"] == "Access is improving."
    assert data["quick_wins"][-1]["narrative"] == "Pilot open."
    assert {m["code"]: m.get("measures") for m in data["metrics"]} == {
        "FCR": {"statement": "1"},
        "M-LOOSE": {"strategy": "N.1"},
        "M-MOVED": {"strategy": "2.1"},
        "M-GOAL": {"goal": "G1"},
        "M-GOAL2": {"goal": "G2"},
        "M-AREA": {"focus_area": "1"},
        "M-STD": {"statement": "1"},
        "M-PLAN": None,
    }

    second, fresh = _export_into_fresh_database(first, "testville-service", request)
    assert second == first
    with fresh() as other:
        assert _live_counts(other) == before
