"""A password reset link, e-mailed or shown once (issue 13).

With an SMTP server set and an address on the account, the link goes by e-mail through the
outbox, and the administrator who issued it never sees it. The link is then built on the
configured BASE_URL, never on the request's Host header: a forged Host would otherwise send the
person a working link to someone else's server (password reset poisoning). Without a server (demo
mode) or without an address, the administrator is shown the link once, on the address they used.
"""

from __future__ import annotations

from dataclasses import replace

from markupsafe import escape
from sqlmodel import Session

from app.models import User
from app.services.accounts.password_resets import IssuedLink, issue_reset_link
from app.services.changes.history import Actor
from app.services.mail.outbox import PASSWORD_RESET, queue_message
from app.services.reading.zones import organization_zone
from app.services.rules.local_time import moment_text
from app.settings import get_settings

PURPOSE = PASSWORD_RESET


def mails_reset_links_to(user: User) -> str:
    """The address a reset link for `user` goes to, or "" when it is shown instead."""
    if not get_settings().smtp_host.strip():
        return ""
    return user.email or ""


def issue_and_deliver_reset_link(
    *, session: Session, actor: Actor, user: User, request_base_url: str
) -> IssuedLink:
    """Issue a one-time link for `user` and queue its e-mail when there is somewhere to send it
    (the caller delivers `message_id` after its commit); else return it to be shown once."""
    address = mails_reset_links_to(user)
    base = get_settings().base_url if address else request_base_url
    issued = issue_reset_link(session=session, actor=actor, user=user, base_url=base)
    if not address:
        return issued
    # The expiry as the recipient reads it: their organisation's zone ("2026-12-08 09:30 PST").
    until = moment_text(issued.expires_at, organization_zone(session, user.organization_id))
    message = queue_message(
        session=session,
        to=address,
        subject="Set a new PlanTrack password",
        text=_text(issued, until),
        html=_html(issued, until),
        purpose=PURPOSE,
        organization_id=user.organization_id,
    )
    return replace(issued, emailed_to=address, message_id=message.id)


def _text(issued: IssuedLink, until: str) -> str:
    name = issued.user.display_name or issued.user.username
    return (
        f"Hello {name},\n\n"
        "An administrator of PlanTrack has issued you a link to set a new password:\n\n"
        f"{issued.link}\n\n"
        f"It works once, until {until}. If you did not expect it, ignore this message: "
        "your password stays as it is.\n"
    )


def _html(issued: IssuedLink, until: str) -> str:
    name = escape(issued.user.display_name or issued.user.username)
    link = escape(issued.link)
    return (
        f"<p>Hello {name},</p>"
        "<p>An administrator of PlanTrack has issued you a link to set a new password:</p>"
        f'<p><a href="{link}">Set a new password</a></p>'
        f"<p>It works once, until {escape(until)}. If you did not expect it, ignore this "
        "message: your password stays as it is.</p>"
    )
