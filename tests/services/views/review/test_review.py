"""services.views.review.focus_areas: every focus area across an organisation's plans, in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app.models import Plan, Strategy, User
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategies import record_strategy_progress
from app.services.errors import NotAuthenticated, NotFound, PermissionDenied
from app.services.plan_file.importing import import_plan_text
from app.services.views.review import focus_areas as review
from app.services.views.review import narratives as focus_area_history
from tests.factories import back_dated_progress, begin_strategy, make_person, make_tiny_plan

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _now_as_the_test_begins() -> None:
    """Now as each test begins, not as the module was collected: a run that crosses midnight
    (UTC) would otherwise compare yesterday's date with the review's."""
    global NOW, TODAY
    NOW = dt.datetime.now(dt.UTC)
    TODAY = NOW.date()


# A department's own plan in the tiny plan's organisation: the Contact Centre's, whose strategies
# without an owner of their own are the Contact Centre's; metrics measure a goal, a strategy and
# a focus area.
CC_PLAN = """\
format: plantrack/1
organization: {name: City of Testville, slug: testville}
departments:
  - {code: CC, name: Contact Centre}
  - {code: PW, name: Public Works}
plan:
  slug: testville-cc
  title: Contact Centre Plan
  owning_department: CC
  terminology: {focus_area: Pillar, focus_areas: Pillars, strategy: Action, strategies: Actions}
focus_areas:
  - code: A
    title: Answering
    goals:
      - {code: GA, title: Answer fast}
    strategies:
      - {code: A.1, title: Staff the phones, term: short, status: on_track, progress: 40}
      - {code: A.2, title: New IVR, term: long, department: PW, status: off_track, progress: 10}
  - code: B
    title: Backlog
    strategies:
      - {code: B.1, title: Clear the backlog, term: short, department: CC, planned_end: 2024-Q1}
metrics:
  - code: SPD
    name: Speed of answer
    measures: {goal: GA}
    unit: minutes
    direction: lower
    targets: [{value: 2, comparator: at_most}]
    measurements: [{period: 2025-01-01, value: 5}]
  - code: IVR
    name: IVR containment
    measures: {strategy: A.2}
    unit: percent
    direction: higher
    targets: [{value: 40, comparator: at_least}]
    measurements: [{period: 2025-01-01, value: 39}]
  - code: BK
    name: Backlog size
    measures: {focus_area: B}
    unit: count
    direction: lower
    targets: [{value: 100, comparator: at_most}]
    measurements: [{period: 2025-01-01, value: 80}]
