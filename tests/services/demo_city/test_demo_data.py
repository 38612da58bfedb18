"""The synthetic city: its size, that a seed always gives the same rows, that every row satisfies
the real schema's constraints, and that the pages' loader reads a generated plan."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session
from starlette.testclient import TestClient
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.db import get_engine
from app.models import (
    Department,
    HistoryEntry,
    Measurement,
    Metric,
    Organization,
    Plan,
    Strategy,
    User,
    WorkplanStep,
)
from app.models.base import metadata
from app.services.demo_city.generator import DemoCityExists, generate_demo_city
from app.services.demo_city.sizes import BASE, MONTHS_OF_MEASUREMENTS
from app.services.reading.plan_tree import get_plan, load_plan_tree
from tests.conftest import new_database_url
from tests.factories import app_under_test

TODAY = dt.date(2026, 3, 15)
SCALE = 0.05


def _generate(url: str | None = None, *, scale: float = SCALE, seed: int = 7):
    engine = create_engine(url) if url else get_engine()
    with Session(engine) as session:
        city = generate_demo_city(session=session, scale=scale, seed=seed, today=TODAY)
        session.commit()
    if url:
        engine.dispose()
    return city


def _count(session: Session, model: type, *where: object) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_counts_follow_the_scale(session: Session) -> None:
    city = _generate()
    expected = {
        "department": round(BASE["departments"] * SCALE),
        "strategy": round(BASE["strategies"] * SCALE),
        "workplan_step": round(BASE["steps"] * SCALE),
        "metric": round(BASE["metrics"] * SCALE),
        "history_entry": round(BASE["progress_updates"] * SCALE),
        "quick_win": round(BASE["quick_wins"] * SCALE),
        "focus_area": round(BASE["focus_areas"] * SCALE),
    }
    for table, count in expected.items():
        assert city.counts[table] == count, table
    assert city.counts["plan"] == 1  # 8 × 0.05 rounds to 0: never fewer than one
    assert city.counts["measurement"] == city.counts["metric"] * MONTHS_OF_MEASUREMENTS

    org = session.execute(
        select(Organization).where(Organization.slug == "demo-city-7")
    ).scalar_one()
    assert _count(session, Strategy) == expected["strategy"]
    assert _count(session, Measurement) == expected["metric"] * MONTHS_OF_MEASUREMENTS
    progress = _count(
        session,
        HistoryEntry,
        HistoryEntry.action == "progress",
        HistoryEntry.organization_id == org.id,
    )
    assert progress == expected["history_entry"]
    # A lead per department, coordinators, an admin and viewers; nobody has a password.
    roles = dict(
        session.execute(
            select(User.role, func.count())
            .where(User.organization_id == org.id)
            .group_by(User.role)
        ).all()
    )
    assert roles["lead"] == expected["department"] and roles["admin"] == 1
    assert roles["coordinator"] >= 1 and roles["viewer"] >= 1
    assert _count(session, User, User.password_hash.is_not(None)) == 0  # type: ignore[union-attr]
    # Some steps are sub-steps, some are done; some targets are revised.
    assert _count(session, WorkplanStep, WorkplanStep.parent_id.is_not(None)) > 0  # type: ignore[union-attr]
    assert _count(session, WorkplanStep, WorkplanStep.done_on.is_not(None)) > 0  # type: ignore[union-attr]
    assert city.counts["metric_target"] > city.counts["metric"]
    # Updates are spread over about three years, none after today.
    first, last = session.execute(
        select(func.min(HistoryEntry.at), func.max(HistoryEntry.at))
    ).one()
    assert first.date() < TODAY - dt.timedelta(days=2 * 365) and last.date() <= TODAY


def test_the_city_scales_linearly(session: Session) -> None:
    small = _generate(scale=0.02, seed=1)
    large = _generate(scale=0.2, seed=2)
    for table in ("strategy", "workplan_step", "metric", "measurement", "history_entry"):
        assert large.counts[table] == pytest.approx(10 * small.counts[table], rel=0.01), table
    assert large.counts["plan"] == 2 and len(large.plan_slugs) == 2
    # Each plan's own words, the plural spelt out ("Strategies", never "Strategys").
    words = {p.term("strategy"): p.term("strategies") for p in session.scalars(select(Plan))}
    assert words == {"Strategy": "Strategies", "Recommendation": "Recommendations"}


def _dump(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    rows = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            key = [c for c in table.primary_key.columns]
            rows[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*key))]
    engine.dispose()
    return rows


def test_same_seed_and_day_give_identical_rows(
    request: pytest.FixtureRequest, template_database: str, database_url: str
) -> None:
    _generate(database_url)
    other = new_database_url(request, template_database)
    _generate(other)
    first, second = _dump(database_url), _dump(other)
    assert sum(len(v) for v in first.values()) > 5_000
    for table in first:
        assert first[table] == second[table], table

    third = new_database_url(request, template_database)
    _generate(third, seed=8)
    different = _dump(third)
    assert different["strategy"] != first["strategy"]


def test_rows_satisfy_the_schema_and_tell_a_consistent_story(session: Session) -> None:
    """Inserted into the migrated schema (checks, foreign keys, unique keys all enforced)."""
    _generate()
    engine = get_engine()
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        # Each strategy's last update is its latest progress entry, and stands as it says.
        mismatched = conn.execute(
            text(
                "SELECT s.id FROM strategy s LEFT JOIN (SELECT subject_id, MAX(at) AS at "
                "FROM history_entry WHERE subject_type = 'strategy' AND action = 'progress' "
                "GROUP BY subject_id) h ON h.subject_id = s.id "
                "WHERE (s.last_update_at IS NULL) <> (h.at IS NULL) OR s.last_update_at <> h.at"
            )
        ).all()
        assert mismatched == []
        # Each strategy's newest change is its newest history entry, as record_change keeps it.
        unstamped = conn.execute(
            text(
                "SELECT s.id FROM strategy s LEFT JOIN (SELECT subject_id, MAX(at) AS at "
                "FROM history_entry WHERE subject_type = 'strategy' GROUP BY subject_id) h "
                "ON h.subject_id = s.id "
                "WHERE (s.last_changed_at IS NULL) <> (h.at IS NULL) OR s.last_changed_at <> h.at"
            )
        ).all()
        assert unstamped == []
        assert (
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM history_entry "
                    "WHERE subject_type IN ('step', 'focus_area')"
                )
            ).scalar_one()
            == 0
        ), "the generator writes no step or focus-area history to stamp"
        # A complete strategy has every step done.
        assert (
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM workplan_step w JOIN strategy s ON s.id = w.strategy_id "
                    "WHERE s.status = 'complete' AND w.done_on IS NULL"
                )
            ).scalar_one()
            == 0
        )
        # Every generated progress entry says what changed.
        assert (
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM history_entry e WHERE NOT EXISTS "
                    "(SELECT 1 FROM history_field f WHERE f.entry_id = e.id)"
                )
            ).scalar_one()
            == 0
        )


def test_rows_added_afterwards_get_new_ids(session: Session) -> None:
    """Ids were assigned by the generator; the database's own (PostgreSQL sequences) moved on."""
    city = _generate()
    with Session(get_engine()) as own:
        dept = Department(organization_id=city.organization_id, code="NEW", name="New")
        own.add(dept)
        own.flush()
        assert dept.id is not None and dept.id > city.counts["department"]
        own.rollback()


