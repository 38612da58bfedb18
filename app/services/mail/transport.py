"""Handing one message to the SMTP server (smtplib): STARTTLS when set, login when a user is set,
every wait bounded by a timeout. With STARTTLS on, a server that does not offer it gets nothing:
the message fails rather than travel (and the password with it) in clear."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from pydantic import SecretStr

from app.models.mail import ERROR_MAX
from app.settings import Settings, get_settings


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    starttls: bool
    user: str
    password: SecretStr
    timeout_s: float

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> SmtpConfig:
        s = settings or get_settings()
        return cls(
            host=s.smtp_host.strip(),
            port=s.smtp_port,
            starttls=s.smtp_starttls,
            user=s.smtp_user,
            password=s.smtp_password,
            timeout_s=s.smtp_timeout_s,
        )

    @property
    def demo(self) -> bool:
        """No server: messages stay in the outbox."""
        return not self.host


class DeliveryFailed(Exception):
    """The server was unreachable or refused the message; `str()` says why, for the outbox."""


def describe(exc: BaseException) -> str:
    """One line for the outbox's `last_error` (never the password: smtplib does not echo it)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error
        text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        said = f"{type(exc).__name__}: {exc.smtp_code} {text}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        said = f"SMTPRecipientsRefused: {exc.recipients}"
    else:
        said = f"{type(exc).__name__}: {exc}"
    return " ".join(said.split())[:ERROR_MAX]


def send(config: SmtpConfig, email: EmailMessage) -> None:
    """Deliver `email` or raise DeliveryFailed."""
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
            smtp.ehlo()
            if config.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryFailed(
                        "SMTP_STARTTLS is on but the server does not offer STARTTLS: not sent"
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.user:
                smtp.login(config.user, config.password.get_secret_value())
            refused = smtp.send_message(email)
            if refused:
                raise DeliveryFailed(f"SMTPRecipientsRefused: {refused}")
    except DeliveryFailed:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(describe(exc)) from exc
