"""`plantrack measurements`: many values at once from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import CLI_ACTOR_NAME, fail, open_session
from app.db import optimize_sqlite

measurements_app = typer.Typer(
    help="Record many measurements at once from a file (see the grid page's template).",
    no_args_is_help=True,
)


@measurements_app.command("import")
def import_measurements(
    file: Annotated[
        Path,
        typer.Argument(help="CSV or XLSX with columns metric code, period (YYYY-MM), value, note."),
    ],
    plan: Annotated[str, typer.Option("--plan", help="The plan's slug.")],
) -> None:
    """Record every value of FILE in plan --plan in one transaction: all of them, or nothing.

    A refused file prints each problem as `line N, column: reason` and exits with 1. A value
    for a period that already has one corrects it (the history keeps the value before).
    """
    from app.services.changes import measurement_batches, measurement_files
    from app.services.changes.history import Actor
    from app.services.errors import DomainError, ValidationFailed
    from app.services.reading.plan_tree import get_plan

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
    with open_session() as session:
        try:
            target = get_plan(session=session, slug=plan)
            cells = measurement_files.read_file(file.name, data)
            result = measurement_batches.record_measurements(
                session=session, plan=target, cells=cells, actor=Actor(name=CLI_ACTOR_NAME)
            )
            session.commit()
        except ValidationFailed as exc:
            session.rollback()
            lines = [f"{p.field}: {p.message}" for p in exc.problems]
            raise fail("\n".join([*lines, "nothing was imported"])) from exc
        except DomainError as exc:
            session.rollback()
            raise fail(exc.message) from exc
    optimize_sqlite()  # the planner learns the new data (issue 14)
    typer.echo(f"{plan}: {result.words()}")
