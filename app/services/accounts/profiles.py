"""What a person changes on their own account (display name, e-mail address, reminder
preference, password), what an administrator changes on someone's, and reactivating an account.

A profile change is versioned like any other edit (a stale one is refused with the newer values,
app.services.changes.editing) and recorded in the history; a password never is, only the fact.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models import User
from app.models.base import whole_number
from app.models.enums import ReminderFrequency, SubjectType
from app.services.accounts import api_tokens, passwords, permissions, sign_in
from app.services.accounts import users as accounts
from app.services.accounts.user_fields import (
    EMAIL_TAKEN,
    email_address,
    email_taken,
    reminder_frequency_named,
)
from app.services.accounts.users import record_account_change
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor
from app.services.errors import FieldProblem, NotFound, PermissionDenied, ValidationFailed
from app.services.mail import unsubscribe
from app.services.rules import clock

PROFILE_FIELDS = ("display_name", "email", "reminder_frequency")
NO_PASSWORD_YET = (
    "This account has no password to change: ask an administrator for a password reset link."
)
WRONG_CURRENT_PASSWORD = "This is not your current password."


def account_of(session: Session, user: User) -> User:
    """The signed-in person's own row, in `session` (the request's user is detached from it)."""
    assert user.id is not None
    return session.get(User, user.id) or user


def version_typed(text: str) -> int:
    """The version a form sent (hidden): a whole number, else refused (field `version`)."""
    value = whole_number(text.strip())
    if value is None or value < 1:
        raise ValidationFailed.one("version", "Reload the page and try again.")
    return value


def check_repeated(password: str, again: str) -> None:
    """A form that asks for a new password twice: both must be the same (field
    `password_again`)."""
    if password != again:
        raise ValidationFailed.one("password_again", "The two new passwords differ.")


def _profile_changes(
    session: Session,
    user: User,
    *,
    display_name: str | None,
    email: str | None,
    reminder_frequency: str | None,
) -> dict[str, str | None]:
    """The checked new values of the fields given (None: not given; an e-mail of "" removes it);
    every problem at once."""
    problems: list[FieldProblem] = []
    changes: dict[str, str | None] = {}
    if display_name is not None:
        display = display_name.strip()
        if len(display) > 200:
            problems.append(FieldProblem("display_name", "Use at most 200 characters."))
        changes["display_name"] = display
    if email is not None:
        try:
            address = email_address(email)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
        else:
            if address is not None and email_taken(session, address, other_than=user.id):
                problems.append(FieldProblem("email", EMAIL_TAKEN))
            changes["email"] = address
    if reminder_frequency is not None:
        try:
            changes["reminder_frequency"] = reminder_frequency_named(reminder_frequency).value
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems)
    return changes


def update_profile(
    *,
    session: Session,
    actor: Actor,
    user: User,
    version: int,
    display_name: str | None = None,
    email: str | None = None,
    reminder_frequency: str | None = None,
) -> User:
    """Change a display name, e-mail address (stored lower-cased; "" removes it) or reminder
    preference. The account's owner or an administrator who may manage it; `version` is the
    one the change was made from (Conflict, 409, with the newer values when it is stale)."""
    permissions.enforce(actor, permissions.edit_account(actor.user, user))
    changes = _profile_changes(
        session,
        user,
        display_name=display_name,
        email=email,
        reminder_frequency=reminder_frequency,
    )
    assert user.id is not None
    _opt_back_in(session, actor, user, changes.get("reminder_frequency"))
    try:
        # A savepoint: an address taken by a concurrent save (after the check above) is refused
        # like any taken address, not a server error.
        with session.begin_nested():
            save_changes(
                session=session,
                item=user,
                expected_version=version,
                changes=changes,
                actor=actor,
                subject_type=SubjectType.user,
                label=f"User {user.username}",
                plan_id=None,
                organization_id=user.organization_id,
            )
    except IntegrityError as exc:
        if "email" not in str(exc.orig).lower():
            raise
        raise ValidationFailed.one("email", EMAIL_TAKEN) from None
    return user


def _opt_back_in(session: Session, actor: Actor, user: User, frequency: str | None) -> None:
    """Choosing a digest again undoes an unsubscribe link's opt-out, which the reminders honour
    above the preference. Only the person may: an administrator cannot overrule their opt-out."""
    if frequency in (None, ReminderFrequency.none):
        return
    assert user.id is not None
    if not unsubscribe.is_opted_out(session, user.id, unsubscribe.REMINDERS):
        return
    if actor.user is None or actor.user.id != user.id:
        name = user.display_name or user.username
        raise ValidationFailed.one(
            "reminder_frequency",
            f"{name} unsubscribed from reminder e-mails by the link in one; "
            "only they can choose a digest again.",
        )
    unsubscribe.opt_back_in(session, user.id, unsubscribe.REMINDERS)


def change_own_password(
    *,
    session: Session,
    actor: Actor,
    user: User,
    current_password: str,
    new_password: str,
    address: str,
    keep_session_id: int | None = None,
) -> User:
    """A person sets a new password, proving the current one; the new one follows the same rules
    as everywhere (passwords.check_password_policy). Their other browser sessions end (the one
    `keep_session_id` names stays signed in) and their API tokens are revoked. Wrong current
    passwords count towards the sign-in throttle of the account and `address` (TooManyAttempts,
    429, once it bites)."""
    if actor.user is None or actor.user.id != user.id or not user.active:
        raise PermissionDenied("Only the account's owner changes its password here.")
    if user.password_hash is None:
        raise ValidationFailed.one("current_password", NO_PASSWORD_YET)
    # The new password's own faults first: a right current password with a refused new one must
    # not be left counted as a failed guess (the refusal rolls the attempt's removal back).
    passwords.check_password_policy(new_password, username=user.username)
    if new_password == current_password:
        raise ValidationFailed.one("password", "Choose a password other than the current one.")
    right = sign_in.check_current_password(
        session=session, user=user, password=current_password, address=address
    )
    if not right:
        raise ValidationFailed.one("current_password", WRONG_CURRENT_PASSWORD)
    return accounts.set_password(
        session=session,
        actor=actor,
        user=user,
        password=new_password,
        keep_session_id=keep_session_id,
        how="Password changed by its owner",
    )


def reactivate(*, session: Session, actor: Actor, user: User) -> User:
    """Switch a deactivated account back on. Its API tokens from before stay off for good (they
    are revoked now): whoever it is made new ones if they need them."""
    permissions.enforce(actor, permissions.manage_user(actor.user, user))
    if user.active:
        return user
    now = clock.clock()
    user.active = True
    user.version += 1
    user.updated_at = now
    session.add(user)
    revoked = api_tokens.revoke_all_api_tokens(session=session, user=user, now=now)
    record_account_change(
        session=session,
        actor=actor,
        user=user,
        changes={"active": (False, True)},
        note=f"Reactivated; {revoked} API token(s) from before revoked.",
    )
    return user


def managed_user(*, session: Session, user: User | None, user_id: int) -> User:
    """The account `user_id` for an administrator who may manage it. Another organisation's
    account is "not found" to an administrator, exactly like a missing one; anyone else who is
    no administrator is refused (401/403) before that."""
    decision = permissions.manage_users(user)
    permissions.enforce(Actor(user=user), decision)
    target = session.get(User, user_id)
    if target is None or not permissions.manage_user(user, target).allowed:
        raise NotFound("No such user.")
    return target
