"""What API clients send to manage accounts (issue 13): a new user, a change of someone's
details, a change of one's own details and preferences, a change of one's own password."""

from __future__ import annotations

import pydantic as pd

from app.models.base import MAX_ID, ClientInput
from app.models.enums import ReminderFrequency, Role

VERSION_DOC = "The version you changed: the account's `version` (its ETag)"
EMAIL_DOC = (
    "An e-mail address (stored lower-cased; unique whatever its case); `null` or an empty "
    "string removes it"
)


class UserCreateIn(ClientInput):
    """A new account. Without `password` it cannot sign in until a reset link is used."""

    username: str = pd.Field(min_length=1, max_length=80)
    display_name: str = pd.Field(default="", max_length=200)
    email: str | None = pd.Field(default=None, max_length=320, description=EMAIL_DOC)
    role: Role
    department: str | None = pd.Field(
        default=None, max_length=80, description="The department's code or id (a lead needs one)"
    )
    organization: str | None = pd.Field(
        default=None,
        max_length=200,
        description="The organisation's slug or id; by default the administrator's own",
    )
    password: str | None = pd.Field(default=None, max_length=1_024)


class UserChange(ClientInput):
    """Send only the fields that change, with `version`."""

    version: int = pd.Field(ge=1, le=MAX_ID, description=VERSION_DOC)
    display_name: str | None = pd.Field(default=None, max_length=200)
    email: str | None = pd.Field(default=None, max_length=320, description=EMAIL_DOC)


class AccountChange(UserChange):
    """One's own details and reminder preference: send only the fields that change, with
    `version`. The e-mail address (where reset links go) changes only from a signed-in browser
    or with a session, never with an API token."""

    reminder_frequency: ReminderFrequency | None = None


class PasswordChangeIn(ClientInput):
    """One's own new password, proven by the current one. Every session ends and every API
    token of the account is revoked (the one sending this too)."""

    current_password: str = pd.Field(max_length=1_024)
    new_password: str = pd.Field(max_length=1_024)
