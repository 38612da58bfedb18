"""Personal API tokens (`pt_…`): shown once, stored as SHA-256; only their owner revokes them."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models import ApiToken, User
from app.services import clock
from app.services.browser_sessions import SEEN_GRANULARITY, token_digest
from app.services.errors import NotFound, PermissionDenied, ValidationFailed

API_TOKEN_PREFIX = "pt_"


def create_api_token(
    *, session: Session, user: User, name: str, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the plaintext, which is shown once and never stored."""
    label = name.strip()
    if not label:
        raise ValidationFailed.one("name", "Give the token a name (what it is for).")
    if len(label) > 100:
        raise ValidationFailed.one("name", "Use at most 100 characters.")
    if user.id is None or not user.active:
        raise PermissionDenied("This account cannot create API tokens.")
    plaintext = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=label,
        token_hash=token_digest(plaintext),
        prefix=plaintext[:10],
        created_at=clock.now_or_clock(now),
    )
    session.add(row)
    session.flush()
    return row, plaintext


def list_api_tokens(*, session: Session, user: User) -> Sequence[ApiToken]:
    return session.exec(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.created_at).desc())
    ).all()


def revoke_api_token(
    *, session: Session, user: User, token_id: int, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke one of `user`'s own tokens (nobody else's)."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("No such API token.")
    if row.user_id != user.id:
        raise PermissionDenied("You can revoke only your own API tokens.")
    if row.revoked_at is None:
        row.revoked_at = clock.now_or_clock(now)
        session.add(row)
    return row


def resolve_api_token(
    *, session: Session, token: str, now: dt.datetime | None = None, record_use: bool = True
) -> User | None:
    """The active user behind an API token, or None (unknown, revoked, or user deactivated).

    `record_use` moves `last_used_at` on (at most once a minute) in `session`; requests pass
    False and record it after their transaction (app.services.last_seen).
    """
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if record_use and api_token_use_due(row, now):
        row.last_used_at = clock.now_or_clock(now)
        session.add(row)
    return user


def api_token_use_due(row: ApiToken, now: dt.datetime | None = None) -> bool:
    return (
        row.last_used_at is None or clock.now_or_clock(now) - row.last_used_at >= SEEN_GRANULARITY
    )


def find_api_token(*, session: Session, token: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
