"""`plantrack user create --email` (issue 13): the address is checked and stored lower-cased."""

from __future__ import annotations

from app.models import Organization
from tests.test_cli_users import PASSWORD, org, run, users

__all__ = ["org"]  # the fixture, used by name


def test_user_create_keeps_an_email_address(org: Organization) -> None:
    made = run(
        "user", "create", "maria", "--role", "viewer", "--email", "Maria.Lopez@SanJoseCA.gov",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert users()["maria"].email == "maria.lopez@sanjoseca.gov"
    taken = run(
        "user", "create", "ana", "--role", "viewer", "--email", "MARIA.LOPEZ@sanjoseca.gov",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert taken.exit_code != 0 and "email" in taken.output
    bad = run(
        "user", "create", "ana", "--role", "viewer", "--email", "maria@",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert bad.exit_code != 0 and "email" in bad.output
    assert "ana" not in users()
