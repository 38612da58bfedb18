"""The action items of performance sessions as a table (issue 11): what /action-items lists under
its filter, to the same reader (services.sessions.reading decides), one row per action item with
its session, owner, due date (a date cell), status, linked item in words, version and last change.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.models import User
from app.services.exports.tables import Column, Export, Table, columns, file_name
from app.services.sessions.links import link_labels
from app.services.sessions.reading import ActionRow, list_action_items


def action_items_export(
    rows: list[ActionRow], links: dict[int, str], *, status: str, today: dt.date
) -> Export:
    table = Table(
        "Action items",
        columns(
            Column("Session", 36),
            "Session date",
            Column("What", 60),
            Column("Owner department", 28),
            "Due date",
            "Status",
            Column("Linked item", 40),
            "Version",
            "Updated (UTC)",
        ),
    )
    for row in rows:
        item = row.item
        table.add(
            row.raised_by.title,
            row.raised_by.held_on,
            item.what,
            row.department.name,
            item.due_on,
            item.status.replace("_", " ").capitalize(),
            links.get(item.id or 0),
            item.version,
            item.updated_at,
        )
    return Export(file_name("action-items", status, day=today), [table])


def action_items_download(
    session: Session, user: User | None, *, status: str, today: dt.date
) -> Export:
    """The rows the page lists under `status`, read as the page reads them (sign-in, the
    reader's organisation), as an export."""
    rows = list_action_items(session, user, status=status)
    links = link_labels(session, [r.item for r in rows])
    return action_items_export(rows, links, status=status, today=today)
