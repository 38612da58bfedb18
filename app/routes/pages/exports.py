"""Downloads of a page as CSV or XLSX: the page's URL with the format as its ending.

    /plans/{slug}/scorecard.csv|.xlsx      the scorecard (latest value, target, status, reason)
    /plans/{slug}/measurements.csv|.xlsx   the scorecard's metrics' measurements, long format
    /plans/{slug}/roadmap.csv|.xlsx        the roadmap
    /review.csv|.xlsx                      the coordinator's review
    /activity.csv|.xlsx                    the activity feed
    /action-items.csv|.xlsx                the action items of performance sessions

Each reads the query string through its page's own parsing (the page module's dependency), is
refused as its page is (404 for a plan the reader may not see, sign-in, 403), and builds its
page's read model: the file holds what the page shows, every row the filters keep rather than one
page of them. services.exports makes the tables and writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import Plan, User
from app.routes.pages.action_items import ActionItemsQuery
from app.routes.pages.activity import ActivityQuery
from app.routes.pages.review import ReviewQuery
from app.routes.pages.roadmap import RoadmapAsked
from app.routes.pages.scorecard import ScorecardFilters
from app.services.accounts.permissions import can_read_internal, require_read_plan
from app.services.exports import org_exports, plan_exports, session_exports, writers
from app.services.exports.tables import Export
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import reading_today
from app.services.views import roadmap as roadmap_service
from app.services.views.review import focus_areas as review_service

router = APIRouter(include_in_schema=False)
FORMATS = ("csv", "xlsx")


def download(export: Export, fmt: str) -> Response:
    """The export as a file to save: its media type, and a name saying what and when."""
    name = f"{export.name}.{fmt}"
    return Response(
        writers.write(export, fmt),
        media_type=writers.media_type(fmt),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _readable_plan(session: Session, user: User | None, slug: str) -> Plan:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    return plan


def _today(session: Session, user: User | None, plan: Plan | None = None) -> dt.date:
    """The export's day: the plan's organisation's (else the reader's), as on its pages."""
    return reading_today(session, user, plan)


def _sign_in(path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


def _scorecard(fmt: str) -> Callable[..., Response]:
    def scorecard_export(
        session: SessionDep, user: CurrentUser, slug: str, asked: ScorecardFilters
    ) -> Response:
        plan = _readable_plan(session, user, slug)
        card = plan_exports.load_scorecard(
            session=session,
            plan=plan,
            horizon=asked.horizon,
            status=asked.status,
            internal=can_read_internal(user, plan),
        )
        return download(plan_exports.scorecard_export(card, today=_today(session, user, plan)), fmt)

    return scorecard_export


def _measurements(fmt: str) -> Callable[..., Response]:
    def measurements_export(
        session: SessionDep, user: CurrentUser, slug: str, asked: ScorecardFilters
    ) -> Response:
        plan = _readable_plan(session, user, slug)
        internal = can_read_internal(user, plan)
        card = plan_exports.load_scorecard(
            session=session,
            plan=plan,
            horizon=asked.horizon,
            status=asked.status,
            internal=internal,
        )
        export = plan_exports.measurements_export(
            card, internal=internal, today=_today(session, user, plan)
        )
        return download(export, fmt)

    return measurements_export


def _roadmap(fmt: str) -> Callable[..., Response]:
    def roadmap_export(
        session: SessionDep, user: CurrentUser, slug: str, filters: RoadmapAsked
    ) -> Response:
        plan = _readable_plan(session, user, slug)
        roadmap = roadmap_service.load_roadmap(
            session=session, plan=plan, filters=filters, internal=can_read_internal(user, plan)
        )
        return download(
            plan_exports.roadmap_export(roadmap, today=_today(session, user, plan)), fmt
        )

    return roadmap_export


def _review(fmt: str) -> Callable[..., Response]:
    def review_export(session: SessionDep, user: CurrentUser, asked: ReviewQuery) -> Response:
        if user is None:
            return _sign_in("/review")
        reviewer = review_service.require_reviewer(user)
        review = review_service.load_review(
            session=session, user=reviewer, filters=asked.filters, now=asked.now
        )
        return download(
            org_exports.review_export(
                review, today=reading_today(session, reviewer, now=asked.now)
            ),
            fmt,
        )

    return review_export


def _activity(fmt: str) -> Callable[..., Response]:
    def activity_export(session: SessionDep, user: CurrentUser, asked: ActivityQuery) -> Response:
        if user is None:
            return _sign_in("/activity")
        feed = org_exports.load_whole_feed(session=session, user=user, filters=asked.filters)
        return download(org_exports.activity_export(feed, today=_today(session, user)), fmt)

    return activity_export


def _action_items(fmt: str) -> Callable[..., Response]:
    def action_items_export(
        session: SessionDep, user: CurrentUser, asked: ActionItemsQuery
    ) -> Response:
        export = session_exports.action_items_download(
            session, user, status=asked.status, today=_today(session, user)
        )
        return download(export, fmt)

    return action_items_export


for _fmt in FORMATS:
    for _path, _make in (
        ("/plans/{slug}/scorecard", _scorecard),
        ("/plans/{slug}/measurements", _measurements),
        ("/plans/{slug}/roadmap", _roadmap),
        ("/review", _review),
        ("/activity", _activity),
        ("/action-items", _action_items),
    ):
        _endpoint = _make(_fmt)
        router.add_api_route(
            f"{_path}.{_fmt}", _endpoint, methods=["GET"], name=f"{_endpoint.__name__}_{_fmt}"
        )
