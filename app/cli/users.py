"""`plantrack user`: the people who sign in (create, list, set-role, set-password, deactivate)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from app.cli.common import CLI_ACTOR_NAME, domain_failure, open_session

user_app = typer.Typer(
    help=(
        "Manage the people who sign in: create accounts, list them, change a role, deactivate.\n\n"
        "Roles: admin (everything of their organisation, manages its users; with "
        "--installation-admin: every organisation), coordinator (status and narrative anywhere in "
        "the organisation), lead (changes their own department's work; needs --department), "
        "viewer (reads)."
    ),
    no_args_is_help=True,
)


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Sign-in name: letters, digits, '.', '_', '-'.")],
    role: Annotated[
        str | None,
        typer.Option(help="admin, coordinator, lead or viewer (admin with --installation-admin)."),
    ] = None,
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
    email: Annotated[
        str | None,
        typer.Option(help="E-mail address, for reminders and reset links (unique, any case)."),
    ] = None,
    installation_admin: Annotated[
        bool,
        typer.Option(
            "--installation-admin",
            help="An administrator of the whole installation: every organisation and everything "
            "in it (implies --role admin). Only this command creates one.",
        ),
    ] = False,
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
    --email maria.lopez@sanjoseca.gov
    """
    from app.services.accounts import users as accounts
    from app.services.changes.history import Actor
    from app.services.errors import DomainError

    if role is None and not installation_admin:
        typer.echo("Error: give --role (or --installation-admin).", err=True)
        raise typer.Exit(2)

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with open_session() as session:
        try:
            user = accounts.create_user(
                session=session,
                actor=Actor(name=CLI_ACTOR_NAME),
                username=username,
                display_name=display_name,
                role=role or "admin",
                department=department,
                organization=organization,
                password=password,
                installation_admin=installation_admin,
                email=email,
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise domain_failure(exc) from exc
        typer.echo(f"created {user.username} ({_role_label(user)})")


def _role_label(user: object) -> str:
    role = str(getattr(user, "role", ""))
    return "admin, installation" if getattr(user, "is_installation_admin", False) else role


@user_app.command("list")
def user_list() -> None:
    """List every account: username, role, department, organisation, status, name."""
    from sqlmodel import select

    from app.models import Department, Organization
    from app.services.accounts import users as accounts

    with open_session() as session:
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
                _role_label(u),
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
    installation_admin: Annotated[
        bool | None,
        typer.Option(
            "--installation-admin/--organization-admin",
            help="With ROLE admin: administer the whole installation, or only the account's "
            "organisation. Left out: as before.",
        ),
    ] = None,
) -> None:
    """Give USERNAME a new ROLE (and --department for a lead). Recorded in the history."""
    from app.services.accounts import users as accounts
    from app.services.changes.history import Actor
    from app.services.errors import DomainError

    with open_session() as session:
        try:
            user = accounts.get_user(session=session, username=username)
            accounts.set_role(
                session=session,
                actor=Actor(name=CLI_ACTOR_NAME),
                user=user,
                role=role,
                department=department,
                installation_admin=installation_admin,
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise domain_failure(exc) from exc
        where = f" ({department})" if department else ""
        typer.echo(f"{user.username} is now {_role_label(user)}{where}")


@user_app.command("set-password")
def user_set_password(
    username: Annotated[str, typer.Argument(help="The account whose password to replace.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Replace USERNAME's password (asked twice, hidden).

    Their open sessions end and their API tokens are revoked: scripts using them need new ones.
    """
    from app.services.accounts import users as accounts
    from app.services.changes.history import Actor
    from app.services.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with open_session() as session:
        try:
            user = accounts.get_user(session=session, username=username)
            accounts.set_password(
                session=session, actor=Actor(name=CLI_ACTOR_NAME), user=user, password=password
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise domain_failure(exc) from exc
        typer.echo(
            f"password of {user.username} changed; their sessions ended and their API tokens "
            "were revoked"
        )


@user_app.command("deactivate")
def user_deactivate(
    username: Annotated[str, typer.Argument(help="The account to switch off.")],
) -> None:
    """Switch USERNAME off: no sign-in, sessions end now, API tokens stop working.

    The account stays (its name is in the history); nothing is deleted.
    """
    from app.services.accounts import users as accounts
    from app.services.changes.history import Actor
    from app.services.errors import DomainError

    with open_session() as session:
        try:
            user = accounts.get_user(session=session, username=username)
            accounts.deactivate(session=session, actor=Actor(name=CLI_ACTOR_NAME), user=user)
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise domain_failure(exc) from exc
        typer.echo(f"{user.username} deactivated")
