"""The migrations build the schema the models describe, and go down and up again with data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, func, inspect, text
from sqlmodel import Session, SQLModel, select

import app.models  # noqa: F401
from app.models import FocusArea, Plan, Strategy
from app.models.strategy import ProgressUpdateIn, StepCreate
from app.services.changes.history import Actor
from app.services.changes.strategies import (
    add_step,
    record_strategy_progress,
    set_archived,
    set_step_done,
)
from app.services.operations.database_admin import (
    alembic_config,
    downgrade_database,
    load_seeds,
    upgrade_database,
)
from app.settings import ROOT
from tests.factories import SEEDS_DIR, focus_area_narrative


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_models_and_migrations_do_not_drift(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)
    engine = create_engine(empty_database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": conn.dialect.name == "sqlite"}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_downgrade_upgrade_with_seed_plans(empty_database_url: str) -> None:
    upgrade_database(empty_database_url)
    engine = create_engine(empty_database_url)
    with Session(engine) as session:
        loaded = load_seeds(session=session, seeds_dir=SEEDS_DIR)
    assert len(loaded) == len(list(SEEDS_DIR.glob("*.yaml"))) >= 5
    downgrade_database(empty_database_url, "base")
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade_database(empty_database_url)
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == 0
        assert load_seeds(session=session, seeds_dir=SEEDS_DIR) == loaded
        assert session.execute(select(func.count()).select_from(Strategy)).scalar_one() > 0
    engine.dispose()


def test_migration_files_are_date_prefixed() -> None:
    names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]
    assert names and all(name[:8].isdigit() for name in names)


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            for table in inspect(conn).get_table_names()
            if table != "alembic_version"
        }


def _stamps(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table: sorted(
                (row_id, str(at))
                for row_id, at in conn.execute(
                    text(
                        f"SELECT id, last_changed_at FROM {table} WHERE last_changed_at IS NOT NULL"
                    )
                )
            )
            for table in ("strategy", "focus_area")
        }


def _history_of_every_kind(engine: Engine) -> None:
    """Changes through the services: a progress update, work on steps (one of a strategy
    archived since), and an entry on a focus area."""
    actor = Actor(name="migration test")
    with Session(engine) as session:
        first, second, third = session.exec(
            select(Strategy).where(Strategy.archived_at.is_(None)).order_by(Strategy.id).limit(3)  # type: ignore[union-attr]
        ).all()
        record_strategy_progress(
            session=session,
            strategy=first,
            actor=actor,
            data=ProgressUpdateIn(version=first.version, status="on_track", note="q1"),
        )
        add_step(session=session, strategy=second, data=StepCreate(title="Plan it"), actor=actor)
        step = add_step(
            session=session, strategy=third, data=StepCreate(title="Do it"), actor=actor
        )
        # Steps are ticked once the work has begun (Not started with progress is refused).
        record_strategy_progress(
            session=session,
            strategy=third,
            actor=actor,
            data=ProgressUpdateIn(version=third.version, status="on_track"),
        )
        set_step_done(
            session=session,
            step=step,
            version=step.version,
            done=True,
            actor=actor,
            complete_strategy=True,  # were it its only step, ticked it is complete
        )
        set_archived(session=session, item=third, version=third.version, archived=True, actor=actor)
        focus_area = session.exec(select(FocusArea).order_by(FocusArea.id)).first()
        assert focus_area is not None
        focus_area_narrative(session, focus_area, actor, "On course.")
        session.commit()


def test_each_migration_goes_down_and_up_keeping_every_row(empty_database_url: str) -> None:
    """Down one revision at a time and up again, with the seed plans and history in: no row is
    lost (on SQLite a rebuilt table once took every row referring to it with it), and what a
    migration fills in from the history equals what the app keeps as it writes."""
    upgrade_database(empty_database_url)
    engine = create_engine(empty_database_url)
    with Session(engine) as session:
        load_seeds(session=session, seeds_dir=SEEDS_DIR)
    _history_of_every_kind(engine)
    counts, stamps = _row_counts(engine), _stamps(engine)
    assert counts["workplan_step"] > 0 and counts["history_entry"] > 0
    assert len(stamps["strategy"]) == 3 and len(stamps["focus_area"]) == 1

    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():  # newest first
        if revision.down_revision is None:
            break  # below the first revision there are no tables to keep rows in
        downgrade_database(empty_database_url, str(revision.down_revision))
        kept = _row_counts(engine)
        assert kept == {t: n for t, n in counts.items() if t in kept}, revision.revision
    upgrade_database(empty_database_url)
    assert _row_counts(engine) == counts
    assert _stamps(engine) == stamps
    engine.dispose()


INSTALLATION_ADMIN_REVISION = "86048b9b0964"


def test_existing_admins_become_organisation_or_installation_admins(
    empty_database_url: str,
) -> None:
    """The documented choice (the migration's docstring, README "Roles"): an administrator of an
    organisation administers that organisation alone; one of none runs the installation."""
    script = ScriptDirectory.from_config(alembic_config())
    before = script.get_revision(INSTALLATION_ADMIN_REVISION).down_revision
    assert isinstance(before, str)
    upgrade_database(empty_database_url, before)
    engine = create_engine(empty_database_url)
    people = [
        ("city-admin", "admin", True),
        ("root", "admin", False),
        ("city-viewer", "viewer", True),
        ("loose-coordinator", "coordinator", False),
    ]
    with engine.begin() as conn:
        now = "2026-01-01 00:00:00"
        conn.execute(
            text(
                "INSERT INTO organization (name, slug, created_at, updated_at) "
                "VALUES ('City', 'city', :now, :now)"
            ),
            {"now": now},
        )
        org_id = conn.execute(text("SELECT id FROM organization")).scalar_one()
        for username, role, in_org in people:
            conn.execute(
                text(
                    'INSERT INTO "user" (username, display_name, role, organization_id, active, '
                    "version, created_at, updated_at) "
                    "VALUES (:u, '', :r, :o, TRUE, 1, :now, :now)"
                ),
                {"u": username, "r": role, "o": org_id if in_org else None, "now": now},
            )
    upgrade_database(empty_database_url, INSTALLATION_ADMIN_REVISION)
    with engine.connect() as conn:
        flags = dict(conn.execute(text('SELECT username, is_installation_admin FROM "user"')).all())
    assert {u: bool(f) for u, f in flags.items()} == {
        "city-admin": False,
        "root": True,
        "city-viewer": False,
        "loose-coordinator": False,
    }
    engine.dispose()