def test_a_second_city_with_the_same_seed_is_refused(session: Session) -> None:
    _generate(seed=3)
    with Session(get_engine()) as own, pytest.raises(DemoCityExists, match="demo-city-3"):
        generate_demo_city(session=own, scale=SCALE, seed=3, today=TODAY)
    _generate(seed=4)  # another seed lives beside it


def test_the_plan_tree_and_rollups_load_for_a_generated_plan(session: Session) -> None:
    city = _generate(scale=0.1)
    plan = get_plan(session=session, slug=city.largest_plan_slug)
    tree = load_plan_tree(
        session=session,
        plan=plan,
        internal=True,
        today=TODAY,
        now=dt.datetime(2026, 3, 15, 18, tzinfo=dt.UTC),
    )
    strategies = _count(session, Strategy, Strategy.plan_id == plan.id)
    assert len(tree.strategies) == strategies > 0
    assert sum(tree.rollup.distribution.values()) == strategies
    codes = {n.status.code for n in tree.strategies}
    assert {"complete", "overdue", "stale"} <= codes
    assert len(tree.metrics) == _count(session, Metric, Metric.plan_id == plan.id)
    assert all(m.latest is not None for m in tree.metrics)
    assert {m.status.code for m in tree.metrics} & {"on_track", "at_risk", "off_track"}

    answer = TestClient(app_under_test()).get(f"/api/v1/plans/{city.largest_plan_slug}/tree")
    assert answer.status_code == 200
    assert sum(len(fa["strategies"]) for fa in answer.json()["focus_areas"]) == strategies


def test_cli_generates_and_refuses_a_repeat(database_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["demo-data", "--scale", "0.02", "--seed", "5", "--today", "2026-03-15"]
    )
    assert result.exit_code == 0, result.output
    assert "generated demo-city-5" in result.output and "12 strategy" in result.output
    again = runner.invoke(cli, ["demo-data", "--scale", "0.02", "--seed", "5"])
    assert again.exit_code == 1 and "already exists" in again.output
    with Session(get_engine()) as s:
        assert _count(s, Plan, Plan.slug.startswith("demo-city-5-")) == 1  # type: ignore[attr-defined]


def test_every_generated_strategy_obeys_the_status_and_progress_rules(session: Session) -> None:
    """A lead's next update must not be refused for a contradiction the generator made."""
    from app.models import WorkplanStep
    from app.services.changes.strategy_progress import ProgressFacts, progress_problems

    _generate()
    steps: dict[int, tuple[int, int]] = {}
    for strategy_id, done_on in session.exec(
        select(WorkplanStep.strategy_id, WorkplanStep.done_on).where(
            WorkplanStep.archived_at.is_(None)  # type: ignore[union-attr]
        )
    ):
        total, done = steps.get(strategy_id, (0, 0))
        steps[strategy_id] = (total + 1, done + (done_on is not None))
    contradictions = []
    for s in session.exec(select(Strategy)).scalars():
        total, done = steps.get(s.id, (0, 0))
        facts = ProgressFacts(s.status, s.progress_counting, s.progress, total, done)
        if progress_problems(facts):
            contradictions.append((s.code, s.status, s.progress_counting, s.progress, total, done))
    assert contradictions == []
