"""Alembic environment: the URL from app settings, the metadata from every model."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on the metadata)
from app.db import build_engine
from app.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = build_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _sqlite_foreign_keys(connection, on: bool) -> None:  # noqa: ANN001
    """Foreign keys on or off for this SQLite connection; SQLite ignores the switch inside a
    transaction, so it goes to the driver directly, and is read back to be sure."""
    driver = connection.connection.driver_connection
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    if driver.execute("PRAGMA foreign_keys").fetchone()[0] != int(on):
        raise RuntimeError("could not switch SQLite foreign keys: a transaction is open")


def _refuse_dangling_references(connection) -> None:  # noqa: ANN001
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        raise RuntimeError(f"the migration left rows referring to missing rows: {dangling[:10]}")


def _run(connection) -> None:  # noqa: ANN001
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild a SQLite table (copy, drop, rename). With foreign keys on, the
        # drop deletes every row that refers to the table through ON DELETE CASCADE (dropping a
        # column of `strategy` emptied workplan_step). As SQLite's own procedure for changing a
        # table says, they are off while it runs and checked before it commits.
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _refuse_dangling_references(connection)
        if connection.in_transaction():
            connection.commit()
    finally:
        if sqlite:
            if connection.in_transaction():
                connection.rollback()
            _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
