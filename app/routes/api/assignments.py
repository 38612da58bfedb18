"""Owners and dates of many strategies and metrics in one save: every row, or none
(services/changes/bulk_assignments, the API of the plan builder's owners table)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pydantic as pd
from fastapi import APIRouter

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models.base import MAX_ID, ClientInput, ListEntry, RowId
from app.models.enums import Frequency, Term
from app.routes.api.deps import LivePlan, error_responses
from app.routes.api.inputs import VERSION_DOC, strict_json
from app.services.changes import bulk_assignments
from app.services.changes.bulk_assignments import Assignment

router = APIRouter(tags=["plan building"])


class AssignmentRow(ClientInput):
    """One strategy's or metric's owners and dates: send only the fields that change (null
    clears a field that may be empty). A metric row sets `department_id` and `frequency`."""

    kind: Literal["strategy", "metric"]
    id: RowId
    version: int = pd.Field(ge=1, le=MAX_ID, description=VERSION_DOC)
    department_id: RowId | None = None
    leads: list[ListEntry] | None = pd.Field(default=None, max_length=20)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    phase_id: RowId | None = None
    term: Term | None = None
    update_cadence_days: int | None = pd.Field(default=None, ge=1, le=366)
    frequency: Frequency | None = None


class AssignmentsIn(ClientInput):
    rows: list[AssignmentRow] = pd.Field(max_length=bulk_assignments.MAX_ROWS)


class SavedRow(pd.BaseModel):
    kind: Literal["strategy", "metric"]
    id: int
    code: str
    version: int = pd.Field(description="The item's version now (its ETag)")
    changed: bool = pd.Field(description="False: the row already held these values")


class AssignmentsOut(pd.BaseModel):
    rows: list[SavedRow]
    changed: int
    unchanged: int


@router.put(
    "/plans/{slug}/assignments",
    summary="Set owners and dates of many strategies and metrics at once",
    description="Every row is saved, or none. A refusal names every refused row and field "
    "(`rows.{i}.{field}`, with the row's `code`) in one 422; a row whose `version` is stale is "
    "a 409 naming it, with the current values in `current.rows`; a row the caller may not "
    "edit refuses the whole save (403). A row that changes nothing keeps its version.",
    response_model=AssignmentsOut,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def save_assignments(
    user: RequiredUser,
    plan: LivePlan,
    _json: Annotated[None, strict_json(AssignmentsIn)],
    body: AssignmentsIn,
    session: SessionDep,
) -> AssignmentsOut:
    rows = [
        Assignment(
            r.kind,
            r.id,
            r.version,
            r.model_dump(mode="json", exclude_unset=True, exclude={"kind", "id", "version"}),
        )
        for r in body.rows
    ]
    result = bulk_assignments.save_assignments(
        session=session, plan=plan, rows=rows, actor=actor_for(user)
    )
    changed = set(result.changed)
    return AssignmentsOut(
        rows=[
            SavedRow(kind=k, id=i, code=item.code, version=item.version, changed=(k, i) in changed)  # type: ignore[arg-type]
            for (k, i), item in result.items.items()
        ],
        changed=len(result.changed),
        unchanged=len(result.unchanged),
    )
