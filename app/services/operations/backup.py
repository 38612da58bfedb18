"""Backing up and restoring the whole database.

SQLite: the online backup API copies a consistent snapshot while the app keeps serving (writers
wait a moment, nobody is stopped). PostgreSQL: `pg_dump` in its custom format, restored with
`pg_restore`. A backup is readable by its owner only and never replaces an existing file unless
asked to. A restore goes only into an empty database, so it never mixes two histories, and only
from a file that is a whole PlanTrack backup (backup_check).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.db import build_engine
from app.services.operations.backup_check import (
    NotABackup,
    check_postgres_backup,
    check_sqlite_backup,
)


class BackupError(RuntimeError):
    pass


NOT_EMPTY = (
    "the target database is not empty: restore into a new, empty database "
    "(a restore never merges into existing data)"
)


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
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _new_private_file(destination: Path) -> Path:
    """An empty file next to `destination`, readable by the owner only (0600): a backup holds
    password and token hashes. The backup is written there and then moved into place, so a failed
    backup never leaves half a file under the name asked for."""
    handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    os.close(handle)  # mkstemp creates it 0600 whatever the umask
    return Path(name)


def _put_in_place(written: Path, destination: Path, *, force: bool) -> None:
    if force:
        os.replace(written, destination)
        return
    try:
        os.link(written, destination)  # fails if the name exists, even if it appeared meanwhile
    except FileExistsError as exc:
        raise BackupError(
            f"{destination} already exists: not overwritten (use --force to replace it)"
        ) from exc
    finally:
        written.unlink(missing_ok=True)


def backup_database(*, database_url: str, destination: Path, force: bool = False) -> Path:
    """Write a backup to `destination`, never over an existing file unless `force`."""
    backend = make_url(database_url).get_backend_name()
    if destination.is_dir():
        raise BackupError(f"{destination} is a directory: give the backup file's name")
    if destination.exists() and not force:
        raise BackupError(
            f"{destination} already exists: not overwritten (use --force to replace it)"
        )
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"backups are not supported for {backend}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    written = _new_private_file(destination)
    try:
        if backend == "sqlite":
            _sqlite_backup(database_url, written)
        else:
            args, env = _libpq_args(database_url)
            _run(
                [
                    postgres_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(written),
                    *args,
                ],
                env,
            )
        _put_in_place(written, destination, force=force)
    finally:
        written.unlink(missing_ok=True)
    return destination


def _sqlite_backup(database_url: str, written: Path) -> None:
    source = sqlite3.connect(_sqlite_path(database_url), timeout=30)
    target = sqlite3.connect(written)
    try:
        with target:
            source.backup(target)
        integrity = target.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            raise BackupError(f"the backup failed its integrity check: {integrity}")
    finally:
        target.close()
        source.close()


def database_is_empty(database_url: str) -> bool:
    engine = build_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return not tables
    finally:
        engine.dispose()


def _check_is_backup(backend: str, source: Path) -> None:
    try:
        if backend == "sqlite":
            check_sqlite_backup(source)
        elif backend == "postgresql":
            check_postgres_backup(source, postgres_tool("pg_restore"))
        else:
            raise BackupError(f"restores are not supported for {backend}")
    except NotABackup as exc:
        raise BackupError(str(exc)) from exc


def restore_database(*, database_url: str, source: Path) -> None:
    """Restore `source` into the (empty) database at `database_url`.

    Nothing is written until the file is known to be a whole PlanTrack backup (backup_check); a
    SQLite database file that did not exist before a failed restore does not exist after it.
    """
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    backend = make_url(database_url).get_backend_name()
    _check_is_backup(backend, source)
    if backend == "sqlite":
        target_path = _sqlite_path(database_url)
        existed = target_path.exists()
        if existed and not database_is_empty(database_url):
            raise BackupError(NOT_EMPTY)
        try:
            target_path.parent.mkdir(parents=True, exist_ok=True)
            backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            target = sqlite3.connect(target_path)
            try:
                with target:
                    backup.backup(target)
            finally:
                target.close()
                backup.close()
        except BaseException:
            if not existed:
                for leftover in ("", "-journal", "-wal", "-shm"):
                    Path(f"{target_path}{leftover}").unlink(missing_ok=True)
            raise
        return
    if not database_is_empty(database_url):
        raise BackupError(NOT_EMPTY)
    args, env = _libpq_args(database_url)
    # One transaction: a restore that fails halfway leaves the database as empty as it was.
    _run(
        [
            postgres_tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(source),
        ],
        env,
    )
