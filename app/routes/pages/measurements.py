"""A metric page's post: a wrong measurement voided, with the reason typed beside it.

Success goes back to the metric's page (303), where the value has left the chart and the status
and is listed among the voided ones; a refusal shows the page again with the message beside
that value's reason field, and nothing saved.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, actor_for
from app.deps import SessionDep
from app.models import Measurement, Metric, Plan, User
from app.models.metric import MeasurementVoid
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_
from app.routes.pages.form_posts import FormPost, form_post
from app.routes.pages.scorecard import metric_page_answer
from app.services.accounts.permissions import require_read_plan
from app.services.changes import measurement_voids, metrics
from app.services.errors import NotFound
from app.services.reading import catalog
from app.services.reading.plan_tree import get_plan

router = APIRouter(include_in_schema=False)


@router.post("/plans/{slug}/scorecard/{metric_code}/measurements/{measurement_id}/void")
def void_measurement(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    metric_code: str,
    measurement_id: ItemId,
    reason: Form_ = "",
    version: Form_ = "",
) -> Response:
    plan, metric, measurement = _measurement_of(session, user, slug, metric_code, measurement_id)
    with form_post(session) as post:
        data = MeasurementVoid(version=version or 0, reason=reason)  # type: ignore[arg-type]
        measurement_voids.void_measurement(
            session=session, measurement=measurement, data=data, actor=actor_for(user)
        )
    if post.refused:
        errors, typed = {measurement_id: _refusal_words(post)}, {measurement_id: reason}
        return metric_page_answer(
            request,
            session,
            user,
            plan,
            metric_code,
            void_errors=errors,
            void_typed=typed,
            status=post.status,
        )
    target = f"/plans/{quote(plan.slug)}/scorecard/{quote(metric.code)}?voided=1"
    return RedirectResponse(target, status_code=303)


def _measurement_of(
    session: Session, user: User | None, slug: str, metric_code: str, measurement_id: int
) -> tuple[Plan, Metric, Measurement]:
    """The measurement the URL names, on the metric and plan it names (404 otherwise)."""
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    measurement = catalog.get_measurement(
        session=session, user=user, measurement_id=measurement_id, include_archived=True
    )
    metric = metrics.get_metric(session=session, metric_id=measurement.metric_id)
    if metric.plan_id != plan.id or metric.code != metric_code:
        raise NotFound(f"No measurement with id {measurement_id} on this metric.")
    return plan, metric, measurement


def _refusal_words(post: FormPost) -> str:
    """The one message shown beside the value's reason field."""
    if post.conflict is not None:
        return (
            "Someone changed this value since the page was loaded: "
            "check it below and void it again if it is still wrong."
        )
    if post.errors.get("reason") == "This is required.":
        return "Say why this value is voided."
    errors = post.errors
    return errors.get("reason") or errors.get("form") or next(iter(errors.values()))
