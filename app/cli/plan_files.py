"""Plan files in and out: load the seed plans, import a plan file, export a plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import open_session
from app.db import optimize_sqlite
from app.settings import get_settings


def seed(
    seeds_dir: Annotated[
        Path | None, typer.Option("--dir", help="Folder of plan files (default: seeds/).")
    ] = None,
) -> None:
    """Load the seed plans that are not in the database yet (safe to run again)."""
    from app.services.operations.database_admin import load_seeds
    from app.services.plan_file.reading import PlanFileError

    folder = seeds_dir or get_settings().seeds_dir
    with open_session() as session:
        try:
            loaded = load_seeds(session=session, seeds_dir=folder)
        except PlanFileError as exc:
            session.rollback()
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
    typer.echo(f"loaded {len(loaded)} plan(s)" + (": " + ", ".join(loaded) if loaded else ""))


def import_(
    file: Annotated[Path, typer.Argument(help="A plan file (YAML, see docs/plan-format.md).")],
) -> None:
    """Check FILE and load the whole plan in one transaction: all of it, or nothing.

    A refused file prints every problem as FILE:LINE: field.path: message.
    """
    from app.services.changes.history import Actor
    from app.services.plan_file.importing import import_plan_path
    from app.services.plan_file.reading import PlanFileError

    with open_session() as session:
        try:
            plan = import_plan_path(session=session, path=file, actor=Actor(name="import"))
            session.commit()
        except PlanFileError as exc:
            session.rollback()
            typer.echo(str(exc), err=True)
            typer.echo("nothing was imported", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"imported {plan.slug}: {plan.title}")
    optimize_sqlite()  # the planner learns the new data (issue 14)


def export(
    slug: Annotated[str, typer.Argument(help="The plan's slug (see GET /api/v1/plans).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write plan SLUG as a plan file (to stdout, or to --output)."""
    from app.services.plan_file.exporting import PlanNotFound, export_plan_text

    with open_session() as session:
        try:
            text = export_plan_text(session=session, slug=slug)
        except PlanNotFound as exc:
            typer.echo(f"no plan with slug '{slug}'", err=True)
            raise typer.Exit(1) from exc
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
    else:
        sys.stdout.write(text)
