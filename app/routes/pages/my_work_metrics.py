"""/my-work's post for a metric: a measurement recorded, or a stored one corrected.

It answers with the metric's block (htmx) or back to /my-work, through my_work.answer().
"""

from __future__ import annotations

import pydantic as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import CurrentUser, actor_for
from app.deps import SessionDep
from app.models import Metric, User
from app.models.metric import MeasurementIn
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import (
    Form_,
    blank_to_none,
    parse_period,
    pydantic_errors,
    service_errors,
)
from app.routes.pages.my_work import answer, failed, readable_item
from app.routes.pages.my_work_presentation import FormState, month_label
from app.services import catalog, metrics, work_items
from app.services.errors import Conflict, ValidationFailed
from app.services.measurement_rules import bounds_of
from app.services.measurement_voids import correction_words
from app.services.permissions import Action, require
from app.services.rollup import format_value
from app.services.typed_numbers import read_typed_number

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
    user: CurrentUser,
    metric_id: ItemId,
    period: Form_ = "",
    value: Form_ = "",
    note: Form_ = "",
    version: Form_ = "",
) -> Response:
    metric = metrics.get_metric(session=session, metric_id=metric_id)
    readable_item(session, user, metric.plan_id)
    actor = actor_for(user)
    require(session, actor, Action.record_measurement, metric, kind=metrics.KIND)
    assert user is not None
    typed = {"period": period, "value": value, "note": note}
    # A correction names the version of the value it corrects; a new value names none.
    form = "correct" if version else "measurement"
    earlier = None
    try:
        number = read_typed_number(value, unit=metric.unit, bounds=bounds_of(metric))
        data = MeasurementIn(
            period=parse_period(period),
            value=number,
            note=note,
            version=blank_to_none(version),  # type: ignore[arg-type]
        )
        earlier = catalog.measurement_for_period(session=session, metric=metric, period=data.period)
        before = earlier.value if earlier is not None else None
        saved = metrics.record_measurement(session=session, metric=metric, data=data, actor=actor)
    except pd.ValidationError as exc:
        failed(session)
        return _metric_answer(
            request,
            session,
            user,
            metric,
            FormState(form, {**typed, "version": version}, pydantic_errors(exc)),
            422,
        )
    except ValidationFailed as exc:
        failed(session)
        return _metric_answer(
            request,
            session,
            user,
            metric,
            FormState(form, {**typed, "version": version}, service_errors(exc)),
            422,
        )
    except Conflict as exc:
        failed(session)
        # Offered as a correction of the value now stored for that period, on its version.
        state = FormState("correct", typed, conflict=exc, existing=not version)
        return _metric_answer(request, session, user, metric, state, 409)
    notice = f"{format_value(saved.value, metric.unit)} recorded for {month_label(saved.period)}."
    if before is not None and before != saved.value:
        words = correction_words(metric.unit, before, saved.value)
        notice = f"{month_label(saved.period)} corrected: {words}."
    return _metric_answer(request, session, user, metric, FormState(form, notice=notice))