"""


def strategy(session: Session, code: str) -> Strategy:
    return session.exec(select(Strategy).where(Strategy.code == code)).one()


def old_update(session: Session, item: Strategy, days: int, actor: User) -> None:
    back_dated_progress(
        session,
        item,
        at=NOW - dt.timedelta(days=days),
        actor_name="Old Hand",
        actor_id=actor.id,
        note="an older update",
    )


@pytest.fixture
def plans(session: Session) -> list[Plan]:
    tiny = make_tiny_plan(session)
    cc = import_plan_text(session=session, text=CC_PLAN, source="cc.yaml")
    session.commit()
    return [tiny, cc]


@pytest.fixture
def coordinator(session: Session, plans: list[Plan]) -> User:
    return make_person(session, "coord", "coordinator")


def load(session: Session, user: User, **filters: object) -> review.Review:
    since = filters.pop("since", review.default_since(TODAY))
    return review.load_review(
        session=session,
        user=user,
        now=NOW,
        filters=review.ReviewFilters(since=since, **filters),  # type: ignore[arg-type]
    )


def by_title(result: review.Review) -> dict[str, review.ReviewRow]:
    return {r.focus_area.title: r for r in result.rows}


class TestRows:
    def test_every_focus_area_of_the_organisations_plans_in_plan_order(
        self, session: Session, coordinator: User
    ) -> None:
        result = load(session, coordinator)
        assert [(r.plan.title, r.focus_area.title) for r in result.rows] == [
            ("Contact Centre Plan", "Answering"),
            ("Contact Centre Plan", "Backlog"),
            ("Testville Customer Service Plan", "Access"),
            ("Testville Customer Service Plan", "Tools"),
        ]
        rows = by_title(result)
        assert rows["Answering"].plan_department is not None
        assert rows["Answering"].plan_department.code == "CC"
        assert rows["Access"].plan_department is None

    def test_roll_up_stale_overdue_and_off_target(
        self, session: Session, coordinator: User
    ) -> None:
        rows = by_title(load(session, coordinator))
        answering = rows["Answering"]
        assert answering.rollup.headline == "off_track"
        assert answering.rollup.why == "1 of 2 actions is off track: A.2"
        assert answering.rollup.mean_progress == 25
        # SPD measures goal GA of this pillar (off track), IVR its action A.2 (at risk).
        assert sorted(m.metric.code for m in answering.off_target) == ["IVR", "SPD"]
        assert rows["Backlog"].overdue == 1 and rows["Backlog"].off_target == []
        assert rows["Access"].overdue == 1
        assert rows["Tools"].rollup.headline == "no_data"

    def test_last_update_and_changes_since(self, session: Session, coordinator: User) -> None:
        old_update(session, strategy(session, "B.1"), 12, coordinator)
        record_strategy_progress(
            session=session,
            strategy=strategy(session, "A.1"),
            actor=Actor(user=coordinator),
            data=ProgressUpdateIn(version=1, progress=50, note="weekly"),
        )
        session.commit()
        rows = by_title(load(session, coordinator))
        assert rows["Answering"].changes_since == 1
        assert rows["Answering"].last_update is not None
        assert rows["Answering"].last_update.date() == TODAY
        assert rows["Backlog"].changes_since == 1
        assert rows["Backlog"].last_update.date() == TODAY - dt.timedelta(days=12)
        assert rows["Access"].last_update is None and rows["Access"].changes_since == 0
        recent = by_title(load(session, coordinator, since=TODAY - dt.timedelta(days=10)))
        assert recent["Backlog"].changes_since == 0
        assert recent["Backlog"].last_update == rows["Backlog"].last_update
        assert recent["Answering"].changes_since == 1

    def test_step_changes_count_for_their_focus_area(
        self, session: Session, coordinator: User
    ) -> None:
        from app.models import WorkplanStep
        from app.services.changes.strategies import set_step_done

        admin = make_person(session, "root", "admin")
        step = session.exec(select(WorkplanStep).where(WorkplanStep.parent_id.is_(None))).first()  # type: ignore[union-attr]
        assert step is not None
        begin_strategy(session, step.strategy_id)  # Not started with progress is refused
        set_step_done(
            session=session, step=step, version=step.version, done=True, actor=Actor(user=admin)
        )
        session.commit()
        rows = by_title(load(session, coordinator))
        assert rows["Access"].changes_since == 2  # the status, and the step ticked
        assert rows["Access"].last_update is not None


class TestFilters:
    def test_department_counts_its_own_and_its_plans_unowned_strategies(
        self, session: Session, coordinator: User
    ) -> None:
        rows = by_title(load(session, coordinator, department="CC"))
        assert set(rows) == {"Answering", "Backlog", "Access"}  # Tools has none
        assert [n.strategy.code for n in rows["Answering"].strategies] == ["A.1"]
        assert rows["Answering"].rollup.headline == "on_track"
        # IVR measures A.2, which is Public Works' and not shown: only the goal's metric counts.
        assert [m.metric.code for m in rows["Answering"].off_target] == ["SPD"]
        assert [n.strategy.code for n in rows["Access"].strategies] == ["1.1"]
        pw = by_title(load(session, coordinator, department="PW"))
        assert {t: [n.strategy.code for n in r.strategies] for t, r in pw.items()} == {
            "Answering": ["A.2"],
            "Access": ["1.2"],
        }

    def test_plan_term_and_status(self, session: Session, coordinator: User) -> None:
        assert set(by_title(load(session, coordinator, plan="testville-cc"))) == {
            "Answering",
            "Backlog",
        }
        long_term = by_title(load(session, coordinator, term="long"))
        assert {t: [n.strategy.code for n in r.strategies] for t, r in long_term.items()} == {
            "Answering": ["A.2"],
            "Access": ["1.2"],
        }
        assert set(by_title(load(session, coordinator, status="overdue"))) == {"Backlog", "Access"}

    def test_an_unknown_department_is_no_filter(self, session: Session, coordinator: User) -> None:
        result = load(session, coordinator, department="NOPE")
        assert len(result.rows) == 4 and result.filters.department == ""


class TestAccess:
    def test_only_coordinators_and_admins(self, session: Session, plans: list[Plan]) -> None:
        with pytest.raises(NotAuthenticated):
            review.require_reviewer(None)
        for role in ("viewer", "lead"):
            user = make_person(session, f"u-{role}", role, department="CC")
            with pytest.raises(PermissionDenied, match="coordinators and administrators"):
                review.require_reviewer(user)

    def test_another_organisations_plans_are_not_reviewed(self, session: Session) -> None:
        make_tiny_plan(session)
        other = import_plan_text(
            session=session,
            source="o.yaml",
            text=CC_PLAN.replace(
                "{name: City of Testville, slug: testville}", "{name: Elsewhere, slug: elsewhere}"
            ),
        )
        session.commit()
        outsider = make_person(session, "far", "coordinator", organization="elsewhere")
        result = load(session, outsider)
        assert {r.plan.slug for r in result.rows} == {other.slug}
        tiny_fa = by_title(load(session, make_person(session, "c", "coordinator")))["Access"]
        with pytest.raises(NotFound):
            focus_area_history.load_focus_area_history(
                session=session, user=outsider, focus_area_id=tiny_fa.focus_area.id, since=None
            )


class TestHistory:
    def test_progress_updates_newest_first_since_a_date(
        self, session: Session, coordinator: User
    ) -> None:
        a1, a2 = strategy(session, "A.1"), strategy(session, "A.2")
        old_update(session, a2, 45, coordinator)
        record_strategy_progress(
            session=session,
            strategy=a1,
            actor=Actor(user=coordinator),
            data=ProgressUpdateIn(
                version=1, status="at_risk", narrative="short of staff", note="hiring"
            ),
        )
        session.commit()
        fa_id = a1.focus_area_id
        assert fa_id is not None
        recent = focus_area_history.load_focus_area_history(
            session=session,
            user=coordinator,
            focus_area_id=fa_id,
            since=review.default_since(TODAY),
            now=NOW,
        )
        assert [i.entry.subject_id for i in recent.items] == [a1.id]
        item = recent.items[0]
        assert item.value("status") == "at_risk" and item.before("status") == "on_track"
        assert item.value("narrative") == "short of staff"
        assert item.entry.note == "hiring" and item.entry.actor_name == "Coord"
        everything = focus_area_history.load_focus_area_history(
            session=session, user=coordinator, focus_area_id=fa_id, since=None, now=NOW
        )
        assert [i.entry.subject_id for i in everything.items] == [a1.id, a2.id]
        assert [n.strategy.code for n in everything.strategies] == ["A.1", "A.2"]


def _city(name: str, areas: int, per_area: int) -> str:
    blocks = []
    for a in range(areas):
        strategies = "\n".join(
            f"      - {{code: '{a}.{s}', title: Work {a}.{s}, department: D{s % 3}, "
            f"term: short, steps: [{{title: Step}}]}}"
            for s in range(per_area)
        )
        blocks.append(f"  - code: '{a}'\n    title: Area {a}\n    strategies:\n{strategies}")
    metrics = "\n".join(
        f"  - {{code: M{a}, name: Metric {a}, measures: {{focus_area: '{a}'}}, unit: count, "
        f"direction: lower, targets: [{{value: 1, comparator: at_most}}], "
        f"measurements: [{{period: 2025-01-01, value: 5}}]}}"
        for a in range(areas)
    )
    return (
        f"format: plantrack/1\norganization: {{name: {name}, slug: {name}}}\n"
        "departments: [{code: D0, name: D0}, {code: D1, name: D1}, {code: D2, name: D2}]\n"
        f"plan: {{slug: {name}-plan, title: {name} plan}}\n"
        f"focus_areas:\n" + "\n".join(blocks) + f"\nmetrics:\n{metrics}\n"
    )


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_database_work_does_not_grow_with_the_organisation(session: Session) -> None:
    counts = []
    for name, plans, areas, per_area in (("smallville", 1, 2, 2), ("bigville", 4, 6, 5)):
        for n in range(plans):
            text = _city(name, areas, per_area).replace(f"{name}-plan", f"{name}-plan-{n}")
            import_plan_text(session=session, text=text, source=f"{name}{n}.yaml")
        session.commit()
        user = make_person(session, f"{name}-coord", "coordinator", organization=name)
        admin = make_person(session, f"{name}-admin", "admin", organization=name)
        for item in session.exec(
            select(Strategy).join(Plan).where(Plan.slug.startswith(name))
        ).all():  # type: ignore[attr-defined]
            record_strategy_progress(
                session=session,
                strategy=item,
                actor=Actor(user=admin),
                data=ProgressUpdateIn(version=item.version, status="on_track"),
            )
        session.commit()
        session.expire_all()
        with counted(session) as statements:
            result = load(session, user)
        assert len(result.rows) == plans * areas
        assert all(r.changes_since == per_area and len(r.off_target) == 1 for r in result.rows)
        fa_id = result.rows[-1].focus_area.id
        session.expire_all()
        with counted(session) as history_statements:
            history = focus_area_history.load_focus_area_history(
                session=session, user=user, focus_area_id=fa_id, since=None, now=NOW
            )
        assert len(history.items) == per_area
        counts.append((len(statements), len(history_statements)))
    assert counts[0] == counts[1]


# Edge cases for the review's roll-ups from columns and counts, against the whole-object path
# (app.services.reading.node_builders) that every other page rolls up with.
EDGES = """\
format: plantrack/1
organization: {name: Edgeville, slug: edgeville}
plan: {slug: edges, title: Edges}
focus_areas:
  - code: E
    title: Empty
  - code: S
    title: Steps
    strategies:
      - {code: S.1, title: No steps, status: on_track, progress: 37}
      - code: S.2
        title: Steps and sub-steps
        status: at_risk
        progress: 90
        steps:
          - {title: One, done_on: 2024-01-02}
          - title: Two
            steps:
              - {title: Two a, done_on: 2024-01-03}
              - {title: Two b}
          - title: Archived, with a live sub-step
            steps: [{title: Orphan, done_on: 2024-01-04}]
          - {title: Archived itself, done_on: 2024-01-05}
      - code: S.3
        title: All done
        status: complete
        steps: [{title: Only, done_on: 2024-01-02}]
      - {code: S.4, title: Late, status: on_track, planned_end: 2020-Q1}
      - {code: S.5, title: Complete, status: complete, progress: 100, planned_end: 2020-Q1}
      - {code: S.6, title: Never updated, planned_start: 2020-Q1}
  - code: M
    title: Metrics
    goals: [{code: G, title: A goal}]
    strategies:
      - {code: M.1, title: Measured, status: on_hold}
