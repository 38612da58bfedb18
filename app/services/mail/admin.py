"""The outbox as administrators read it: the messages of their organisation (an installation
administrator: every message), one message whole, and "retry now" for a failed one.

Who may read which message is app.services.accounts.permissions.administer_mail; a message of
another organisation is answered as missing (404), so its existence is not told either.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.models import User
from app.models.mail import MailStatus, OutboxMessage
from app.services.accounts import permissions
from app.services.changes.history import Actor
from app.services.errors import NotFound, ValidationFailed
from app.services.mail.outbox import SECRET_PURPOSES, SECRET_WITHHELD
from app.services.rules import clock

PAGE_SIZE = 100
NOT_FOUND = "No such message in the outbox."


def _visible(user: User | None):  # noqa: ANN202  (a SQL condition)
    if permissions.is_installation_admin(user):
        return col(OutboxMessage.id).is_not(None)
    org = user.organization_id if user is not None else None
    return col(OutboxMessage.organization_id) == (org if org is not None else -1)


@dataclass(frozen=True)
class OutboxPage:
    messages: list[OutboxMessage]
    total: int
    status: str  # the filter, "" for every status
    counts: dict[str, int]


def list_messages(
    *, session: Session, actor: Actor, status: str = "", limit: int = PAGE_SIZE
) -> OutboxPage:
    """The newest messages the actor may read (401/403 for anyone but an administrator)."""
    permissions.enforce(actor, permissions.manage_users(actor.user))
    if status and status not in MailStatus.__members__:
        raise ValidationFailed.one("status", "Choose a status from the list.")
    visible = _visible(actor.user)
    counts = dict(
        session.exec(
            select(OutboxMessage.status, func.count())
            .where(visible)
            .group_by(col(OutboxMessage.status))
        ).all()
    )
    query = select(OutboxMessage).where(visible)
    if status:
        query = query.where(OutboxMessage.status == status)
    rows = session.exec(
        query.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc()).limit(
            limit
        )
    ).all()
    total = counts.get(status, 0) if status else sum(counts.values())
    return OutboxPage(messages=list(rows), total=total, status=status, counts=counts)


def get_message(*, session: Session, actor: Actor, message_id: int) -> OutboxMessage:
    permissions.enforce(actor, permissions.manage_users(actor.user))
    message = session.get(OutboxMessage, message_id)
    if (
        message is None
        or not permissions.administer_mail(actor.user, message.organization_id).allowed
    ):
        raise NotFound(NOT_FOUND)
    return message


def readable_bodies(message: OutboxMessage) -> tuple[str, str]:
    """The (text, HTML) bodies an administrator may read: not a secret's (see SECRET_PURPOSES)."""
    if message.purpose in SECRET_PURPOSES:
        return (SECRET_WITHHELD, "")
    return (message.text_body, message.html_body)


def headers_of(message: OutboxMessage) -> dict[str, str]:
    """The further headers as recorded (none, if the column holds something else)."""
    try:
        value = json.loads(message.headers_json or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def retry_now(
    *, session: Session, actor: Actor, message_id: int, now: dt.datetime | None = None
) -> OutboxMessage:
    """Make a failed message due at once (the caller then delivers it, or the next run does).

    Conditional on its status, so two administrators clicking at once, or a delivery run taking
    it meanwhile, make it due once."""
    message = get_message(session=session, actor=actor, message_id=message_id)
    if message.status != MailStatus.failed:
        raise ValidationFailed.one(
            "status", f"Only a failed message can be retried; this one is {message.status}."
        )
    moment = clock.now_or_clock(now)
    changed = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == MailStatus.failed)
        .values(status=MailStatus.queued, next_attempt_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise ValidationFailed.one("status", "This message is already being sent again.")
    session.refresh(message)
    return message
