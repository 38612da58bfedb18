"""`plantrack measurements import --plan SLUG FILE`: every value of the file, or none."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.main import app
from app.db import build_engine
from app.models import HistoryEntry, Measurement
from tests.factories import TINY_PLAN

runner = CliRunner()


def count(database_url: str) -> int:
    with Session(build_engine(database_url)) as session:
        return session.execute(select(func.count()).select_from(Measurement)).scalar_one()


def test_import_stores_every_value_or_refuses_naming_line_and_column(
    database_url: str, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(TINY_PLAN)
    assert runner.invoke(app, ["import", str(plan_file)]).exit_code == 0
    assert count(database_url) == 2

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "metric code,period,value,note\nFCR,2025-07,71,\nFCR,2025-08,=2+2,\nFCR,2025-09,150,\n"
    )
    refused = runner.invoke(
        app, ["measurements", "import", "--plan", "testville-service", str(bad)]
    )
    assert refused.exit_code == 1
    assert "line 3, value: enter a number" in refused.output
    assert "line 4, value: 150% is outside the range" in refused.output
    assert "nothing was imported" in refused.output
    assert count(database_url) == 2

    good = tmp_path / "good.csv"
    good.write_text("metric code,period,value,note\nFCR,2025-07,71,\nFCR,2024-06,79,Recounted\n")
    result = runner.invoke(
        app, ["measurements", "import", "--plan", "testville-service", str(good)]
    )
    assert result.exit_code == 0, result.output
    assert "1 value(s) recorded, 1 corrected" in result.output
    assert count(database_url) == 3
    with Session(build_engine(database_url)) as session:
        actors = session.execute(select(HistoryEntry.actor_name)).scalars().all()
        assert "cli" in actors

    missing = runner.invoke(app, ["measurements", "import", "--plan", "nope", str(good)])
    assert missing.exit_code == 1 and "nope" in missing.output
    header = tmp_path / "header.csv"
    header.write_text("code,month,amount\n")
    no_header = runner.invoke(
        app, ["measurements", "import", "--plan", "testville-service", str(header)]
    )
    assert no_header.exit_code == 1 and "line 1: the header must name" in no_header.output
