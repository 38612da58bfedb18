"""/activity: the organisation-wide history of changes, newest first, 50 a page.

Any signed-in user (anonymous visitors go to sign-in). The filters are a plain GET form; the
pages are plain links, and "Show more" also loads the next page in place with htmx, which gets
only the `entries` block (the next entries and the next "Show more").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import User
from app.routes.cached_pages import cached_page
from app.routes.pages.form_input import item_id, page_number
from app.services.accounts.permissions import is_installation_admin
from app.services.reading.zones import reading_zone
from app.services.rules.asked_dates import EARLIEST, LATEST, within_window
from app.services.views import activity as activity_service
from app.services.views.history_display import (
    ACTION_LABELS,
    SUBJECT_LABELS,
    describe_change,
    field_label,
)
from app.templating import render

router = APIRouter(prefix="/activity", include_in_schema=False)


def _date(text: str, name: str, errors: dict[str, str]) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD; this filter was not applied."
        return None
    if not within_window(day):
        errors[name] = f"Enter a date from {EARLIEST} to {LATEST}; this filter was not applied."
        return None
    return day


@dataclass
class ActivityAsked:
    """The feed's filters as asked, with a message for each date not applied and what was typed."""

    filters: activity_service.ActivityFilters
    errors: dict[str, str]
    typed: dict[str, str]


def activity_asked(
    plan: str = "",
    kind: str = "",
    person: str = "",
    action: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    page: str = "1",
) -> ActivityAsked:
    """The filters of the activity page and of its exports (the same parsing for both)."""
    errors: dict[str, str] = {}
    filters = activity_service.ActivityFilters(
        plan=plan,
        kind=kind,
        action=action,
        person=item_id(person),
        date_from=_date(date_from, "from", errors),
        date_to=_date(date_to, "to", errors),
        page=page_number(page),
    )
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors["to"] = "The end date is before the start date; nothing can match."
    return ActivityAsked(filters, errors, {"from": date_from, "to": date_to})


ActivityQuery = Annotated[ActivityAsked, Depends(activity_asked)]


@router.get("")
def activity_page(
    request: Request, session: SessionDep, user: CurrentUser, asked: ActivityQuery
) -> Response:
    if user is None:
        return RedirectResponse("/login?next=" + quote("/activity"), status_code=303)
    organization_id = user.organization_id
    # Kept under the reader's organisation, whose stamp covers every entry they may read; an
    # installation administrator reads every organisation's: made anew each time.
    if organization_id is None or is_installation_admin(user):
        return _feed_page(request, session, user, asked)
    return cached_page(
        request,
        session,
        user,
        organization_id=organization_id,
        internal=True,
        render=lambda: _feed_page(request, session, user, asked),
    )


def _feed_page(request: Request, session: Session, user: User, asked: ActivityAsked) -> Response:
    filters = asked.filters
    feed = activity_service.load_feed(session=session, user=user, filters=filters)
    zone = reading_zone(session, user)
    context: dict[str, Any] = {
        "feed": feed,
        "filters": filters,
        "errors": asked.errors,
        "typed": asked.typed,
        "export_query": filters.query(page=""),
        "subject_labels": SUBJECT_LABELS,
        "action_labels": ACTION_LABELS,
        "field_label": field_label,
        "describe": lambda name, value, words=None: describe_change(
            name, value, departments=feed.departments, words=words, zone=zone
        ),
        "reading_zone": zone,
        "page_url": lambda **over: "/activity?" + urlencode(filters.query(**over)),
    }
    return render(request, "activity/index.html", context, block="entries")
