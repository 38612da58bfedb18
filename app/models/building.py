"""What clients send to build a plan's structure (the plan builder): statements, phases, focus
areas, goals, personas and their journeys, and the organisation's departments.

Creates name every required field; changes (`…Update`) send only the fields that change, with
the `version` they were made from. Order is changed by `Reorder`, never by a change's fields.
"""

from __future__ import annotations

import datetime as dt

import pydantic as pd

from app.models.base import MAX_ID, ClientInput, ListEntry, RowId
from app.models.enums import StatementKind, WorkCategory

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$"


def _code(required: bool = True) -> object:
    if required:
        return pd.Field(min_length=1, max_length=20, pattern=CODE_PATTERN)
    return pd.Field(default=None, min_length=1, max_length=20, pattern=CODE_PATTERN)


def _title(required: bool = True) -> object:
    if required:
        return pd.Field(min_length=1, max_length=300)
    return pd.Field(default=None, min_length=1, max_length=300)


def _text(required: bool = True) -> object:
    return pd.Field(default="" if required else None, max_length=20_000)


def _version() -> object:
    return pd.Field(ge=1, le=MAX_ID, description="The version you changed (the item's ETag)")


class StatementCreate(ClientInput):
    kind: StatementKind
    code: str | None = _code(required=False)  # type: ignore[assignment]
    title: str = _title()  # type: ignore[assignment]
    definition: str = _text()  # type: ignore[assignment]


class StatementUpdate(ClientInput):
    version: int = _version()  # type: ignore[assignment]
    kind: StatementKind | None = None
    code: str | None = _code(required=False)  # type: ignore[assignment]
    title: str | None = _title(required=False)  # type: ignore[assignment]
    definition: str | None = _text(required=False)  # type: ignore[assignment]


class PhaseCreate(ClientInput):
    code: str = _code()  # type: ignore[assignment]
    name: str = _title()  # type: ignore[assignment]
    description: str = _text()  # type: ignore[assignment]
    start: dt.date | None = None
    end: dt.date | None = None


class PhaseUpdate(ClientInput):
    version: int = _version()  # type: ignore[assignment]
    code: str | None = _code(required=False)  # type: ignore[assignment]
    name: str | None = _title(required=False)  # type: ignore[assignment]
    description: str | None = _text(required=False)  # type: ignore[assignment]
    start: dt.date | None = None
    end: dt.date | None = None


class FocusAreaCreate(ClientInput):
    code: str = _code()  # type: ignore[assignment]
    title: str = _title()  # type: ignore[assignment]
    description: str = _text()  # type: ignore[assignment]
    category: WorkCategory | None = None
    active_from: dt.date | None = None
    active_to: dt.date | None = None


class FocusAreaUpdate(ClientInput):
    version: int = _version()  # type: ignore[assignment]
    code: str | None = _code(required=False)  # type: ignore[assignment]
    title: str | None = _title(required=False)  # type: ignore[assignment]
    description: str | None = _text(required=False)  # type: ignore[assignment]
    category: WorkCategory | None = None
    active_from: dt.date | None = None
    active_to: dt.date | None = None


class GoalCreate(ClientInput):
    code: str = _code()  # type: ignore[assignment]
    title: str = _title()  # type: ignore[assignment]
    description: str = _text()  # type: ignore[assignment]
    focus_area_id: RowId | None = None
    outcomes: list[ListEntry] = pd.Field(default_factory=list, max_length=50)


class GoalUpdate(ClientInput):
    version: int = _version()  # type: ignore[assignment]
    code: str | None = _code(required=False)  # type: ignore[assignment]
    title: str | None = _title(required=False)  # type: ignore[assignment]
    description: str | None = _text(required=False)  # type: ignore[assignment]
    focus_area_id: RowId | None = None
    outcomes: list[ListEntry] | None = pd.Field(default=None, max_length=50)


class PersonaCreate(ClientInput):
    name: str = _title()  # type: ignore[assignment]
    description: str = _text()  # type: ignore[assignment]


class PersonaUpdate(ClientInput):
    version: int = _version()  # type: ignore[assignment]
    name: str | None = _title(required=False)  # type: ignore[assignment]
    description: str | None = _text(required=False)  # type: ignore[assignment]


class JourneyCreate(ClientInput):
    title: str = _title()  # type: ignore[assignment]
    description: str = _text()  # type: ignore[assignment]


class JourneyUpdate(ClientInput):
    version: int = _version()  # type: ignore[assignment]
    title: str | None = _title(required=False)  # type: ignore[assignment]
    description: str | None = _text(required=False)  # type: ignore[assignment]


class DepartmentCreate(ClientInput):
    code: str = _code()  # type: ignore[assignment]
    name: str = _title()  # type: ignore[assignment]


class DepartmentUpdate(ClientInput):
    version: int = _version()  # type: ignore[assignment]
    code: str | None = _code(required=False)  # type: ignore[assignment]
    name: str | None = _title(required=False)  # type: ignore[assignment]


class Reorder(ClientInput):
    """Every sibling's id, in the new order (the first comes first)."""

    ids: list[RowId] = pd.Field(min_length=1, max_length=500)
