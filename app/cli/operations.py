"""Running it: back up and restore the database, serve the app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail
from app.settings import get_settings


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (a new file).")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it exists (never done otherwise).")
    ] = False,
) -> None:
    """Back up the whole database to FILE while the app keeps running.

    SQLite: an online backup (a consistent copy, checked with integrity_check).
    PostgreSQL: pg_dump in its custom format. The file is readable by its owner only (0600): it
    holds password and token hashes.
    """
    from app.services.operations.backup import BackupError, backup_database

    try:
        backup_database(database_url=get_settings().database_url, destination=file, force=force)
    except BackupError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"backed up to {file}")


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `plantrack backup`.")],
) -> None:
    """Restore FILE into the database at DATABASE_URL, which must be new and empty.

    FILE must be a whole PlanTrack backup (its tables, a migration revision this PlanTrack knows,
    and an intact file); anything else is refused before anything is written.
    """
    from app.services.operations.backup import BackupError, restore_database

    try:
        restore_database(database_url=get_settings().database_url, source=file)
    except BackupError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"restored {file}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use PostgreSQL for >1).")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            envvar="FORWARDED_ALLOW_IPS",
            help="Addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto "
            "are trusted (comma-separated, or *). Without the proxy's address every client looks "
            "like the proxy to the sign-in throttle. Default: 127.0.0.1,::1.",
        ),
    ] = None,
) -> None:
    """Serve the web app and the JSON API (http://HOST:PORT)."""
    from pydantic import ValidationError

    from app.serving import serve as run_server
    from app.settings import settings_problems

    try:
        get_settings()  # refuse a bad environment with its reason before listening
    except ValidationError as exc:
        raise fail("\n".join(settings_problems(exc))) from exc
    run_server(
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        forwarded_allow_ips=forwarded_allow_ips,
    )
