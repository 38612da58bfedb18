"""One-time password reset links, issued by an administrator.

The link carries a random token (256 bits from `secrets`: far too many to guess, so no
throttle is needed on the reset page); only its SHA-256 is stored. A link works once, for
`RESET_LINK_LIFETIME`, and only while its account is active; issuing a new link for a user voids
the ones still open. `issue_reset_link` returns the link, so whoever issues it decides how it
travels: shown once to the administrator now, e-mailed when the mail transport exists.

Nothing here tells an unknown link from an expired, used or voided one (`LINK_UNUSABLE`), and
nothing says whether an account exists. The history records that a link was issued and used,
never the token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import PasswordReset, User
from app.services.accounts import passwords, permissions
from app.services.accounts import users as accounts
from app.services.accounts.browser_sessions import token_digest
from app.services.changes.history import Actor
from app.services.errors import NotFound, ValidationFailed
from app.services.rules import clock

RESET_LINK_LIFETIME = dt.timedelta(hours=24)
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200  # longer text in the path is no token of ours (and not worth hashing)
LINK_UNUSABLE = (
    "This password reset link cannot be used: it may have expired (links last 24 hours), been "
    "used already, or been replaced by a newer one. Ask an administrator for a new link."
)


@dataclass(frozen=True)
class IssuedLink:
    link: str  # shown or sent once; never stored
    expires_at: dt.datetime
    user: User
    # Set when the link went by e-mail (reset_mail): the address, and the outbox message to send.
    emailed_to: str = ""
    message_id: int | None = None


def reset_path(token: str) -> str:
    return f"/reset/{token}"


def issue_reset_link(*, session: Session, actor: Actor, user: User, base_url: str) -> IssuedLink:
    """A new one-time link for `user` (an administrator who may manage the account), voiding
    any open one. `base_url`: where the app is reached (`https://plantrack.example.org`)."""
    permissions.enforce(actor, permissions.manage_user(actor.user, user))
    if not user.active:
        raise ValidationFailed.one(
            "user", "This account is deactivated: reactivate it before issuing a reset link."
        )
    assert user.id is not None
    now = clock.clock()
    voided = session.execute(
        update(PasswordReset)
        .where(
            col(PasswordReset.user_id) == user.id,
            col(PasswordReset.used_at).is_(None),
            col(PasswordReset.voided_at).is_(None),
        )
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = PasswordReset(
        user_id=user.id,
        token_hash=token_digest(token),
        issued_by_id=actor.user_id,
        created_at=now,
        expires_at=now + RESET_LINK_LIFETIME,
    )
    session.add(row)
    session.flush()
    expiry = row.expires_at
    replaced = f" It replaces {voided} earlier link(s), which no longer work." if voided else ""
    accounts.record_account_change(
        session=session,
        actor=actor,
        user=user,
        changes={"password_reset_link": (None, f"issued, expires {expiry:%Y-%m-%d %H:%M} UTC")},
        note=f"A one-time password reset link was issued.{replaced}",
        versioned=False,
    )
    return IssuedLink(
        link=base_url.rstrip("/") + reset_path(token), expires_at=row.expires_at, user=user
    )


def usable_link(*, session: Session, token: str) -> tuple[PasswordReset, User]:
    """The open link behind `token` and its account, or NotFound (LINK_UNUSABLE) whatever the
    reason: unknown, expired, used, voided, or its account deactivated."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(LINK_UNUSABLE)
    row = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == token_digest(token))
    ).first()
    if row is None or row.used_at is not None or row.voided_at is not None:
        raise NotFound(LINK_UNUSABLE)
    if clock.clock() >= row.expires_at:
        raise NotFound(LINK_UNUSABLE)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise NotFound(LINK_UNUSABLE)
    return row, user


def find_usable_link(*, session: Session, token: str) -> tuple[PasswordReset, User] | None:
    """`usable_link`, or None instead of the refusal (for the page that shows the form)."""
    try:
        return usable_link(session=session, token=token)
    except NotFound:
        return None


def reset_password(*, session: Session, token: str, password: str) -> User:
    """Set the password of the account behind an open link, and use the link up. The new
    password follows the usual rules (ValidationFailed, field `password`, leaves the link open);
    every session of the account ends and its API tokens are revoked."""
    row, user = usable_link(session=session, token=token)
    passwords.check_password_policy(password, username=user.username)
    now = clock.clock()
    # Of two uses at once exactly one finds the link still open.
    used = session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.id) == row.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if used != 1:
        raise NotFound(LINK_UNUSABLE)
    return accounts.set_password(
        session=session,
        actor=Actor(user=user),
        user=user,
        password=password,
        how="Password set through a one-time reset link",
    )
