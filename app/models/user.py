"""People who sign in, their sessions and API tokens, and the login throttle's memory.

All of it lives in the database so several app processes behave as one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import Versioned, enum_check, enum_field, utcnow
from app.models.enums import ReminderFrequency, Role, TokenScope


class User(Versioned, table=True):
    __table_args__ = (
        enum_check("role", Role),
        enum_check("reminder_frequency", ReminderFrequency),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL", index=True
    )
    department_id: int | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL", index=True
    )
    username: str = Field(sa_type=String(80), unique=True)
    display_name: str = Field(default="", sa_type=String(200))
    role: str = enum_field(Role, Role.viewer)
    # An administrator (role admin) who runs the whole installation: every organisation and
    # everything in it. Set only from the command line; any other administrator manages only
    # their own organisation (app.services.accounts.permissions).
    is_installation_admin: bool = Field(default=False)
    password_hash: str | None = Field(default=None, sa_type=String(300))
    active: bool = Field(default=True)
    last_login_at: dt.datetime | None = None
    # Where reminders and reset links go. Stored lower-cased (app.services.accounts.user_fields
    # .email_address), so the plain unique constraint is case-insensitive on SQLite and
    # PostgreSQL alike; None for accounts made before e-mail addresses (several NULLs are fine).
    email: str | None = Field(default=None, sa_type=String(254), unique=True)
    reminder_frequency: str = enum_field(ReminderFrequency, ReminderFrequency.weekly)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    __table_args__ = (enum_check("scope", TokenScope),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_type=String(100))
    token_hash: str = Field(sa_type=String(128), unique=True)
    prefix: str = Field(sa_type=String(16))
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    # None: until revoked (or the owner's password changes, or the owner is deactivated).
    expires_at: dt.datetime | None = None
    scope: str = enum_field(TokenScope, TokenScope.read_write)


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds only a random id; its hash is the key here."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(128), unique=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    csrf_token: str = Field(sa_type=String(128))
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime = Field(default_factory=utcnow)
    revoked_at: dt.datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """One failed sign-in, keyed by account and by address, for throttling across processes."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_type=String(80), index=True)
    address: str = Field(sa_type=String(64), index=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)


class PasswordReset(SQLModel, table=True):
    """A one-time link an administrator issued to set a user's password without the old one.

    Only the token's SHA-256 is stored. A link is usable once (`used_at`), until `expires_at`,
    and issuing a new one for the same user voids the open ones (`voided_at`)."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(sa_type=String(128), unique=True)
    issued_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    voided_at: dt.datetime | None = None
