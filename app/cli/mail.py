"""`plantrack mail`: deliver what the outbox holds that is due, and send a test message."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import domain_failure, fail
from app.db import get_engine
from app.services.errors import DomainError
from app.services.mail import send_message
from app.services.mail.delivery import deliver_due
from app.services.mail.transport import SmtpConfig

mail_app = typer.Typer(
    help=(
        "Mail: every message is recorded in the outbox first, then sent through SMTP_HOST. "
        "Run `plantrack mail retry` from cron or a systemd timer (every few minutes) to send "
        "what a refused or unreachable server left failed; several runs at once are safe."
    ),
    no_args_is_help=True,
)


def _run_due(limit: int) -> None:
    config = SmtpConfig.from_settings()
    report = deliver_due(get_engine(), config=config, limit=limit)
    where = "kept in the outbox (no SMTP_HOST)" if config.demo else "sent"
    count = report.stored if config.demo else report.sent
    typer.echo(f"{count} {where}, {report.failed} failed.")
    for line in report.errors:
        typer.echo(line, err=True)
    if report.failed:
        raise typer.Exit(1)


@mail_app.command("retry")
def mail_retry(
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages in one run.")] = 500,
) -> None:
    """Send every message that is due: queued, failed and due again, or left by a run that died.
    Exits 1 when a message failed (it is tried again later, with a growing wait)."""
    _run_due(limit)


@mail_app.command("send-due", hidden=True)
def mail_send_due(
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages in one run.")] = 500,
) -> None:
    """The same as `retry`."""
    _run_due(limit)


@mail_app.command("test")
def mail_test(
    to: Annotated[str, typer.Argument(help="The address to send the test message to.")],
) -> None:
    """Send one test message now, to check the SMTP settings."""
    try:
        outcome = send_message(
            get_engine(),
            to=to,
            subject="PlanTrack test message",
            text="This is a test message from PlanTrack: the mail settings work.",
            html="<p>This is a test message from PlanTrack: the mail settings work.</p>",
            purpose="test",
        )
    except DomainError as exc:
        raise domain_failure(exc) from exc
    if outcome.status is None or outcome.error:
        raise fail(f"Not sent: {outcome.error or 'another process took it'} (left in the outbox)")
    typer.echo(f"Message {outcome.message_id}: {outcome.status}.")
