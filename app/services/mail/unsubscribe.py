"""One-click unsubscribe (RFC 8058): a signed link in every reminder, and the opt-out it records.

The token names the user and the kind of mail, signed with SECRET_KEY (itsdangerous, its own
salt, so no other signed value of the app — a session cookie, a CSRF token — is accepted as one).
It is the whole authority of the request: a mail provider posts it from its own servers, with no
cookie and no CSRF token, so the route is exempt from CSRF (app.auth) and anyone holding the link
can do exactly one thing with it: stop that kind of mail for that person. A tampered token, or
one for a kind of mail there is none of, is refused with a clear message.
"""

from __future__ import annotations

import datetime as dt

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import User
from app.models.enums import ReminderFrequency
from app.models.mail import MailOptOut
from app.services.accounts.users import record_account_change
from app.services.changes.history import Actor
from app.services.errors import DomainError, NotFound
from app.services.rules import clock
from app.settings import get_settings

SALT = "plantrack-unsubscribe"
# The kinds of mail a person can stop, and how the pages name them.
REMINDERS = "reminders"
PURPOSES = {REMINDERS: "reminder e-mails"}
ONE_CLICK = "List-Unsubscribe=One-Click"


class InvalidUnsubscribeLink(DomainError):
    status_code = 400
    code = "invalid_unsubscribe_link"


INVALID = (
    "This unsubscribe link is not valid: it may have been cut short or changed. Use the link "
    "from the e-mail itself, or change your e-mail settings after signing in."
)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=SALT)


def make_token(user_id: int, purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown mail purpose {purpose!r}")
    return _serializer().dumps({"u": user_id, "p": purpose})


def read_token(token: str) -> tuple[int, str]:
    """(user id, purpose) of a token; InvalidUnsubscribeLink if it is not one of ours."""
    try:
        data = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError) as exc:
        raise InvalidUnsubscribeLink(INVALID) from exc
    if not isinstance(data, dict):
        raise InvalidUnsubscribeLink(INVALID)
    user_id, purpose = data.get("u"), data.get("p")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or purpose not in PURPOSES:
        raise InvalidUnsubscribeLink(INVALID)
    return user_id, purpose


def url(user_id: int, purpose: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/unsubscribe/{make_token(user_id, purpose)}"


def headers(user_id: int, purpose: str) -> dict[str, str]:
    """The headers of a message that can be unsubscribed from in one click (RFC 2369, 8058)."""
    return {"List-Unsubscribe": f"<{url(user_id, purpose)}>", "List-Unsubscribe-Post": ONE_CLICK}


def target(session: Session, token: str) -> tuple[User, str]:
    """The person and the kind of mail a link names (404 when the account no longer exists)."""
    user_id, purpose = read_token(token)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("The account this link was sent to no longer exists.")
    return user, purpose


def is_opted_out(session: Session, user_id: int, purpose: str) -> bool:
    return (
        session.exec(
            select(MailOptOut.id).where(
                MailOptOut.user_id == user_id, MailOptOut.purpose == purpose
            )
        ).first()
        is not None
    )


def opt_out(
    *, session: Session, user_id: int, purpose: str, now: dt.datetime | None = None
) -> bool:
    """The hook reminders use: `user_id` wants no more mail of `purpose`. True if this recorded
    it, False if it was recorded already (clicking twice changes nothing)."""
    if purpose not in PURPOSES:
        raise InvalidUnsubscribeLink(INVALID)
    if is_opted_out(session, user_id, purpose):
        return False
    try:
        with session.begin_nested():  # two clicks at once: the second finds the first's row
            session.add(MailOptOut(user_id=user_id, purpose=purpose, at=clock.now_or_clock(now)))
    except IntegrityError:
        return False
    return True


def opt_back_in(session: Session, user_id: int, purpose: str) -> bool:
    """Undo an opt-out: the person chose this mail again (their reminder preference on the
    account page). True if there was one to undo."""
    removed = session.execute(
        delete(MailOptOut).where(
            col(MailOptOut.user_id) == user_id, col(MailOptOut.purpose) == purpose
        )
    )
    return bool(removed.rowcount)  # type: ignore[attr-defined]


def unsubscribe(*, session: Session, token: str) -> tuple[User, str, bool]:
    """Record the opt-out a link names: (the person, the purpose, whether it was new).

    Opting out of reminders also sets the person's reminder preference to none (the account
    page then says so, and choosing a digest there again is how they opt back in), with a
    history entry in the person's own name: the signed link is their act."""
    user, purpose = target(session, token)
    assert user.id is not None
    new = opt_out(session=session, user_id=user.id, purpose=purpose)
    if purpose == "reminders" and user.reminder_frequency != ReminderFrequency.none:
        before = user.reminder_frequency
        user.reminder_frequency = ReminderFrequency.none
        user.version += 1
        session.add(user)
        record_account_change(
            session=session,
            actor=Actor(user=user),
            user=user,
            changes={"reminder_frequency": (str(before), ReminderFrequency.none.value)},
            note="Unsubscribed from reminders by the link in a reminder e-mail.",
        )
    return user, purpose, new
