"""What the command modules share: a database session, the history's actor name, failing with 1."""

from __future__ import annotations

import typer
from sqlmodel import Session

from app.db import get_engine

CLI_ACTOR_NAME = "cli"


def open_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def domain_failure(exc: Exception) -> typer.Exit:
    from app.services.errors import ValidationFailed

    if isinstance(exc, ValidationFailed):
        return fail("\n".join(f"{p.field}: {p.message}" for p in exc.problems))
    return fail(str(exc))
