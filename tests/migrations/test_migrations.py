"""The migrations build the schema the models describe, and go down and up again with data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401
from app.models import Plan, Strategy
from app.services.database_admin import (
    alembic_config,
    downgrade_database,
    load_seeds,
    upgrade_database,
)
from app.settings import ROOT
from tests.factories import SEEDS_DIR


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
