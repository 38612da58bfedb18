"""The demo city's tables, the ids it gives their rows, and the bulk write that puts them in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlmodel import Session

from app.models import (
    Department,
    FocusArea,
    Goal,
    HistoryEntry,
    HistoryField,
    Journey,
    Measurement,
    Metric,
    MetricTarget,
    Organization,
    Persona,
    Phase,
    Plan,
    QuickWin,
    Statement,
    Strategy,
    StrategyGoal,
    User,
    WorkplanStep,
)

CHUNK = 5_000

# Every table the city fills, in the order they are written (a row's parents before it).
MODELS: tuple[type, ...] = (
    Organization,
    Department,
    User,
    Plan,
    Statement,
    Phase,
    FocusArea,
    Goal,
    Strategy,
    StrategyGoal,
    WorkplanStep,
    Metric,
    MetricTarget,
    Measurement,
    QuickWin,
    Persona,
    Journey,
    HistoryEntry,
    HistoryField,
)


class Ids:
    """Ids continue after what each table already holds (read inside the write transaction)."""

    def __init__(self, session: Session, tables: Iterable[Table]) -> None:
        self.next: dict[str, int] = {}
        for table in tables:
            current = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
            self.next[table.name] = int(current) + 1

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


def write(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (their "_" keys are the generator's own notes, not columns) in chunks."""
    connection = session.connection()
    names = [c.name for c in table.c]
    for start in range(0, len(rows), CHUNK):
        chunk = [{n: row.get(n) for n in names} for row in rows[start : start + CHUNK]]
        connection.execute(insert(table), chunk)


def move_sequences(session: Session, table_names: Iterable[str]) -> None:
    """PostgreSQL: explicit ids do not advance the sequences; move them past the new rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in table_names:
        if name == "strategy_goal":
            continue
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{name}"))'
            )
        )
