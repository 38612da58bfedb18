"""The plan builder's forms: for each kind of part (by its path, as plan_builder.PATHS names
them), the fields the page shows and the schemas that check what they send, the same ones the
JSON API checks (app.models.building, app.routes.api.build_schemas), so a rule is written once.

A blank input sends "" where the column cannot be empty (a required title is refused as
required; a description is saved empty) and None where it can (a statement's code, a date)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydantic as pd

from app.models.building import (
    DepartmentCreate,
    FocusAreaCreate,
    GoalCreate,
    JourneyCreate,
    PersonaCreate,
    PhaseCreate,
    StatementCreate,
)
from app.models.enums import StatementKind, WorkCategory
from app.routes.api.build_schemas import (
    DepartmentChange,
    FocusAreaChange,
    GoalChange,
    JourneyChange,
    PersonaChange,
    PhaseChange,
    StatementChange,
)
from app.routes.pages.form_input import form_version


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    widget: str = "text"  # text, code, textarea, date, select, lines (one entry a line)
    required: bool = False
    nullable: bool = False  # a blank input sends None (else "")
    choices: tuple[tuple[str, str], ...] | str = ()  # (value, label)…, or "focus_areas"
    hint: str = ""


@dataclass(frozen=True)
class KindForm:
    create: type[pd.BaseModel]
    change: type[pd.BaseModel]
    fields: tuple[FieldSpec, ...]


def _words(enum: Any) -> tuple[tuple[str, str], ...]:
    return tuple((m.value, m.value.replace("_", " ").capitalize()) for m in enum)


CODE_HINT = "Letters, digits, '.', '-' or '_'; unique in the plan, archived ones included."
CODE = FieldSpec("code", "Code", "code", required=True, hint=CODE_HINT)
DESCRIPTION = FieldSpec("description", "Description", "textarea")

FORMS: dict[str, KindForm] = {
    "statements": KindForm(
        StatementCreate,
        StatementChange,
        (
            FieldSpec("kind", "Kind", "select", required=True, choices=_words(StatementKind)),
            FieldSpec("code", "Code", "code", nullable=True, hint="Optional. " + CODE_HINT),
            FieldSpec("title", "Title", required=True),
            FieldSpec("definition", "Definition", "textarea"),
        ),
    ),
    "phases": KindForm(
        PhaseCreate,
        PhaseChange,
        (
            CODE,
            FieldSpec("name", "Name", required=True),
            DESCRIPTION,
            FieldSpec("start", "Starts", "date", nullable=True),
            FieldSpec("end", "Ends", "date", nullable=True),
        ),
    ),
    "focus-areas": KindForm(
        FocusAreaCreate,
        FocusAreaChange,
        (
            CODE,
            FieldSpec("title", "Title", required=True),
            DESCRIPTION,
            FieldSpec(
                "category", "Category", "select", nullable=True, choices=_words(WorkCategory)
            ),
            FieldSpec("active_from", "Active from", "date", nullable=True),
            FieldSpec("active_to", "Active to", "date", nullable=True),
        ),
    ),
    "goals": KindForm(
        GoalCreate,
        GoalChange,
        (
            CODE,
            FieldSpec("title", "Title", required=True),
            DESCRIPTION,
            FieldSpec(
                "focus_area_id", "Focus area", "select", nullable=True, choices="focus_areas"
            ),
            FieldSpec("outcomes", "Outcomes", "lines", hint="One outcome a line."),
        ),
    ),
    "personas": KindForm(
        PersonaCreate,
        PersonaChange,
        (FieldSpec("name", "Name", required=True), DESCRIPTION),
    ),
    "journeys": KindForm(
        JourneyCreate,
        JourneyChange,
        (FieldSpec("title", "Title", required=True), DESCRIPTION),
    ),
    "departments": KindForm(
        DepartmentCreate,
        DepartmentChange,
        (
            FieldSpec("code", "Code", "code", required=True, hint="Unique in the organisation."),
            FieldSpec("name", "Name", required=True),
        ),
    ),
}


def _value(spec: FieldSpec, raw: str) -> Any:
    if spec.widget == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    text = raw.strip() if spec.widget != "textarea" else raw.replace("\r\n", "\n").strip()
    if text == "":
        return None if spec.nullable else ""
    return text


def values(kind: str, typed: dict[str, str]) -> dict[str, Any]:
    """What the form sent, as its schema reads it (every field of the kind, none other)."""
    return {spec.name: _value(spec, typed.get(spec.name, "")) for spec in FORMS[kind].fields}


def create_data(kind: str, typed: dict[str, str]) -> pd.BaseModel:
    """The create schema, checked (pydantic's ValidationError names each refused field)."""
    return FORMS[kind].create(**values(kind, typed))


def change_data(kind: str, typed: dict[str, str]) -> pd.BaseModel:
    """The change schema with the version the form was made from."""
    version = form_version(typed.get("version", ""))
    return FORMS[kind].change(version=version, **values(kind, typed))


def shown(kind: str, item: Any) -> dict[str, str]:
    """A stored part's values as its form's inputs show them."""
    out: dict[str, str] = {}
    for spec in FORMS[kind].fields:
        value = getattr(item, spec.name)
        if spec.widget == "lines":
            out[spec.name] = "\n".join(value or [])
        else:
            out[spec.name] = "" if value is None else str(value)
    return out
