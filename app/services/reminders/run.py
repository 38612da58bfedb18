"""`plantrack remind` (issue 13): each person's digest, once, however many runs.

For each lead with an address who wants reminders (and did not unsubscribe): the digest their
preference owes today (schedule.digest_key), if it says anything, is recorded as a
`ReminderDigest` row together with its outbox message, in one transaction. The row's unique
(person, digest) pair is the guard: a rerun finds it; a concurrent run's insert of the same pair
waits for the first and then fails, and that run moves on. Nothing is sent before the row is
committed, and sending is the outbox's (claimed per message, retried when a server refuses), so
a crash between the two leaves a message that a later `plantrack mail retry` sends, never a
second digest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import Organization, ReminderDigest, User
from app.models.enums import ReminderFrequency, Role
from app.services.mail import unsubscribe
from app.services.mail.delivery import deliver_due
from app.services.mail.outbox import queue_message
from app.services.reminders import digest as digests
from app.services.reminders.schedule import digest_key
from app.services.rules import clock
from app.services.rules.update_cycles import Calendar
from app.services.views.my_work.due import local_today
from app.settings import get_settings

PURPOSE = "reminders"


@dataclass
class RemindReport:
    queued: int = 0  # digests recorded and handed to the outbox by this run
    already: int = 0  # owed today but recorded already (by an earlier or a concurrent run)
    nothing_to_say: int = 0
    not_today: int = 0
    sent: int = 0  # outbox deliveries by this run (every due message, not only digests)
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _candidates(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(User.id)
                .where(
                    col(User.active).is_(True),
                    col(User.email).is_not(None),
                    User.role == Role.lead,
                    col(User.department_id).is_not(None),
                    User.reminder_frequency != ReminderFrequency.none,
                )
                .order_by(User.id)
            )
        )  # type: ignore[arg-type]


def _remind_one(engine: Engine, user_id: int, now: dt.datetime, report: RemindReport) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, user_id)
        org = session.get(Organization, user.organization_id) if user else None
        if user is None or org is None or not user.email:
            return
        if unsubscribe.is_opted_out(session, user_id, PURPOSE):
            report.not_today += 1
            return
        key = digest_key(user.reminder_frequency, Calendar.of(org), local_today(org, now))
        if key is None:
            report.not_today += 1
            return
        taken = select(ReminderDigest.id).where(
            ReminderDigest.user_id == user_id, ReminderDigest.digest_key == key
        )
        if session.exec(taken).first() is not None:
            report.already += 1
            return
        digest = digests.digest_for(session, user, now)
        if digest is None:
            report.nothing_to_say += 1
            return
        row = ReminderDigest(user_id=user_id, digest_key=key, items=digest.count, created_at=now)
        session.add(row)
        try:
            session.flush()  # a concurrent run's row for the same pair: this waits, then fails
        except IntegrityError:
            session.rollback()
            report.already += 1
            return
        base = get_settings().base_url
        message = queue_message(
            session=session,
            to=user.email,
            subject=digests.subject(digest),
            text=digests.text_body(digest, base),
            html=digests.html_body(digest, base),
            headers=unsubscribe.headers(user_id, PURPOSE),
            purpose=PURPOSE,
            organization_id=org.id,
            now=now,
        )
        row.outbox_message_id = message.id
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # the pair was committed by another run between flush and commit
            session.rollback()
            report.already += 1
            return
        report.queued += 1


def remind(engine: Engine, *, now: dt.datetime | None = None, deliver: bool = True) -> RemindReport:
    """Record and queue every digest owed now, then deliver what the outbox has due."""
    moment = clock.now_or_clock(now)
    report = RemindReport()
    for user_id in _candidates(engine):
        _remind_one(engine, user_id, moment, report)
    if deliver:
        delivered = deliver_due(engine, now=moment)
        report.sent, report.failed = delivered.sent, delivered.failed
        report.errors = list(delivered.errors)
    return report
