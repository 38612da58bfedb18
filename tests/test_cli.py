"""The plantrack command as an operator uses it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli.main import app
from app.db import build_engine
from app.models import Plan
from tests.factories import TINY_PLAN, app_under_test

runner = CliRunner()


def test_help_explains_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "seed", "import", "export", "serve", "backup", "restore", "user"):
        assert command in result.output


def test_import_export_and_refusal(database_url: str, tmp_path: Path) -> None:
    good = tmp_path / "plan.yaml"
    good.write_text(TINY_PLAN)
    result = runner.invoke(app, ["import", str(good)])
    assert result.exit_code == 0 and "imported testville-service" in result.output
    exported = runner.invoke(app, ["export", "testville-service"])
    assert exported.exit_code == 0 and "title: Testville Customer Service Plan" in exported.output

    broken = tmp_path / "broken.yaml"
    broken.write_text(
        TINY_PLAN.replace("slug: testville-service", "slug: other").replace(
            "unit: percent", "unit: percentage"
        )
    )
    refused = runner.invoke(app, ["import", str(broken)])
    assert refused.exit_code == 1
    assert f"{broken}:" in refused.output and "metrics[0].unit: must be one of" in refused.output
    assert "nothing was imported" in refused.output
    with Session(build_engine(database_url)) as session:
        assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == 1

    missing = runner.invoke(app, ["export", "no-such-plan"])
    assert missing.exit_code == 1 and "no plan with slug 'no-such-plan'" in missing.output


def test_backup_and_restore_commands(database_url: str, request, tmp_path: Path) -> None:  # noqa: ANN001
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(TINY_PLAN)
    assert runner.invoke(app, ["import", str(plan_file)]).exit_code == 0
    backup_file = tmp_path / "backup.db"
    assert runner.invoke(app, ["backup", str(backup_file)]).exit_code == 0
    refused = runner.invoke(app, ["restore", str(backup_file)])
    assert refused.exit_code == 1 and "not empty" in refused.output
    target = request.getfixturevalue("empty_database_url")  # points DATABASE_URL at it
    result = runner.invoke(app, ["restore", str(backup_file)])
    assert result.exit_code == 0, result.output
    with Session(build_engine(target)) as session:
        assert session.exec(select(Plan.slug)).scalars().all() == ["testville-service"]


def test_seed_then_anyone_lists_the_five_organisations_plans(database_url: str) -> None:
    """What a newcomer tries after `make run`: `curl /api/v1/plans` without signing in."""
    from fastapi.testclient import TestClient

    seeded = runner.invoke(app, ["seed"])
    assert seeded.exit_code == 0, seeded.output
    answer = TestClient(app_under_test()).get("/api/v1/plans")
    assert answer.status_code == 200
    plans = answer.json()["items"]
    assert {p["slug"] for p in plans} == {
        "san-jose-customer-service",
        "mississauga-customer-service-strategy",
        "charlotte-county-customer-informed-organization",
        "dcx-311-strategic-plan",
        "philadelphia-customer-service-officers-program",
        "philadelphia-fleet-management-customer-service",
    }
    assert len({p["organization_slug"] for p in plans}) == 5
    again = runner.invoke(app, ["seed"])  # make run seeds on every start: nothing twice
    assert again.exit_code == 0
    assert TestClient(app_under_test()).get("/api/v1/plans").json()["total"] == 6
