"""Backup and restore: an online backup taken while writes go on restores everything."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session, SQLModel

from app.db import build_engine
from app.models import Strategy
from app.models.strategy import ProgressUpdateIn
from app.services.changes.history import Actor
from app.services.changes.strategies import record_strategy_progress
from app.services.operations.backup import BackupError, backup_database, restore_database
from app.services.operations.database_admin import alembic_config, load_seeds
from tests.factories import SEEDS_DIR


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }
    engine.dispose()
    return counts


def _write_progress(url: str, stop: threading.Event, done: list[int]) -> None:
    engine = build_engine(url)
    actor = Actor(name="load")
    with Session(engine) as session:
        ids = session.exec(select(Strategy.id).limit(5)).scalars().all()
    while not stop.is_set() and len(done) < 200:
        with Session(engine) as session:
            strategy = session.get(Strategy, ids[len(done) % len(ids)])
            record_strategy_progress(
                session=session,
                strategy=strategy,
                actor=actor,
                data=ProgressUpdateIn(version=strategy.version, narrative=f"update {len(done)}"),
            )
            session.commit()
            done.append(1)
    engine.dispose()


def test_backup_under_load_restores_into_an_empty_database(
    database_url: str,
    request,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    with Session(build_engine(database_url)) as session:
        load_seeds(session=session, seeds_dir=SEEDS_DIR)
    stop, done = threading.Event(), []
    writer = threading.Thread(target=_write_progress, args=(database_url, stop, done))
    writer.start()
    while len(done) < 20:
        threading.Event().wait(0.01)
    backup = backup_database(database_url=database_url, destination=tmp_path / "plantrack.backup")
    stop.set()
    writer.join()
    assert backup.stat().st_size > 0

    target = request.getfixturevalue("empty_database_url")
    restore_database(database_url=target, source=backup)
    restored = _counts(target)
    assert restored["plan"] == len(list(SEEDS_DIR.glob("*.yaml"))) >= 1
    assert restored["history_entry"] >= restored["plan"] + 20  # imports and the load's updates
    assert restored["strategy"] == _counts(database_url)["strategy"]
    engine = create_engine(target)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    engine.dispose()


def test_quiet_backup_restores_equal_row_counts(database_url: str, request, tmp_path: Path) -> None:  # noqa: ANN001
    with Session(build_engine(database_url)) as session:
        load_seeds(session=session, seeds_dir=SEEDS_DIR)
    backup = backup_database(database_url=database_url, destination=tmp_path / "b.backup")
    target = request.getfixturevalue("empty_database_url")
    restore_database(database_url=target, source=backup)
    assert _counts(target) == _counts(database_url)


def test_restore_refuses_a_database_that_is_not_empty(database_url: str, tmp_path: Path) -> None:
    backup = backup_database(database_url=database_url, destination=tmp_path / "b.backup")
    try:
        restore_database(database_url=database_url, source=backup)
    except BackupError as exc:
        assert "not empty" in str(exc)
    else:
        raise AssertionError("a restore over existing data must be refused")
