"""Backing up and restoring the whole database.

SQLite: the online backup API copies a consistent snapshot while the app keeps serving (writers
wait a moment, nobody is stopped). PostgreSQL: `pg_dump` in its custom format, restored with
`pg_restore`. A restore goes only into an empty database, so it never mixes two histories.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.db import build_engine


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest PostgreSQL installed on the machine."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    found = shutil.which(name) or (str(candidates[0]) if candidates else None)
    if not found:
        raise BackupError(f"{name} is not installed (it comes with the PostgreSQL client tools)")
    return found


def _libpq_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = ["--dbname", parsed.database or "", "--host", parsed.host or "127.0.0.1"]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    import os

    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def backup_database(*, database_url: str, destination: Path) -> Path:
    backend = make_url(database_url).get_backend_name()
    destination.parent.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        source = sqlite3.connect(_sqlite_path(database_url), timeout=30)
        target = sqlite3.connect(destination)
        try:
            with target:
                source.backup(target)
            integrity = target.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                raise BackupError(f"the backup failed its integrity check: {integrity}")
        finally:
            target.close()
            source.close()
        return destination
    if backend == "postgresql":
        args, env = _libpq_args(database_url)
        _run(
            [
                postgres_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(destination),
                *args,
            ],
            env,
        )
        return destination
    raise BackupError(f"backups are not supported for {backend}")


def database_is_empty(database_url: str) -> bool:
    engine = build_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return not tables
    finally:
        engine.dispose()


def restore_database(*, database_url: str, source: Path) -> None:
    """Restore `source` into the (empty) database at `database_url`."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if not database_is_empty(database_url):
        raise BackupError(
            "the target database is not empty: restore into a new, empty database "
            "(a restore never merges into existing data)"
        )
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        backup = sqlite3.connect(source)
        target_path = _sqlite_path(database_url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path)
        try:
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is damaged (integrity check failed)")
            with target:
                backup.backup(target)
        finally:
            target.close()
            backup.close()
        return
    if backend == "postgresql":
        args, env = _libpq_args(database_url)
        _run(
            [postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, str(source)], env
        )
        return
    raise BackupError(f"restores are not supported for {backend}")