metrics:
  - {code: ND, name: No data, measures: {focus_area: M}, unit: count, direction: lower,
     targets: [{value: 5, comparator: at_most}]}
  - {code: LW, name: Lower within, measures: {goal: G}, unit: minutes, direction: lower,
     targets: [{value: 10, comparator: at_most}], measurements: [{period: 2025-01-01, value: 10.4}]}
  - {code: LB, name: Lower beyond, measures: {strategy: M.1}, unit: minutes, direction: lower,
     tolerance: 1, targets: [{value: 10, comparator: below}],
     measurements: [{period: 2024-01-01, value: 5}, {period: 2025-01-01, value: 12}]}
  - {code: RV, name: Revised, measures: {focus_area: M}, unit: percent, direction: higher,
     targets: [{value: 50, comparator: at_least}, {value: 90, comparator: at_least,
     effective_from: 2025-01-01}],
     measurements: [{period: 2024-06-01, value: 60}, {period: 2025-06-01, value: 60}]}
  - {code: NT, name: No target yet, measures: {focus_area: M}, unit: count, direction: higher,
     targets: [{value: 1, comparator: at_least, effective_from: 2026-01-01}],
     measurements: [{period: 2025-01-01, value: 0}]}
  - {code: EX, name: Exactly or better, measures: {focus_area: M}, unit: count, direction: lower,
     targets: [{value: 3, comparator: exactly}], measurements: [{period: 2025-01-01, value: 2}]}
