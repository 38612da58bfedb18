"""A real SMTP server on loopback (aiosmtpd) for the mail tests, and the settings that point the
app at it. The server keeps every message it accepted; `refuse` makes it answer 5xx to DATA."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.settings import get_settings


@dataclass
class Arrived:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None  # who logged in, if anyone
    tls: bool = False  # whether it came over a connection upgraded with STARTTLS


@dataclass
class Collector:
    arrived: list[Arrived] = field(default_factory=list)
    refuse: str = ""  # e.g. "554 5.7.1 Refused": answer DATA with it
    delay_s: float = 0.0  # take this long over each message
    # Hold each message until this many connections have each sent one (at most 60 s): two
    # senders then certainly overlap, however slowly a loaded machine starts the second.
    overlap: int = 0
    senders: set[int] = field(default_factory=set)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.overlap:
            self.senders.add(id(session))
            deadline = asyncio.get_running_loop().time() + 60
            while len(self.senders) < self.overlap:
                if asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.01)
        if self.refuse:
            return self.refuse
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        self.arrived.append(
            Arrived(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,  # type: ignore[arg-type]
                login,
                tls=getattr(session, "ssl", None) is not None,
            )
        )
        return "250 OK"


def free_port() -> int:
    """A loopback port nobody listens on (right now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpServer:
    port: int
    collector: Collector
    users: dict[str, str]

    @property
    def arrived(self) -> list[Arrived]:
        return self.collector.arrived


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def smtp_server(
    users: dict[str, str] | None = None, *, tls: tuple[Path, Path] | None = None
) -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1; with `users`, it offers AUTH LOGIN/PLAIN and accepts those
    names and passwords (without TLS unless `tls` is given: only on loopback, for the test);
    with `tls` (certificate, key) it offers STARTTLS and requires it."""
    collector = Collector()
    known = dict(users or {})

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        if known.get(data.login.decode()) == data.password.decode():
            return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)

    port = free_port()
    options: dict[str, Any] = {}
    if users is not None:
        options = {"authenticator": authenticate, "auth_require_tls": tls is not None}
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        options |= {"tls_context": context, "require_starttls": True}
    controller = Controller(collector, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer(port, collector, known)
    finally:
        controller.stop()


@contextmanager
def mail_settings(**values: str) -> Iterator[None]:
    """Environment settings for the test's duration (SMTP_HOST="127.0.0.1", SMTP_PORT=…)."""
    saved = {k: os.environ.get(k.upper()) for k in values}
    os.environ.update({k.upper(): v for k, v in values.items()})
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key.upper(), None)
            else:
                os.environ[key.upper()] = value
        get_settings.cache_clear()
