"""`plantrack remind`: each person's reminder digest, once (run it daily from cron or a timer)."""

from __future__ import annotations

import typer

from app.db import get_engine
from app.services.mail.transport import SmtpConfig
from app.services.reminders.run import remind


def remind_command() -> None:
    """Send each lead the digest their reminder preference owes today (weekly, or in the days
    before a due day): update requests waiting for them, overdue items and items due soon.
    Safe to run again or on several machines at once: each digest is sent once. Exits 1 when
    the mail server refused a message (it stays in the outbox and is retried later)."""
    report = remind(get_engine())
    mail = (
        "kept in the outbox (no SMTP_HOST)"
        if SmtpConfig.from_settings().demo
        else f"mail: {report.sent} sent, {report.failed} failed"
    )
    typer.echo(
        f"{report.queued} digest(s) recorded ({report.already} already sent, "
        f"{report.nothing_to_say} with nothing to say); {mail}."
    )
    for line in report.errors:
        typer.echo(line, err=True)
    if report.failed:
        raise typer.Exit(1)