"""


def test_roll_ups_from_counts_match_the_whole_object_path(session: Session) -> None:
    from app.models import Metric, WorkplanStep
    from app.services.reading.node_builders import build_metric_nodes, build_strategy_nodes

    plan = import_plan_text(session=session, text=EDGES, source="edges.yaml")
    session.commit()
    for title in ("Archived, with a live sub-step", "Archived itself"):
        step = session.exec(select(WorkplanStep).where(WorkplanStep.title == title)).one()
        step.archived_at = NOW
    session.commit()
    user = make_person(session, "edge-coord", "coordinator", organization="edgeville")
    rows = by_title(load(session, user))

    # The old path: every strategy and metric as objects, rolled up by plan_nodes.
    strategies = session.exec(
        select(Strategy).where(Strategy.plan_id == plan.id).order_by(Strategy.position)
    ).all()
    nodes = build_strategy_nodes(
        session, list(strategies), departments={}, phases={}, goal_codes={}, today=TODAY, now=NOW
    )
    for title, codes in (("Steps", "S"), ("Metrics", "M")):
        own = [n for n in nodes if n.strategy.code.startswith(codes)]
        expected = review.rollup.rollup_group(
            items=[n.rollup_input for n in own], noun="strategies"
        )
        assert rows[title].rollup == expected
        got = {
            n.strategy.code: (n.steps_total, n.steps_done, n.progress, n.status)
            for n in rows[title].strategies
        }
        assert got == {
            n.strategy.code: (n.steps_total, n.steps_done, n.progress, n.status) for n in own
        }
    steps = {
        n.strategy.code: (n.steps_done, n.steps_total, n.progress) for n in rows["Steps"].strategies
    }
    # Archived steps and the sub-step of an archived step do not count.
    assert steps == {
        "S.1": (0, 0, 37),
        "S.2": (2, 4, 50),
        "S.3": (1, 1, 100),
        "S.4": (0, 0, 0),
        "S.5": (0, 0, 100),
        "S.6": (0, 0, 0),
    }
    assert [n.status.code for n in rows["Steps"].strategies] == [
        "on_track",
        "at_risk",
        "complete",  # all done: 100% is complete (app.services.changes.strategy_progress)
        "overdue",
        "complete",
        "stale",
    ]
    assert rows["Empty"].rollup.headline == "no_data" and rows["Empty"].strategies == []

    metrics = session.exec(select(Metric).where(Metric.plan_id == plan.id)).all()
    old = {
        n.metric.code: n.status
        for n in build_metric_nodes(session, list(metrics), departments={}, today=TODAY)
    }
    assert {c: s.code for c, s in old.items()} == {
        "ND": "no_data",
        "LW": "at_risk",
        "LB": "off_track",
        "RV": "off_track",
        "NT": "no_target",
        "EX": "on_track",
    }
    # Off target: at risk or off track, each with the reason the whole-object path gives.
    listed = {m.metric.code: m.status for m in rows["Metrics"].off_target}
    assert listed == {code: old[code] for code in ("LW", "LB", "RV")}
    assert rows["Steps"].off_target == [] and rows["Empty"].off_target == []


def many_off_target_plan(at_risk: int, off_track: int) -> str:
    """A plan whose one focus area has `at_risk` metrics just under target, then `off_track`
    far under it (in that order in the plan)."""
    lines = [
        "format: plantrack/1",
        "organization: {name: Manyville, slug: manyville}",
        "plan: {slug: many, title: Many metrics}",
        "focus_areas: [{code: A, title: Answering}]",
        "metrics:",
    ]
    values = [87] * at_risk + [50] * off_track
    for n, value in enumerate(values, start=1):
        lines.append(
            f"  - {{code: M{n}, name: Metric {n}, measures: {{focus_area: A}}, unit: percent, "
            "direction: higher, tolerance: 5, targets: [{value: 90, comparator: at_least}], "
            f"measurements: [{{period: 2025-01-01, value: {value}}}]}}"
        )
    return "\n".join(lines) + "\n"


def test_a_row_words_its_worst_off_target_metrics_and_counts_them_all(session: Session) -> None:
    import_plan_text(session=session, text=many_off_target_plan(4, 4), source="many.yaml")
    session.commit()
    user = make_person(session, "many-coord", "coordinator", organization="manyville")
    (row,) = load(session, user).rows
    assert row.off_target_count == 8
    assert len(row.off_target) == review.OFF_TARGET_LISTED == 5
    # Off track first (in the plan's order), then the first at-risk one.
    assert [(m.metric.code, m.status.code) for m in row.off_target] == [
        ("M5", "off_track"),
        ("M6", "off_track"),
        ("M7", "off_track"),
        ("M8", "off_track"),
        ("M1", "at_risk"),
    ]
    assert "90" in row.off_target[0].status.reason  # worded with its reason
