"""Delivering what the outbox holds: each message claimed by one process, sent, and its result
recorded; nothing lost, nothing sent twice by two processes at once.

1. Claim, in a short transaction of its own: `UPDATE … SET status='sending', claim_token=…,
   attempts=attempts+1 WHERE id=… AND (status IN ('queued','failed') AND next_attempt_at <= now,
   or status='sending' claimed longer than CLAIM_LEASE ago)`. The database lets one UPDATE
   match: the process that sees one row changed owns the message; another gets 0 and moves on.
2. Send, holding no transaction (the SMTP server may take its time; SMTP_TIMEOUT_S bounds it).
3. Record, only while still holding the claim (`WHERE claim_token=…`): `sent`, or `failed` with
   the error and the next attempt after a growing wait (1 min, 2, 4 … at most 6 h; after
   MAX_ATTEMPTS no more automatic attempts, an administrator may still retry it).

A process that dies between 1 and 3 leaves the row `sending`: after CLAIM_LEASE (far longer than
any send may take) another run claims it again. With no SMTP server set the claim ends `stored`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, select

from app.models.mail import ERROR_MAX, MailStatus, OutboxMessage
from app.services.mail import transport
from app.services.mail.compose import build_email
from app.services.mail.outbox import SECRET_PURPOSES, SECRET_REMOVED
from app.services.rules import clock

CLAIM_LEASE = dt.timedelta(minutes=15)
FIRST_WAIT = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=6)
MAX_ATTEMPTS = 10
RETRYABLE = (MailStatus.queued, MailStatus.failed)


def next_wait(attempts: int) -> dt.timedelta:
    """How long after the `attempts`-th failed attempt the next one is due."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _claimable(now: dt.datetime):  # noqa: ANN202  (a SQL condition)
    return or_(
        and_(
            col(OutboxMessage.status).in_([s.value for s in RETRYABLE]),
            col(OutboxMessage.next_attempt_at) <= now,
        ),
        and_(
            col(OutboxMessage.status) == MailStatus.sending,
            col(OutboxMessage.claimed_at) < now - CLAIM_LEASE,
        ),
    )


def claim(engine: Engine, message_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Take message `message_id` for this process: its claim token, or None when it is not due
    or another process holds it."""
    moment = clock.now_or_clock(now)
    token = secrets.token_hex(16)
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, _claimable(moment))
        .values(
            status=MailStatus.sending,
            claim_token=token,
            claimed_at=moment,
            attempts=col(OutboxMessage.attempts) + 1,
        )
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as session:
        taken = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        session.commit()
    return token if taken else None


def _record(engine: Engine, message_id: int, token: str, **values: object) -> bool:
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.claim_token) == token)
        .values(claim_token="", **values)
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as session:
        written = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        session.commit()
    return written


@dataclass
class Outcome:
    message_id: int
    status: MailStatus | None  # None: not claimed (not due, or another process has it)
    error: str = ""


def deliver_message(
    engine: Engine,
    message_id: int,
    *,
    config: transport.SmtpConfig | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Claim, send and record one message (see the module's docstring)."""
    config = config or transport.SmtpConfig.from_settings()
    moment = clock.now_or_clock(now)
    token = claim(engine, message_id, now=moment)
    if token is None:
        return Outcome(message_id, None)
    with Session(engine, expire_on_commit=False) as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None  # claimed a moment ago; rows are never deleted
        session.expunge(message)
        session.rollback()
    # A secret the message carried (a reset link) is not kept once the message leaves the outbox.
    scrub = (
        {"text_body": SECRET_REMOVED, "html_body": ""} if message.purpose in SECRET_PURPOSES else {}
    )
    if config.demo:
        _record(engine, message_id, token, status=MailStatus.stored, next_attempt_at=None, **scrub)
        return Outcome(message_id, MailStatus.stored)
    try:
        transport.send(config, build_email(message))
    except (transport.DeliveryFailed, ValueError, TypeError) as exc:
        # ValueError/TypeError: a recorded message the email package will not build (its
        # headers were checked when it was queued; this keeps a bad row from staying claimed).
        error = str(exc)[:ERROR_MAX]
        attempts = message.attempts
        retry_at = moment + next_wait(attempts) if attempts < MAX_ATTEMPTS else None
        _record(
            engine,
            message_id,
            token,
            status=MailStatus.failed,
            last_error=error,
            next_attempt_at=retry_at,
        )
        return Outcome(message_id, MailStatus.failed, error)
    _record(
        engine,
        message_id,
        token,
        status=MailStatus.sent,
        sent_at=clock.now_or_clock(None),
        last_error="",
        next_attempt_at=None,
        **scrub,
    )
    return Outcome(message_id, MailStatus.sent)


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    stored: int = 0
    errors: list[str] = field(default_factory=list)


def due_ids(engine: Engine, *, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    moment = clock.now_or_clock(now)
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage.id)
            .where(_claimable(moment))
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
            .limit(limit)
        ).all()
        session.rollback()
    return [r for r in rows if r is not None]


def deliver_due(
    engine: Engine,
    *,
    config: transport.SmtpConfig | None = None,
    now: dt.datetime | None = None,
    limit: int = 500,
) -> Report:
    """Send every message that is due (first recorded, failed and due again, or abandoned by a
    process that died); safe to run in several processes at once."""
    config = config or transport.SmtpConfig.from_settings()
    report = Report()
    for message_id in due_ids(engine, now=now, limit=limit):
        outcome = deliver_message(engine, message_id, config=config, now=now)
        if outcome.status == MailStatus.sent:
            report.sent += 1
        elif outcome.status == MailStatus.stored:
            report.stored += 1
        elif outcome.status == MailStatus.failed:
            report.failed += 1
            report.errors.append(f"message {message_id}: {outcome.error}")
    return report
