"""A message as the SMTP server receives it: stdlib `email`, multipart/alternative (text, HTML).

Every value that goes into a header is checked before it is recorded: a line break in a subject
or an address (header injection) is refused naming the field, as is a header the caller may not
set (From, To, Subject… are the outbox's own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr

from app.models.mail import ADDRESS_MAX, SUBJECT_MAX, OutboxMessage
from app.services.errors import FieldProblem, ValidationFailed

# What the outbox sets itself; a caller's `headers` may not replace them.
RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "message-id", "content-type",
     "content-transfer-encoding", "mime-version", "sender", "reply-to-all"}
)  # fmt: skip
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,76}")
_ADDR_SPEC = re.compile(
    r"[^@\s<>(),;:\"\[\]\\]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63}){0,8}"
)


def _no_line_breaks(value: str) -> bool:
    return not any(c in value for c in "\r\n\0")


def address_problem(value: str) -> str:
    """Why `value` is no single e-mail address ("" when it is one)."""
    if not value or not _no_line_breaks(value) or len(value) > ADDRESS_MAX:
        return "Give one e-mail address, on one line."
    found = getaddresses([value])
    addr = found[0][1] if len(found) == 1 else ""
    if not _ADDR_SPEC.fullmatch(addr) or ".." in addr:
        return "This is not an e-mail address (name@example.org)."
    return ""


def check_message(
    *, to: str, sender: str, subject: str, headers: Mapping[str, str] | None
) -> dict[str, str]:
    """The further headers, checked; ValidationFailed naming each bad field."""
    problems: list[FieldProblem] = []
    for field_name, value in (("to", to), ("from", sender)):
        problem = address_problem(value)
        if problem:
            problems.append(FieldProblem(field_name, problem))
    if not subject.strip() or not _no_line_breaks(subject) or len(subject) > SUBJECT_MAX:
        problems.append(
            FieldProblem("subject", f"A subject on one line, 1 to {SUBJECT_MAX} characters.")
        )
    extra: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not _HEADER_NAME.fullmatch(name) or name.lower() in RESERVED_HEADERS:
            problems.append(FieldProblem("headers", f"{name!r} cannot be set on a message."))
        elif not _no_line_breaks(value) or len(value) > 2_000:
            problems.append(FieldProblem("headers", f"{name}: one line, at most 2,000 characters."))
        else:
            extra[name] = value
    if problems:
        raise ValidationFailed(problems)
    return extra


def new_message_id(sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "plantrack.invalid"
    return make_msgid(domain=domain)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The recorded message as a MIME message: plain text first, then HTML (the client shows the
    last part it can: HTML where it can, the text elsewhere)."""
    email = EmailMessage()
    email["From"] = message.from_address
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    for name, value in json.loads(message.headers_json or "{}").items():
        email[name] = value
    email.set_content(message.text_body or "", subtype="plain", charset="utf-8")
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html", charset="utf-8")
    return email
