"""Is this file a PlanTrack backup? Checked before a restore writes anything.

A restore once took any SQLite file: another application's database, an empty file or a damaged
one. Now the file must be a backup of this database's kind, whole (`integrity_check` for SQLite,
a readable archive for PostgreSQL), hold PlanTrack's tables, and carry a migration revision this
PlanTrack knows. Each refusal is one line that says what the file is instead.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from app.services.operations.database_admin import alembic_config

SQLITE_HEADER = b"SQLite format 3\x00"
PG_ARCHIVE_HEADER = b"PGDMP"  # pg_dump's custom format
# Tables every PlanTrack database has had since its first migration.
PLANTRACK_TABLES = frozenset(
    {"alembic_version", "organization", "department", "plan", "strategy", "user", "history_entry"}
)


class NotABackup(ValueError):
    """The file is not a PlanTrack backup this PlanTrack can restore; the message says why."""


def _check_revision(source: Path, revisions: list[str]) -> None:
    if len(revisions) != 1:
        raise NotABackup(f"{source} holds no single migration revision: not a PlanTrack backup")
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revisions[0])
    except CommandError:
        known = None
    if known is None:
        raise NotABackup(
            f"{source} is at migration revision {revisions[0]}, which this PlanTrack does not "
            "know (a backup from a newer version, or not PlanTrack's)"
        )


def _check_tables(source: Path, tables: set[str]) -> None:
    if not tables:
        raise NotABackup(f"{source} is an empty database, not a PlanTrack backup")
    missing = sorted(PLANTRACK_TABLES - tables)
    if missing:
        raise NotABackup(
            f"{source} is not a PlanTrack backup: it has no {', '.join(missing)} table"
            + ("s" if len(missing) > 1 else "")
        )


def check_sqlite_backup(source: Path) -> None:
    with source.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if not header:
        raise NotABackup(f"{source} is empty (0 bytes), not a PlanTrack backup")
    if header != SQLITE_HEADER:
        raise NotABackup(f"{source} is not a SQLite database, so not a backup of this one")
    # Read-only and immutable: checking must never change the file (no journal, no WAL).
    connection = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
        if [tuple(row) for row in result] != [("ok",)]:
            first = str(result[0][0]).splitlines()[0] if result else "no answer"
            raise NotABackup(f"{source} is damaged (integrity check: {first})")
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        _check_tables(source, tables)
        revisions = [
            row[0] for row in connection.execute("SELECT version_num FROM alembic_version")
        ]
    except sqlite3.DatabaseError as exc:  # a header followed by garbage
        raise NotABackup(f"{source} is damaged ({exc})") from exc
    finally:
        connection.close()
    _check_revision(source, revisions)


def check_postgres_backup(source: Path, pg_restore: str) -> None:
    if source.stat().st_size == 0:
        raise NotABackup(f"{source} is empty (0 bytes), not a PlanTrack backup")
    listed = subprocess.run(
        [pg_restore, "--list", str(source)], capture_output=True, text=True, errors="replace"
    )
    if listed.returncode != 0:
        reason = (listed.stderr.strip().splitlines() or ["unreadable"])[0]
        reason = reason.removeprefix("pg_restore: error: ").removeprefix("pg_restore: ")
        with source.open("rb") as fh:
            archive = fh.read(len(PG_ARCHIVE_HEADER)) == PG_ARCHIVE_HEADER
        if archive:  # pg_dump's custom format, cut short or garbled
            raise NotABackup(f"{source} is damaged ({reason})")
        raise NotABackup(f"{source} is not a PostgreSQL backup made by plantrack backup ({reason})")
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listed.stdout, re.MULTILINE))
    _check_tables(source, tables)
    # Read every table's data without writing anywhere: a truncated or damaged archive fails here,
    # not halfway through a restore.
    whole = subprocess.run(
        [pg_restore, "--file=/dev/null", str(source)],
        capture_output=True,
        text=True,
        errors="replace",
    )
    if whole.returncode != 0:
        reason = (whole.stderr.strip().splitlines() or ["unreadable"])[0]
        raise NotABackup(f"{source} is damaged ({reason.removeprefix('pg_restore: error: ')})")
    data = subprocess.run(
        [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(source)],
        capture_output=True,
        text=True,
        errors="replace",
    )
    copied = re.search(
        r"^COPY \S*alembic_version .*?FROM stdin;\n(.*?)^\\\.$", data.stdout, re.M | re.S
    )
    _check_revision(source, copied.group(1).split() if copied else [])
