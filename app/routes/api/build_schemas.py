"""What API clients send to build a plan's structure, where it differs from the models' input
schemas (app.models.building): a change's schema says which fields cannot be null, and a goals
reorder names the focus area whose goals it orders."""

from __future__ import annotations

import pydantic as pd

from app.models import Department, FocusArea, Goal, Journey, Persona, Phase, Statement
from app.models.base import RowId
from app.models.building import (
    DepartmentUpdate,
    FocusAreaUpdate,
    GoalUpdate,
    JourneyUpdate,
    PersonaUpdate,
    PhaseUpdate,
    Reorder,
    StatementUpdate,
)
from app.routes.api.inputs import no_null_for

_CHANGE_DOC = "Send only the fields that change, with `version`."


class StatementChange(StatementUpdate):
    __doc__ = _CHANGE_DOC
    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Statement))


class PhaseChange(PhaseUpdate):
    __doc__ = _CHANGE_DOC
    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Phase))


class FocusAreaChange(FocusAreaUpdate):
    __doc__ = _CHANGE_DOC
    model_config = pd.ConfigDict(json_schema_extra=no_null_for(FocusArea))


class GoalChange(GoalUpdate):
    __doc__ = _CHANGE_DOC
    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Goal))


class PersonaChange(PersonaUpdate):
    __doc__ = _CHANGE_DOC
    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Persona))


class JourneyChange(JourneyUpdate):
    __doc__ = _CHANGE_DOC
    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Journey))


class DepartmentChange(DepartmentUpdate):
    __doc__ = _CHANGE_DOC
    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Department))


class GoalReorder(Reorder):
    """Every goal of one focus area (or, without `focus_area_id`, every goal outside focus
    areas), in the new order."""

    focus_area_id: RowId | None = None
