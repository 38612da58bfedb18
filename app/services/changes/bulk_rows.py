"""Many new rows of one table in one INSERT, each object given its id.

The ORM inserts new rows one statement at a time on SQLite: it cannot tell which id of a
multi-row INSERT belongs to which object there (PostgreSQL it can). A batch (480 values of the
measurement grid, their history entries) goes in through the table instead, each row returning
its id with columns that tell the rows apart (`key`, unique among the rows), by which the id is
set on its object. The objects stay outside the session: the caller only reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def insert_rows(session: Session, rows: Sequence[SQLModel], key: tuple[str, ...]) -> None:
    """INSERT `rows` (new objects of one model, their defaults filled) and set each one's id."""
    if not rows:
        return
    table = type(rows[0]).__table__  # type: ignore[attr-defined]
    wanted = {tuple(_plain(getattr(row, name)) for name in key): row for row in rows}
    if len(wanted) < len(rows):
        raise ValueError(f"insert_rows: {key} is not unique among the rows")
    returned = session.execute(
        insert(table).returning(table.c.id, *(table.c[name] for name in key)),
        [row.model_dump(exclude={"id"}) for row in rows],
    ).all()
    for id_, *values in returned:
        wanted[tuple(_plain(v) for v in values)].id = id_  # type: ignore[attr-defined]
