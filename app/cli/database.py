"""`plantrack db`: create or update the database schema (the Alembic migrations)."""

from __future__ import annotations

from typing import Annotated

import typer

from app.settings import get_settings

db_app = typer.Typer(help="Create or update the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[
        str, typer.Argument(help="Target revision; 'head' is the newest.")
    ] = "head",
) -> None:
    """Apply the database migrations up to REVISION (creates the database if it is new)."""
    from app.services.operations.database_admin import upgrade_database

    upgrade_database(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; 'base' removes every table.")],
) -> None:
    """Undo migrations down to REVISION. 'base' drops everything: back up first."""
    from app.services.operations.database_admin import downgrade_database

    downgrade_database(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")
