"""The account page's API tokens: scope and expiry chosen when a token is made, and shown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session, select

from app.models import ApiToken, Organization, User
from app.services.accounts import api_tokens
from app.services.rules import clock
from tests.routes.test_auth_pages import client, make_org, make_user, sign_in


@pytest.fixture
def org(db: Session) -> Organization:
    return make_org(db)


def _row_of(html: str, name: str) -> str:
    found = re.search(rf"<tr>\s*<td>{re.escape(name)}</td>.*?</tr>", html, re.S)
    assert found, f"no row for {name}"
    return found.group(0)


def test_a_token_is_made_with_the_chosen_scope_and_expiry_and_both_are_shown(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    c = client()
    csrf = sign_in(c, "alice")
    page = c.get("/account").text
    assert "revokes all your API tokens" in page  # said where tokens are managed
    assert re.search(r'value="read_only" checked', page)  # read-only unless chosen otherwise
    made = c.post(
        "/account/tokens",
        data={"csrf_token": csrf, "name": "sync", "scope": "read_write", "expires_in_days": "30"},
    )
    assert made.status_code == 201
    c.post("/account/tokens", data={"csrf_token": csrf, "name": "dashboard"})
    db.expire_all()
    rows = {t.name: t for t in db.exec(select(ApiToken)).all()}
    db.commit()
    assert rows["sync"].scope == "read_write"
    assert rows["sync"].expires_at == rows["sync"].created_at + dt.timedelta(days=30)
    assert (rows["dashboard"].scope, rows["dashboard"].expires_at) == ("read_only", None)
    page = c.get("/account").text
    sync = _row_of(page, "sync")
    assert "read and write" in sync
    assert rows["sync"].expires_at.strftime("%Y-%m-%d %H:%M") in sync  # type: ignore[union-attr]
    dashboard = _row_of(page, "dashboard")
    assert "read only" in dashboard and "never" in dashboard


def test_bad_scope_and_expiry_are_named_beside_their_fields_and_nothing_is_saved(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    c = client()
    answer = c.post(
        "/account/tokens",
        data={
            "csrf_token": sign_in(c, "alice"),
            "name": "sync",
            "scope": "admin",
            "expires_in_days": "٣",
        },
    )
    assert answer.status_code == 422
    assert re.search(r'id="token-scope-error"[^>]*>Choose read-only or read-write', answer.text)
    assert re.search(r'id="token-expiry-error"[^>]*>Choose one of the offered', answer.text)
    assert 'value="sync"' in answer.text  # the name typed is kept
    assert db.exec(select(ApiToken)).all() == []


def test_an_expired_token_says_so_on_the_page(db: Session, org: Organization) -> None:
    alice = make_user(db, "alice")
    user = db.get(User, alice.id)
    assert user is not None
    api_tokens.create_api_token(
        session=db,
        user=user,
        name="old",
        expires_in_days=7,
        now=clock.clock() - dt.timedelta(days=8),
    )
    db.commit()
    c = client()
    sign_in(c, "alice")
    row = _row_of(c.get("/account").text, "old")
    assert "expired" in row and "Revoke" not in row  # nothing left to revoke
