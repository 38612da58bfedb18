"""What one person's reminder digest says (issue 13): the update requests waiting for them, then
what their department owes that is overdue, then what falls due within DUE_SOON_DAYS, each with a
link to the item's block on My work (`/my-work?item=strategy-12`), where the lead updates it.
Built from My work's own loading (services.views.my_work.page.load_department_work), so the
digest and the page never disagree.

Who gets one: a lead with a department (the people who update items). A coordinator asks for
updates rather than owes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlmodel import Session

from app.models import Department, Organization, User
from app.models.enums import Role
from app.services.rules.reporting_periods import day_text
from app.services.views.my_work.page import load_department_work

DUE_SOON_DAYS = 14


@dataclass
class Digest:
    user: User
    organization: Organization
    department: Department
    today: dt.date
    requests: list[Any] = field(default_factory=list)  # reading.update_requests.RequestView
    overdue: list[Any] = field(default_factory=list)  # views.my_work.due.DueItem
    due_soon: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.requests) + len(self.overdue) + len(self.due_soon)


def digest_for(session: Session, user: User, now: dt.datetime) -> Digest | None:
    """`user`'s digest as of `now`, or None when they owe nothing (or are not a lead)."""
    if user.role != Role.lead or user.department_id is None or not user.active:
        return None
    department = session.get(Department, user.department_id)
    organization = session.get(Organization, user.organization_id) if department else None
    if department is None or organization is None:
        return None
    work = load_department_work(session=session, department=department, user=user, now=now)
    today = work.local_today or now.date()
    digest = Digest(user, organization, department, today, requests=list(work.requests))
    for item in work.due:
        if item.due.overdue:
            digest.overdue.append(item)
        elif (item.due.due - today).days <= DUE_SOON_DAYS:
            digest.due_soon.append(item)
    return digest if digest.count else None


def subject(digest: Digest) -> str:
    parts = []
    if digest.requests:
        parts.append(_count(len(digest.requests), "update request"))
    if digest.overdue:
        parts.append(f"{_count(len(digest.overdue), 'item')} overdue")
    if digest.due_soon:
        parts.append(f"{_count(len(digest.due_soon), 'item')} due soon")
    return f"PlanTrack: {', '.join(parts)} for {digest.department.name}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _link(base: str, url: str) -> str:
    return f"{base.rstrip('/')}{url}"


def _act(base: str, key: str) -> str:
    """Where the lead updates the item: its block on My work (the page that holds it)."""
    return _link(base, f"/my-work?item={key}#{key}")


def _when(item: Any, today: dt.date) -> str:
    return f"{item.days_text(today)} (due {day_text(item.due.due)})"


def text_body(digest: Digest, base: str) -> str:
    name = digest.user.display_name or digest.user.username
    lines = [f"Hello {name},", "", f"What {digest.department.name} owes in PlanTrack:", ""]
    if digest.requests:
        lines.append("Update requests waiting for you:")
        for r in digest.requests:
            lines.append(f'- {r.label}: "{r.request.message}"')
            lines.append(f"  Update it: {_act(base, r.key)}")
        lines.append("")
    for title, items in (("Overdue:", digest.overdue), ("Due soon:", digest.due_soon)):
        if items:
            lines.append(title)
            for item in items:
                lines.append(f"- {item.label}: {_when(item, digest.today)}")
                lines.append(f"  Update it: {_act(base, item.key)}")
            lines.append("")
    lines.append(f"Everything is on My work: {_link(base, '/my-work')}")
    lines.append(f"How often these come: {_link(base, '/account')}")
    return "\n".join(lines) + "\n"


def html_body(digest: Digest, base: str) -> str:
    name = escape(digest.user.display_name or digest.user.username)
    parts = [
        Markup("<p>Hello {},</p><p>What {} owes in PlanTrack:</p>").format(
            name, digest.department.name
        )
    ]
    if digest.requests:
        rows = [
            Markup('<li><a href="{}">{}</a>: &ldquo;{}&rdquo;</li>').format(
                _act(base, r.key), r.label, r.request.message
            )
            for r in digest.requests
        ]
        parts.append(
            Markup("<h2>Update requests waiting for you</h2><ul>{}</ul>").format(
                Markup("").join(rows)
            )
        )
    for title, items in (("Overdue", digest.overdue), ("Due soon", digest.due_soon)):
        if items:
            rows = [
                Markup('<li><a href="{}">{}</a>: {}</li>').format(
                    _act(base, i.key), i.label, _when(i, digest.today)
                )
                for i in items
            ]
            parts.append(Markup("<h2>{}</h2><ul>{}</ul>").format(title, Markup("").join(rows)))
    parts.append(
        Markup(
            '<p>Everything is on <a href="{}">My work</a>. '
            '<a href="{}">How often these come</a>.</p>'
        ).format(_link(base, "/my-work"), _link(base, "/account"))
    )
    return str(Markup("").join(parts))
