"""Personal API tokens (`pt_…`): shown once, stored as SHA-256; only their owner revokes them.

A token follows its owner: it stops working when the owner is deactivated or their password is
changed or reset (`accounts.set_password` revokes them), and at its expiry if it has one. Its scope
says whether it may write; only a signed-in browser manages tokens (a token cannot make another,
which would outlive its parent's revocation).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models import ApiToken, User
from app.models.enums import TokenScope
from app.services.accounts.browser_sessions import SEEN_GRANULARITY, token_digest
from app.services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from app.services.rules import clock

API_TOKEN_PREFIX = "pt_"
# The lifetimes the account page offers, in days (None: until revoked).
EXPIRY_CHOICES: tuple[int | None, ...] = (7, 30, 90, 365, None)
READ_ONLY_REFUSED = "This API token is read-only: it cannot make changes."
TOKEN_MANAGEMENT_REFUSED = (
    "API tokens are managed only from a signed-in browser (Your account), not with a token."
)


def token_scope(value: TokenScope | str) -> TokenScope:
    try:
        return TokenScope(str(value).strip())
    except ValueError:
        raise ValidationFailed.one("scope", "Choose read-only or read-write.") from None


def expiry_after(days: int | str | None, now: dt.datetime) -> dt.datetime | None:
    """The expiry `days` from now, for one of EXPIRY_CHOICES ("" or None: no expiry)."""
    if days is None or days == "":
        return None
    text = str(days).strip()
    chosen = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 0
    if chosen not in EXPIRY_CHOICES:
        raise ValidationFailed.one(
            "expires_in_days", "Choose one of the offered lifetimes (or no expiry)."
        )
    return now + dt.timedelta(days=chosen)


def create_api_token(
    *,
    session: Session,
    user: User,
    name: str,
    scope: TokenScope | str = TokenScope.read_write,
    expires_in_days: int | str | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the plaintext, which is shown once and never stored."""
    moment = clock.now_or_clock(now)
    label = name.strip()
    problems: list[FieldProblem] = []
    if not label:
        problems.append(FieldProblem("name", "Give the token a name (what it is for)."))
    elif len(label) > 100:
        problems.append(FieldProblem("name", "Use at most 100 characters."))
    chosen_scope, expires_at = TokenScope.read_only, None
    try:
        chosen_scope = token_scope(scope)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    try:
        expires_at = expiry_after(expires_in_days, moment)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems)
    if user.id is None or not user.active:
        raise PermissionDenied("This account cannot create API tokens.")
    plaintext = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=label,
        token_hash=token_digest(plaintext),
        prefix=plaintext[:10],
        created_at=moment,
        expires_at=expires_at,
        scope=chosen_scope.value,
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


def revoke_all_api_tokens(*, session: Session, user: User, now: dt.datetime) -> int:
    """Revoke every open token of `user` (their password changed); the number revoked."""
    open_tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    for row in open_tokens:
        row.revoked_at = now
        session.add(row)
    return len(open_tokens)


def is_expired(row: ApiToken, now: dt.datetime | None = None) -> bool:
    return row.expires_at is not None and clock.now_or_clock(now) >= row.expires_at


def resolve_api_token(
    *, session: Session, token: str, now: dt.datetime | None = None, record_use: bool = True
) -> User | None:
    """The active user behind an API token, or None (unknown, revoked, expired, or user
    deactivated).

    `record_use` moves `last_used_at` on (at most once a minute) in `session`; requests pass
    False and record it after their transaction (app.services.accounts.last_seen).
    """
    found = active_api_token(session=session, token=token, now=now)
    if found is None:
        return None
    row, user = found
    if record_use and api_token_use_due(row, now):
        row.last_used_at = clock.now_or_clock(now)
        session.add(row)
    return user


def active_api_token(
    *, session: Session, token: str, now: dt.datetime | None = None
) -> tuple[ApiToken, User] | None:
    """The token's row and its active user, or None (unknown, revoked, expired, or the user
    deactivated): one lookup that gives the caller, the token's scope and its last use."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    if row is None or row.revoked_at is not None or is_expired(row, now):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def api_token_use_due(row: ApiToken, now: dt.datetime | None = None) -> bool:
    return (
        row.last_used_at is None or clock.now_or_clock(now) - row.last_used_at >= SEEN_GRANULARITY
    )
