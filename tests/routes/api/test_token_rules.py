"""API tokens follow their owner (issue 16 §3): scope, expiry, a password change, and no token
managing tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import ApiToken, User
from app.models.enums import TokenScope
from app.services.accounts import api_tokens
from app.services.accounts import users as accounts
from app.services.changes.history import Actor
from app.services.rules import clock
from tests.factories import app_under_test
from tests.routes.api.conftest import API, Ids, People, history_count

PROGRESS = {"version": 1, "status": "on_track", "progress": 40, "note": "Monthly update"}


def bearer(session: Session, user: User, **options: Any) -> tuple[TestClient, ApiToken]:
    row, plaintext = api_tokens.create_api_token(session=session, user=user, name="t", **options)
    session.commit()
    return TestClient(app_under_test(), headers={"Authorization": f"Bearer {plaintext}"}), row


def test_a_read_only_token_reads_and_is_refused_every_write(
    session: Session, people: People, ids: Ids
) -> None:
    reader, _ = bearer(session, people.pw_lead, scope=TokenScope.read_only)
    assert reader.get(f"{API}/strategies/{ids.s12}").status_code == 200
    before = history_count(session)
    refused = reader.post(f"{API}/strategies/{ids.s12}/progress", json=PROGRESS)
    assert refused.status_code == 403
    assert "read-only" in refused.json()["error"]["message"]
    assert history_count(session) == before
    # The same person's read-write token makes the same change.
    writer, _ = bearer(session, people.pw_lead, scope=TokenScope.read_write)
    answer = writer.post(f"{API}/strategies/{ids.s12}/progress", json=PROGRESS)
    assert answer.status_code == 200, answer.text
    assert history_count(session) == before + 1


def test_an_expired_token_is_401(session: Session, people: People, ids: Ids) -> None:
    made = clock.clock() - dt.timedelta(days=8)
    stale, row = bearer(session, people.viewer, expires_in_days=7, now=made)
    assert row.expires_at == made + dt.timedelta(days=7)
    answer = stale.get(f"{API}/strategies/{ids.s12}")
    assert answer.status_code == 401
    assert "expired" in answer.json()["error"]["message"]
    fresh, _ = bearer(session, people.viewer, expires_in_days=7)
    assert fresh.get(f"{API}/strategies/{ids.s12}").status_code == 200


def test_a_password_change_revokes_the_users_tokens(
    session: Session, people: People, ids: Ids
) -> None:
    """Issue 16 §3: after a password change, the user's tokens still wrote."""
    writer, _ = bearer(session, people.pw_lead)
    reader, _ = bearer(session, people.pw_lead, scope=TokenScope.read_only)
    others, _ = bearer(session, people.cc_lead)
    user = session.get(User, people.pw_lead.id)
    assert user is not None
    accounts.set_password(
        session=session, actor=Actor(name="test"), user=user, password="a brand new secret"
    )
    session.commit()
    for client in (writer, reader):
        assert client.get(f"{API}/strategies/{ids.s12}").status_code == 401
        assert client.post(f"{API}/strategies/{ids.s12}/progress", json=PROGRESS).status_code == 401
    assert others.get(f"{API}/strategies/{ids.s12}").status_code == 200  # nobody else's
    session.expire_all()
    assert all(
        t.revoked_at is not None
        for t in session.exec(select(ApiToken).where(ApiToken.user_id == people.pw_lead.id))
    )


def test_a_token_cannot_make_or_revoke_tokens(session: Session, people: People) -> None:
    """Issue 16 §3: a token made a child token on /account/tokens that outlived its parent."""
    parent, row = bearer(session, people.admin)
    assert parent.get("/account").status_code == 403
    made = parent.post("/account/tokens", data={"name": "child", "scope": "read_write"})
    assert made.status_code == 403
    revoked = parent.post(f"/account/tokens/{row.id}/revoke")
    assert revoked.status_code == 403
    session.expire_all()
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == people.admin.id)).all()
    assert [(t.name, t.revoked_at) for t in tokens] == [("t", None)]
