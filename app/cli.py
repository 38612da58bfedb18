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
    revision: Annotated[
        str, typer.Argument(help="Target revision; 'head' is the newest.")
    ] = "head",
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


user_app = typer.Typer(
    help=(
        "Manage the people who sign in: create accounts, list them, change a role, deactivate.\n\n"
        "Roles: admin (everything, manages users), coordinator (status and narrative anywhere in "
        "the organisation), lead (changes their own department's work; needs --department), "
        "viewer (reads)."
    ),
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")

CLI_ACTOR_NAME = "cli"


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


def _domain_failure(exc: Exception) -> typer.Exit:
    from app.services.errors import ValidationFailed

    if isinstance(exc, ValidationFailed):
        return _fail("\n".join(f"{p.field}: {p.message}" for p in exc.problems))
    return _fail(str(exc))


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Sign-in name: letters, digits, '.', '_', '-'.")],
    role: Annotated[str, typer.Option(help="admin, coordinator, lead or viewer.")],
    department: Annotated[
        str | None, typer.Option(help="Department code (e.g. SJ311); required for a lead.")
    ] = None,
    organization: Annotated[
        str | None,
        typer.Option(help="Organisation slug (e.g. san-jose); optional when there is only one."),
    ] = None,
    display_name: Annotated[
        str, typer.Option("--display-name", help="The name shown in the app and the history.")
    ] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of stdin "
            "(for scripts) instead of prompting.",
        ),
    ] = False,
) -> None:
    """Create an account. The password is asked twice (hidden), or read with --password-stdin.

    Example: plantrack user create maria --role lead --department SJ311 --display-name "Maria Lopez"
    """
    from app.services import accounts
    from app.services.errors import DomainError
    from app.services.history import Actor

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _session() as session:
        try:
            user = accounts.create_user(
                session=session,
                actor=Actor(name=CLI_ACTOR_NAME),
                username=username,
                display_name=display_name,
                role=role,
                department=department,
                organization=organization,
                password=password,
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise _domain_failure(exc) from exc
        typer.echo(f"created {user.username} ({user.role})")


@user_app.command("list")
def user_list() -> None:
    """List every account: username, role, department, organisation, status, name."""
    from sqlmodel import select

    from app.models import Department, Organization
    from app.services import accounts

    with _session() as session:
        departments = {d.id: d.code for d in session.exec(select(Department)).all()}
        orgs = {o.id: o.slug for o in session.exec(select(Organization)).all()}
        users = accounts.list_users(session=session)
        if not users:
            typer.echo("no users yet: create one with `plantrack user create NAME --role admin`")
            return
        header = ("USERNAME", "ROLE", "DEPARTMENT", "ORGANISATION", "STATUS", "NAME")
        rows = [
            (
                u.username,
                u.role,
                departments.get(u.department_id, "-") if u.department_id else "-",
                orgs.get(u.organization_id, "-") if u.organization_id else "-",
                ("active" if u.active else "deactivated")
                + ("" if u.password_hash else ", no password"),
                u.display_name,
            )
            for u in users
        ]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            cells = [str(c).ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
            typer.echo("  ".join([*cells, str(row[-1])]).rstrip())


@user_app.command("set-role")
def user_set_role(
    username: Annotated[str, typer.Argument(help="The account to change.")],
    role: Annotated[str, typer.Argument(help="admin, coordinator, lead or viewer.")],
    department: Annotated[
        str | None, typer.Option(help="Department code; required for a lead, dropped otherwise.")
    ] = None,
) -> None:
    """Give USERNAME a new ROLE (and --department for a lead). Recorded in the history."""
    from app.services import accounts
    from app.services.errors import DomainError
    from app.services.history import Actor

    with _session() as session:
        try:
            user = accounts.get_user(session=session, username=username)
            accounts.set_role(
                session=session,
                actor=Actor(name=CLI_ACTOR_NAME),
                user=user,
                role=role,
                department=department,
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise _domain_failure(exc) from exc
        where = f" ({department})" if department else ""
        typer.echo(f"{user.username} is now {user.role}{where}")


@user_app.command("set-password")
def user_set_password(
    username: Annotated[str, typer.Argument(help="The account whose password to replace.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Replace USERNAME's password (asked twice, hidden); their open sessions end."""
    from app.services import accounts
    from app.services.errors import DomainError
    from app.services.history import Actor

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with _session() as session:
        try:
            user = accounts.get_user(session=session, username=username)
            accounts.set_password(
                session=session, actor=Actor(name=CLI_ACTOR_NAME), user=user, password=password
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise _domain_failure(exc) from exc
        typer.echo(f"password of {user.username} changed")


@user_app.command("deactivate")
def user_deactivate(
    username: Annotated[str, typer.Argument(help="The account to switch off.")],
) -> None:
    """Switch USERNAME off: no sign-in, sessions end now, API tokens stop working.

    The account stays (its name is in the history); nothing is deleted.
    """
    from app.services import accounts
    from app.services.errors import DomainError
    from app.services.history import Actor

    with _session() as session:
        try:
            user = accounts.get_user(session=session, username=username)
            accounts.deactivate(session=session, actor=Actor(name=CLI_ACTOR_NAME), user=user)
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise _domain_failure(exc) from exc
        typer.echo(f"{user.username} deactivated")


@app.command("demo-users")
def demo_users() -> None:
    """Create the demo accounts for the San José plan (safe to run again).

    admin, coordinator, sj311-lead (SJ311), acs-lead (ACS) and viewer. They have no password: they
    sign in only by the one-click buttons on the sign-in page, and only when DEMO_MODE=true.
    Refused in production. Load the seed plans first (`plantrack seed`).
    """
    from app.services import demo_accounts
    from app.services.demo_setup import assign_demo_ownership
    from app.services.errors import DomainError
    from app.services.history import Actor

    if get_settings().environment == "production":
        raise _fail("demo users are not created in production (ENVIRONMENT=production)")
    with _session() as session:
        try:
            created = demo_accounts.ensure_demo_users(
                session=session, actor=Actor(name=CLI_ACTOR_NAME)
            )
            assigned = assign_demo_ownership(session=session, actor=Actor(name="demo setup"))
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise _domain_failure(exc) from exc
    if created:
        typer.echo("created demo users: " + ", ".join(created))
    else:
        typer.echo("demo users already exist")
    for change in assigned:
        typer.echo(f"demo ownership: {change}")


@app.command("demo-data")
def demo_data(
    scale: Annotated[
        float,
        typer.Option(
            help="1 is a city of about 40 departments, 600 strategies and 20,000 updates; "
            "any positive number (0.05 too)."
        ),
    ] = 1.0,
    seed: Annotated[
        int,
        typer.Option(help="Same seed and --today, same data. The organisation is demo-city-SEED."),
    ] = 1,
    today: Annotated[
        str | None,
        typer.Option(help="The day the data is generated around (YYYY-MM-DD; default: today)."),
    ] = None,
) -> None:
    """Generate a synthetic city (organisation demo-city-SEED) for benchmarks and demonstrations.

    Its users (a lead per department, coordinators, an admin, viewers) have no password.
    Refused if demo-city-SEED already exists.
    """
    import datetime as dt
    import time

    from app.services.demo_city.generator import DemoCityExists, generate_demo_city

    if not scale > 0:
        raise _fail("--scale must be positive")
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise _fail(f"--today: '{today}' is not a date (YYYY-MM-DD)") from exc
    started = time.perf_counter()
    with _session() as session:
        try:
            city = generate_demo_city(session=session, scale=scale, seed=seed, today=day)
            session.commit()
        except DemoCityExists as exc:
            session.rollback()
            raise _fail(str(exc)) from exc
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{n} {t}" for t, n in city.counts.items())
    typer.echo(f"generated {city.organization_slug} in {elapsed:.1f} s: {counts}")
    typer.echo(
        f"largest plan: {city.largest_plan_slug}; busiest department: "
        f"{city.largest_department_code}"
    )


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
) -> None:
    """Back up the whole database to FILE while the app keeps running.

    SQLite: an online backup (a consistent copy, checked with integrity_check).
    PostgreSQL: pg_dump in its custom format.
    """
    from app.services.backup import BackupError, backup_database

    try:
        backup_database(database_url=get_settings().database_url, destination=file)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"backed up to {file}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `plantrack backup`.")],
) -> None:
    """Restore FILE into the database at DATABASE_URL, which must be new and empty."""
    from app.services.backup import BackupError, restore_database

    try:
        restore_database(database_url=get_settings().database_url, source=file)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"restored {file}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use PostgreSQL for >1).")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the web app and the JSON API (http://HOST:PORT)."""
    from app.serving import serve as run_server

    run_server(host=host, port=port, workers=workers, reload=reload)


if __name__ == "__main__":
    app()
