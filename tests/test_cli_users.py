"""`plantrack user …` and `plantrack demo-users`, run through Typer against the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app
from app.db import get_engine
from app.models import Department, HistoryEntry, Organization, User, UserSession
from app.services.accounts import api_tokens, browser_sessions, sign_in
from app.settings import get_settings

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture
def org(database_url: str) -> Iterator[Organization]:
    with Session(get_engine(), expire_on_commit=False) as s:
        org = Organization(name="City of San José", slug="san-jose")
        s.add(org)
        s.flush()
        s.add(Department(organization_id=org.id, code="SJ311", name="SJ311"))
        s.add(Department(organization_id=org.id, code="ACS", name="Animal Care and Services"))
        s.commit()
        yield org


def users() -> dict[str, User]:
    with Session(get_engine(), expire_on_commit=False) as s:
        return {u.username: u for u in s.exec(select(User)).all()}


def run(*args: str, stdin: str | None = None):  # noqa: ANN201
    return runner.invoke(app, list(args), input=stdin)


def test_user_create_with_password_on_stdin(org: Organization) -> None:
    result = run(
        "user",
        "create",
        "Maria",
        "--role",
        "lead",
        "--department",
        "SJ311",
        "--display-name",
        "Maria Lopez",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "created maria (lead)" in result.output
    maria = users()["maria"]
    assert (maria.role, maria.display_name, maria.organization_id) == (
        "lead",
        "Maria Lopez",
        org.id,
    )
    assert (maria.password_hash or "").startswith("$argon2id$")
    with Session(get_engine()) as s:
        assert (
            sign_in.authenticate(session=s, username="maria", password=PASSWORD, address="cli").id
            == maria.id
        )


def test_user_create_prompts_twice_with_hidden_input(org: Organization) -> None:
    result = run("user", "create", "root", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert result.output.count("Password") >= 1 and "Repeat" in result.output
    assert "root" in users()


def test_user_create_refuses_mismatched_confirmation(org: Organization) -> None:
    result = run(
        "user",
        "create",
        "root",
        "--role",
        "admin",
        stdin=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0
    assert "do not match" in result.output.lower() or "don't match" in result.output.lower()


def test_user_create_explains_every_problem(org: Organization) -> None:
    result = run("user", "create", "lee", "--role", "lead", "--password-stdin", stdin="password\n")
    assert result.exit_code == 1
    assert "department: A department lead needs a department." in result.output
    assert "password: This password is too common" in result.output
    assert users() == {}


def test_user_create_needs_a_role(org: Organization) -> None:
    result = run("user", "create", "root", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.exit_code != 0
    assert users() == {}


def test_user_list_set_role_and_deactivate(org: Organization) -> None:
    run("user", "create", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    run(
        "user",
        "create",
        "bob",
        "--role",
        "viewer",
        "--display-name",
        "Bob B",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    listing = run("user", "list")
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split() == ["USERNAME", "ROLE", "DEPARTMENT", "ORGANISATION", "STATUS", "NAME"]
    assert any(line.split()[:5] == ["bob", "viewer", "-", "san-jose", "active"] for line in lines)

    changed = run("user", "set-role", "bob", "lead", "--department", "ACS")
    assert changed.exit_code == 0, changed.output
    bob = users()["bob"]
    assert bob.role == "lead"
    refused = run("user", "set-role", "bob", "lead")
    assert refused.exit_code == 1 and "needs a department" in refused.output

    with Session(get_engine()) as s:
        started = browser_sessions.start_session(session=s, user=s.get(User, bob.id))  # type: ignore[arg-type]
        s.commit()
    gone = run("user", "deactivate", "bob")
    assert gone.exit_code == 0, gone.output
    assert not users()["bob"].active
    with Session(get_engine()) as s:
        assert browser_sessions.resolve_session(session=s, token=started.token) is None
        assert s.exec(select(UserSession)).one().revoked_at is not None
        history = s.exec(
            select(HistoryEntry).where(
                HistoryEntry.subject_type == "user", HistoryEntry.subject_id == bob.id
            )
        ).all()
        assert [h.action for h in history] == ["create", "update", "update"]
        assert {h.actor_name for h in history} == {"cli"}
    assert "deactivated" in run("user", "list").output


def test_unknown_user_is_reported(org: Organization) -> None:
    for args in (("user", "set-role", "ghost", "viewer"), ("user", "deactivate", "ghost")):
        result = run(*args)
        assert result.exit_code == 1
        assert "No user 'ghost'." in result.output


def test_set_password(org: Organization) -> None:
    run("user", "create", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    with Session(get_engine()) as s:
        root = s.exec(select(User).where(User.username == "root")).one()
        _, token = api_tokens.create_api_token(session=s, user=root, name="nightly export")
        s.commit()
        assert api_tokens.resolve_api_token(session=s, token=token) is not None
    result = run("user", "set-password", "root", "--password-stdin", stdin="a brand new secret\n")
    assert result.exit_code == 0, result.output
    # The command says what the change did to the account's other credentials.
    assert "API tokens were revoked" in result.output
    with Session(get_engine()) as s:
        assert sign_in.authenticate(
            session=s, username="root", password="a brand new secret", address="cli"
        )
        assert api_tokens.resolve_api_token(session=s, token=token) is None
    assert "API tokens are revoked" in run("user", "set-password", "--help").output


def test_demo_users_is_idempotent_and_passwordless(org: Organization) -> None:
    first = run("demo-users")
    assert first.exit_code == 0, first.output
    assert "admin, coordinator, sj311-lead, acs-lead, viewer" in first.output
    second = run("demo-users")
    assert second.exit_code == 0 and "already exist" in second.output
    found = users()
    assert set(found) == {"admin", "coordinator", "sj311-lead", "acs-lead", "viewer"}
    assert {u.role for u in found.values()} == {"admin", "coordinator", "lead", "viewer"}
    assert all(u.password_hash is None for u in found.values())
    # The demo administrator administers San José alone, never the installation (README, Roles).
    assert found["admin"].organization_id == org.id
    assert not any(u.is_installation_admin for u in found.values())


def test_demo_users_needs_the_san_jose_organisation(database_url: str) -> None:
    result = run("demo-users")
    assert result.exit_code == 1
    assert "plantrack seed" in result.output


def test_demo_users_refused_in_production(
    org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    try:
        result = run("demo-users")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert users() == {}


def test_help_explains_roles() -> None:
    result = run("user", "--help")
    assert result.exit_code == 0
    for word in (
        "admin",
        "coordinator",
        "lead",
        "viewer",
        "create",
        "list",
        "set-role",
        "deactivate",
    ):
        assert word in result.output


# --- installation administrators (issue 15): the command line alone makes them ------------------


@pytest.fixture
def two_orgs(org: Organization) -> Organization:
    with Session(get_engine(), expire_on_commit=False) as s:
        other = Organization(name="City of Philadelphia", slug="philadelphia")
        s.add(other)
        s.commit()
        return other


def test_user_create_installation_admin(two_orgs: Organization) -> None:
    result = run(
        "user", "create", "root", "--installation-admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "created root (admin, installation)" in result.output
    root = users()["root"]
    # An administrator of every organisation, belonging to none (there are two to choose from).
    assert (root.role, root.is_installation_admin, root.organization_id) == ("admin", True, None)
    listing = run("user", "list").output.splitlines()
    assert any(line.split()[:3] == ["root", "admin,", "installation"] for line in listing)
    with Session(get_engine()) as s:
        entry = s.exec(select(HistoryEntry).where(HistoryEntry.subject_id == root.id)).one()
        assert entry.actor_name == "cli"


def test_an_organisation_admin_needs_an_organisation(two_orgs: Organization) -> None:
    plain = run("user", "create", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert plain.exit_code == 1
    assert "several organisations" in plain.output
    made = run(
        "user",
        "create",
        "ada",
        "--role",
        "admin",
        "--organization",
        "philadelphia",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert "created ada (admin)" in made.output
    ada = users()["ada"]
    assert (ada.is_installation_admin, ada.organization_id) == (False, two_orgs.id)


def test_an_installation_admin_is_an_admin(org: Organization) -> None:
    result = run(
        "user",
        "create",
        "root",
        "--role",
        "viewer",
        "--installation-admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "An installation administrator has the role admin." in result.output
    assert users() == {}


def test_set_role_makes_and_unmakes_an_installation_admin(org: Organization) -> None:
    run("user", "create", "root", "--installation-admin", "--password-stdin", stdin=PASSWORD)
    run("user", "create", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert not users()["ada"].is_installation_admin
    made = run("user", "set-role", "ada", "admin", "--installation-admin")
    assert made.exit_code == 0, made.output
    assert "ada is now admin, installation" in made.output
    assert users()["ada"].is_installation_admin
    unmade = run("user", "set-role", "ada", "admin", "--organization-admin")
    assert unmade.exit_code == 0, unmade.output
    assert not users()["ada"].is_installation_admin
    # The last installation administrator stays one.
    last = run("user", "set-role", "root", "viewer")
    assert last.exit_code == 1 and "last active administrator" in last.output
    assert users()["root"].is_installation_admin
