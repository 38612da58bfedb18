"""The history of changes: who changed what, when, each field before and after; newest first.

For the organisation's people (it names who did what, with their notes): signed-in users read
their own organisation's plans' history, administrators all of it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator, BeforeValidator
from sqlmodel import Session

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import HistoryEntry
from app.models.enums import SubjectType
from app.routes.api.deps import OptionalId, PlanFilter, error_responses
from app.routes.api.pagination import Page, PageParams
from app.routes.api.schemas import HistoryEntryRead
from app.services.reading import history_catalog
from app.services.rules.asked_dates import moment_in_window

router = APIRouter(tags=["history"])
ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\S+)?$")


def _iso_only(value: object) -> object:
    """A time as ISO 8601 text, not a number (pydantic would read `0.5` as a Unix time)."""
    if isinstance(value, str) and not ISO_DATE_TIME.match(value):
        raise ValueError("must be an ISO 8601 date or time, e.g. 2025-06-01T00:00:00Z")
    return value


def _reads(session: Session, rows: list[HistoryEntry]) -> list[HistoryEntryRead]:
    fields = history_catalog.fields_of(session=session, entry_ids=[e.id for e in rows])  # type: ignore[misc]
    return [HistoryEntryRead.of(e, fields.get(e.id, [])) for e in rows]  # type: ignore[arg-type]


@router.get(
    "/history",
    summary="The history of changes, newest first",
    response_model=Page[HistoryEntryRead],
    responses=error_responses(401, 403, 404, 422),
)
def list_history(
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    plan: PlanFilter,
    subject_type: SubjectType | None = None,
    subject_id: OptionalId = None,
    since: Annotated[
        dt.datetime | None,
        BeforeValidator(_iso_only),
        AfterValidator(moment_in_window),
        Query(
            description="Only entries at or after this ISO 8601 time (UTC without an offset), "
            "between 1900 and 2200"
        ),
    ] = None,
) -> Page[HistoryEntryRead]:
    query = history_catalog.history_query(
        user=user, plan=plan, subject_type=subject_type, subject_id=subject_id, since=since
    )
    return page.run_items(session, query, lambda rows: _reads(session, rows))
