"""`plantrack backup` and `plantrack restore` cannot hurt: a backup never replaces another file
unless told to and is readable by its owner only; a restore takes only a whole PlanTrack backup,
refusing anything else in one line, with exit 1, before writing anything."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from app.cli.main import app
from tests.factories import TINY_PLAN

runner = CliRunner()


def _tables(url: str) -> list[str]:
    if make_url(url).get_backend_name() == "sqlite" and not Path(make_url(url).database).exists():  # type: ignore[arg-type]
        return []
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _plantrack_backup(database_url: str, tmp_path: Path) -> Path:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(TINY_PLAN)
    assert runner.invoke(app, ["import", str(plan_file)]).exit_code == 0
    backup = tmp_path / "plantrack.backup"
    result = runner.invoke(app, ["backup", str(backup)])
    assert result.exit_code == 0, result.output
    return backup


class TestBackup:
    def test_a_backup_is_readable_by_its_owner_only(
        self, database_url: str, tmp_path: Path
    ) -> None:
        old = os.umask(0o022)
        try:
            backup = _plantrack_backup(database_url, tmp_path)
        finally:
            os.umask(old)
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    def test_an_existing_file_is_never_replaced_without_force(
        self, database_url: str, tmp_path: Path
    ) -> None:
        other = tmp_path / "other-app.db"
        other_url = f"sqlite:///{other}"
        _execute(other_url, "CREATE TABLE invoices (id INTEGER)", "INSERT INTO invoices VALUES (7)")
        before = other.read_bytes()
        refused = runner.invoke(app, ["backup", str(other)])
        assert refused.exit_code == 1
        assert refused.output.strip() == (
            f"{other} already exists: not overwritten (use --force to replace it)"
        )
        assert other.read_bytes() == before
        forced = runner.invoke(app, ["backup", "--force", str(other)])
        assert forced.exit_code == 0, forced.output
        assert other.read_bytes() != before
        assert stat.S_IMODE(other.stat().st_mode) == 0o600


def _foreign(url: str, path: Path) -> Path:
    """A backup of another application's database, made by the same tools."""
    _execute(url, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    assert runner.invoke(app, ["backup", str(path)]).exit_code == 0
    _empty_again(url)
    return path


def _empty(url: str, path: Path) -> Path:
    """A backup of a database with nothing in it."""
    if make_url(url).get_backend_name() == "sqlite":
        _execute(url, "PRAGMA user_version = 1")  # a real SQLite file, with no tables
    assert runner.invoke(app, ["backup", str(path)]).exit_code == 0
    _empty_again(url)
    return path


def _empty_again(url: str) -> None:
    if make_url(url).get_backend_name() == "sqlite":
        Path(make_url(url).database).unlink()  # type: ignore[arg-type]
    else:
        _execute(url, "DROP TABLE IF EXISTS notes")


def _zero_bytes(url: str, path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _text(url: str, path: Path) -> Path:
    path.write_text("name,amount\nrent,1200\n")
    return path


Make = Callable[[str, Path], Path]
REFUSED: list[tuple[str, Make, str]] = [
    ("foreign", _foreign, "is not a PlanTrack backup: it has no "),
    ("empty database", _empty, "is an empty database, not a PlanTrack backup"),
    ("zero bytes", _zero_bytes, "is empty (0 bytes), not a PlanTrack backup"),
    ("not a database", _text, "is not a "),
]


class TestRestoreRefuses:
    @pytest.mark.parametrize(
        ("make", "reason"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
    )
    def test_what_is_not_a_plantrack_backup(
        self,
        database_url: str,
        request: pytest.FixtureRequest,
        tmp_path: Path,
        make: Make,
        reason: str,
    ) -> None:
        target = request.getfixturevalue("empty_database_url")  # DATABASE_URL points at it
        source = make(target, tmp_path / "suspect.backup")
        result = runner.invoke(app, ["restore", str(source)])
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert reason in result.output and str(source) in result.output
        assert _tables(target) == []
        if make_url(target).get_backend_name() == "sqlite":
            assert not Path(make_url(target).database).exists()  # type: ignore[arg-type]

    def test_a_damaged_backup(
        self, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
    ) -> None:
        backup = _plantrack_backup(database_url, tmp_path)
        data = bytearray(backup.read_bytes())
        if make_url(database_url).get_backend_name() == "sqlite":
            # Garble the pages after the schema: the tables are listed, their rows are not whole.
            for at in range(8192, len(data), 4096):
                data[at + 8 : at + 200] = os.urandom(192)
        else:
            del data[len(data) // 2 :]  # a copy cut short
        backup.write_bytes(bytes(data))
        target = request.getfixturevalue("empty_database_url")
        result = runner.invoke(app, ["restore", str(backup)])
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert f"{backup} is damaged" in result.output
        assert _tables(target) == []
        if make_url(target).get_backend_name() == "sqlite":
            assert not Path(make_url(target).database).exists()  # type: ignore[arg-type]

    def test_a_migration_revision_this_plantrack_does_not_know(
        self, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
    ) -> None:
        _execute(database_url, "UPDATE alembic_version SET version_num = 'ffffffffffff'")
        backup = _plantrack_backup(database_url, tmp_path)
        target = request.getfixturevalue("empty_database_url")
        result = runner.invoke(app, ["restore", str(backup)])
        assert result.exit_code == 1
        assert result.output.strip() == (
            f"{backup} is at migration revision ffffffffffff, which this PlanTrack does not know "
            "(a backup from a newer version, or not PlanTrack's)"
        )
        assert _tables(target) == []

    def test_a_whole_backup_is_restored(
        self, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
    ) -> None:
        backup = _plantrack_backup(database_url, tmp_path)
        target = request.getfixturevalue("empty_database_url")
        result = runner.invoke(app, ["restore", str(backup)])
        assert result.exit_code == 0, result.output
        assert {"plan", "strategy", "alembic_version"} <= set(_tables(target))
