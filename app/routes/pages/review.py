"""/review: the coordinator's table of every focus area across the organisation's plans, and
/review/focus-areas/{focus_area_id}: one focus area's narrative history.

Coordinators and administrators only (others get a 403 page saying why; anonymous visitors go
to sign-in). The filters are a plain GET form; htmx swaps only the `review` block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.cached_pages import cached_page
from app.routes.item_ids import ItemId
from app.services.reading.zones import reading_today, reading_zone
from app.services.rules import clock
from app.services.rules.asked_dates import EARLIEST, within_window
from app.services.rules.rollup import LABELS
from app.services.views import quick_win_board
from app.services.views.history_display import describe_change, field_label
from app.services.views.review import focus_areas as review_service
from app.services.views.review.narratives import load_focus_area_history
from app.templating import render

router = APIRouter(prefix="/review", include_in_schema=False)


def _since(text: str, today: dt.date) -> tuple[dt.date, str]:
    """The "since" date asked for, or the default with a message saying why it was not used."""
    if not text:
        return review_service.default_since(today), ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return review_service.default_since(today), "Enter a date as YYYY-MM-DD."
    if day > today:
        return review_service.default_since(today), "The date must not be in the future."
    if not within_window(day):
        return review_service.default_since(today), f"Enter a date from {EARLIEST} on."
    return day, ""


@dataclass
class ReviewAsked:
    """The review's filters as asked, the "since" typed and why it was not used, and now."""

    filters: review_service.ReviewFilters
    since_text: str
    since_error: str
    now: dt.datetime

    @property
    def query(self) -> dict[str, str]:
        """The filters as a query string's parameters (for the export links)."""
        f = self.filters
        named = {"plan": f.plan, "department": f.department, "status": f.status, "term": f.term}
        return {**{k: v for k, v in named.items() if v}, "since": f.since.isoformat()}


def review_asked(
    session: SessionDep,
    user: CurrentUser,
    plan: str = "",
    department: str = "",
    status: str = "",
    term: str = "",
    since: str = "",
) -> ReviewAsked:
    """The filters of the review page and of its exports (the same parsing for both); "today"
    is the reader's organisation's day."""
    now = clock.clock()
    since_day, since_error = _since(since.strip(), reading_today(session, user, now=now))
    filters = review_service.ReviewFilters(
        since=since_day,
        plan=plan,
        department=department,
        status=status if status in LABELS else "",
        term=term if term in review_service.TERM_LABELS else "",
    )
    return ReviewAsked(filters, since, since_error, now)


ReviewQuery = Annotated[ReviewAsked, Depends(review_asked)]


def _context(zone: str, **extra: Any) -> dict[str, Any]:
    return {
        "labels": LABELS,
        "quick_win_labels": quick_win_board.STATUS_LABELS,
        "term_labels": review_service.TERM_LABELS,
        "reading_zone": zone,
        "field_label": field_label,
        "describe_change": lambda name, value, words=None: describe_change(
            name, value, words=words, zone=zone
        ),
        **extra,
    }


def _sign_in(path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


@router.get("")
def review_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    asked: ReviewQuery,
) -> Response:
    if user is None:
        return _sign_in("/review")
    reviewer = review_service.require_reviewer(user)
    filters, now = asked.filters, asked.now

    def page() -> Response:
        review = review_service.load_review(
            session=session, user=reviewer, filters=filters, now=now
        )
        context = _context(
            reading_zone(session, user),
            review=review,
            filters=filters,
            since_text=asked.since_text,
            since_error=asked.since_error,
            export_query=asked.query,
        )
        return render(request, "review/index.html", context, block="review")

    if reviewer.organization_id is None:  # an installation's administrator: every organisation
        return page()
    return cached_page(
        request,
        session,
        reviewer,
        organization_id=reviewer.organization_id,
        internal=True,
        render=page,
    )


@router.get("/focus-areas/{focus_area_id}")
def focus_area_history(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    focus_area_id: ItemId,
    since: str = "",
) -> Response:
    if user is None:
        return _sign_in(f"/review/focus-areas/{focus_area_id}")
    reviewer = review_service.require_reviewer(user)
    now = clock.clock()
    today = reading_today(session, user, now=now)
    if since == "all":
        since_day: dt.date | None = None
        since_error = ""
    else:
        since_day, since_error = _since(since.strip(), today)
    history = load_focus_area_history(
        session=session, user=reviewer, focus_area_id=focus_area_id, since=since_day, now=now
    )
    context = _context(
        reading_zone(session, user, history.plan),
        history=history,
        since_error=since_error,
        default_since=review_service.default_since(today),
    )
    return render(request, "review/focus_area.html", context, block="history")
