"""/plans/{slug}/scorecard: every metric of a plan, its target, status and trend chart; and
/plans/{slug}/scorecard/{metric_code}: one metric with all its measurements and targets.

The charts are drawn by app/static/scorecard.js (Chart.js from npm, served from
/static/vendor/chartjs) from each canvas's `data-series` JSON: no inline script, so the CSP
stays `script-src 'self'`. Each chart has its values as a table, which is what a visitor
without JavaScript reads. The filter form is a plain GET; htmx swaps only the `scorecard` block.
The metrics come a page at a time (`?page=N`, filters kept): plain previous / next links, and
with htmx the next page appended in place from the same route's `scorecard` fragment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import Plan, User
from app.routes.cached_pages import cached_page
from app.routes.pages.form_input import page_number
from app.services.accounts.permissions import Action, can, can_read_internal, require_read_plan
from app.services.changes import measurement_voids
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import reading_zone
from app.services.rules.rollup import LABELS
from app.services.views import measurement_grid, metric_card
from app.services.views import scorecard as scorecard_service
from app.services.views.update_requests import request_panel
from app.templating import render

router = APIRouter(prefix="/plans/{slug}/scorecard", include_in_schema=False)

VOIDED_NOTICE = (
    "The value was voided: it no longer counts in the chart or the status, and is listed "
    "below with the reason."
)

# The statuses a metric can have, worst first, as the filter offers them.
METRIC_STATUSES = ("off_track", "at_risk", "stale", "on_track", "no_target", "no_data")


@dataclass(frozen=True)
class ScorecardAsked:
    """The scorecard's filters as asked in the query string; an unknown value is no filter."""

    horizon: str = ""
    status: str = ""

    @property
    def query(self) -> dict[str, str]:
        return {k: v for k, v in (("horizon", self.horizon), ("status", self.status)) if v}


def scorecard_asked(horizon: str = "", status: str = "") -> ScorecardAsked:
    """The filters of the scorecard page and of its exports (the same parsing for both)."""
    return ScorecardAsked(
        horizon=horizon if horizon in scorecard_service.HORIZON_LABELS else "",
        status=status if status in METRIC_STATUSES else "",
    )


ScorecardFilters = Annotated[ScorecardAsked, Depends(scorecard_asked)]


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "labels": LABELS,
        "metric_statuses": [(code, LABELS[code]) for code in METRIC_STATUSES],
        "direction_words": metric_card.DIRECTION_WORDS,
        "target_text": metric_card.target_text,
        **extra,
    }


@router.get("")
def scorecard_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    asked: ScorecardFilters,
    page_asked: Annotated[str, Query(alias="page")] = "",
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    internal = can_read_internal(user, plan)

    def page() -> Response:
        card = scorecard_service.load_scorecard(
            session=session,
            plan=plan,
            horizon=asked.horizon,
            status=asked.status,
            page=page_number(page_asked),
            internal=internal,
        )
        context = _context(
            plan=plan,
            reading_zone=reading_zone(session, user, plan),
            scorecard=card,
            horizon=asked.horizon,
            status=asked.status,
            export_query=asked.query,
            # The pager asked for the next page to append it: count from the first page shown.
            appended=request.headers.get("HX-Target") == "scorecard-more",
            can_record=measurement_grid.can_record_any(session, plan, user),
        )
        return render(request, "scorecard/index.html", context, block="scorecard")

    return cached_page(
        request, session, user, organization_id=plan.organization_id, internal=internal, render=page
    )


@router.get("/{metric_code}")
def metric_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    metric_code: str,
    voided: str = "",
) -> Response:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    # Back from voiding a value (a redirect after the post): say what became of it.
    notice = VOIDED_NOTICE if voided == "1" else ""
    return metric_page_answer(request, session, user, plan, metric_code, notice=notice)


def metric_page_answer(
    request: Request,
    session: Session,
    user: User | None,
    plan: Plan,
    metric_code: str,
    *,
    void_errors: dict[int, str] | None = None,
    void_typed: dict[int, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    """The metric's page; after a refused void, with the message beside that value's reason."""
    # Notes and who entered each value are internal: not for the public reading a published plan.
    internal = can_read_internal(user, plan)
    card = scorecard_service.load_metric_card(
        session=session, plan=plan, code=metric_code, internal=internal
    )
    context = _context(
        plan=plan,
        reading_zone=reading_zone(session, user, plan),
        card=card,
        internal=internal,
        can_void=internal
        and can(session, user, Action.void_measurement, card.metric, kind="metric"),
        voided=measurement_voids.voided_measurements(session=session, metric=card.metric)
        if internal
        else [],
        can_edit=can(session, user, Action.edit, card.metric, kind="metric"),
        void_errors=void_errors or {},
        void_typed=void_typed or {},
        notice=notice,
        # Issue 13: its update requests, for the organisation's people only.
        panel=request_panel(session, user, plan, card.metric) if internal else None,
    )
    return render(request, "scorecard/metric.html", context, block="metric", status_code=status)
