"""Many new rows of one table in one INSERT, each object given its id.

The ORM inserts new rows one statement at a time on SQLite: it cannot tell which id of a
multi-row INSERT belongs to which object there (PostgreSQL it can). A batch (480 values of the
measurement grid, their history entries) goes in through the table instead, each row returning
its id with columns that tell the rows apart (`key`, unique among the rows), by which the ids are
given back in the rows' order. Plain values, not objects: building 960 SQLModel objects took
longer than writing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel


def plain(value: Any) -> Any:
    """An enum member as the column holds it (its value)."""
    return value.value if isinstance(value, Enum) else value


def insert_rows(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], key: tuple[str, ...]
) -> list[int]:
    """INSERT `rows` (every column's value but the id) into `model`'s table; their ids, in order."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    order = {tuple(plain(row[name]) for name in key): n for n, row in enumerate(rows)}
    if len(order) < len(rows):
        raise ValueError(f"insert_rows: {key} is not unique among the rows")
    returned = session.execute(
        insert(table).returning(table.c.id, *(table.c[name] for name in key)), list(rows)
    ).all()
    ids = [0] * len(rows)
    for id_, *values in returned:
        ids[order[tuple(plain(v) for v in values)]] = id_
    return ids
