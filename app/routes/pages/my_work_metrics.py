"""/my-work's post for a metric: a measurement recorded, or a stored one corrected.

It answers with the metric's block (htmx) or back to /my-work, through my_work.answer().
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Metric, User
from app.models.metric import MeasurementIn
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, blank_to_none, parse_period
from app.routes.pages.form_posts import form_post
from app.routes.pages.my_work import answer, readable_item
from app.routes.pages.my_work_presentation import FormState, recorded_words
from app.services.changes import metrics
from app.services.reading import catalog
from app.services.rules.measurement_rules import bounds_of
from app.services.rules.typed_numbers import read_typed_number
from app.services.views.my_work import items as work_items

router = APIRouter(prefix="/my-work", include_in_schema=False)


def _metric_answer(
    request: Request,
    session: Session,
    user: User,
    metric: Metric,
    state: FormState,
    status: int = 200,
) -> Response:
    return answer(
        request,
        session,
        user,
        metric,
        state=state,
        status=status,
        item=lambda: work_items.load_metric_work(session=session, metric=metric, user=user),
    )


@router.post("/metrics/{metric_id}/measurements")
def record_measurement(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    metric_id: ItemId,
    period: Form_ = "",
    value: Form_ = "",
    note: Form_ = "",
    version: Form_ = "",
) -> Response:
    metric = metrics.get_metric(session=session, metric_id=metric_id)
    readable_item(session, user, metric.plan_id)
    # A correction names the version of the value it corrects; a new value names none.
    form = "correct" if version else "measurement"
    with form_post(session) as post:
        data = MeasurementIn(
            period=parse_period(period),
            value=read_typed_number(value, unit=metric.unit, bounds=bounds_of(metric)),
            note=note,
            version=blank_to_none(version),  # type: ignore[arg-type]
        )
        earlier = catalog.measurement_for_period(session=session, metric=metric, period=data.period)
        before = earlier.value if earlier is not None else None  # read before it is corrected
        saved = metrics.record_measurement(
            session=session, metric=metric, data=data, actor=actor_for(user)
        )
        post.notice = recorded_words(metric, before, saved)
    state = FormState.after(
        post, form, {"period": period, "value": value, "note": note, "version": version}
    )
    if post.conflict is not None:  # offered as a correction of the value now stored, on its version
        state = replace(state, form="correct", existing=not version)
    return _metric_answer(request, session, user, metric, state, post.status)
