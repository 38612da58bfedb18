"""The `plantrack` command: set up the database, move plans in and out, serve the app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from app.db import get_engine
from app.settings import get_settings

app = typer.Typer(
    help=(
        "PlanTrack: track a strategic plan from vision to workplan steps and metrics.\n\n"
        "The database is DATABASE_URL (default: the SQLite file data/plantrack.db). "
        "A first run: `plantrack db upgrade`, `plantrack seed`, `plantrack serve`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create or update the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; 'head' is the newest.")] = "head",
) -> None:
    """Apply the database migrations up to REVISION (creates the database if it is new)."""
    from app.services.database_admin import upgrade_database

    upgrade_database(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; 'base' removes every table.")],
) -> None:
    """Undo migrations down to REVISION. 'base' drops everything: back up first."""
    from app.services.database_admin import downgrade_database

    downgrade_database(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@app.command()
def seed(
    seeds_dir: Annotated[
        Path | None, typer.Option("--dir", help="Folder of plan files (default: seeds/).")
    ] = None,
) -> None:
    """Load the seed plans that are not in the database yet (safe to run again)."""
    from app.services.database_admin import load_seeds
    from app.services.plan_file.reading import PlanFileError

    folder = seeds_dir or get_settings().seeds_dir
    with _session() as session:
        try:
            loaded = load_seeds(session=session, seeds_dir=folder)
        except PlanFileError as exc:
            session.rollback()
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
    typer.echo(f"loaded {len(loaded)} plan(s)" + (": " + ", ".join(loaded) if loaded else ""))


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A plan file (YAML, see docs/plan-format.md).")],
) -> None:
    """Check FILE and load the whole plan in one transaction: all of it, or nothing.

    A refused file prints every problem as FILE:LINE: field.path: message.
    """
    from app.services.history import Actor
    from app.services.plan_file.importing import import_plan_path
    from app.services.plan_file.reading import PlanFileError

    with _session() as session:
        try:
            plan = import_plan_path(session=session, path=file, actor=Actor(name="import"))
            session.commit()
        except PlanFileError as exc:
            session.rollback()
            typer.echo(str(exc), err=True)
            typer.echo("nothing was imported", err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"imported {plan.slug}: {plan.title}")


@app.command()
def export(
    slug: Annotated[str, typer.Argument(help="The plan's slug (see GET /api/v1/plans).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write plan SLUG as a plan file (to stdout, or to --output)."""
    from app.services.plan_file.exporting import PlanNotFound, export_plan_text

    with _session() as session:
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use PostgreSQL for >1).")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the web app and the JSON API (http://HOST:PORT)."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app", factory=True, host=host, port=port, workers=workers,
        reload=reload, proxy_headers=True,
    )


if __name__ == "__main__":
    app()
