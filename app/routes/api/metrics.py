"""Metrics with their dated targets, and their measurements: read, create, change, revise the
target, record a value, void a wrong one, archive and restore."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Metric
from app.models.metric import MeasurementIn, MeasurementVoid, MetricCreate, TargetIn
from app.routes.api.deps import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AnyMeasurement,
    AnyMetric,
    IncludeArchived,
    LiveMetric,
    LivePlan,
    OptionalId,
    PlanFilter,
    ReadableMeasurement,
    ReadableMetric,
    error_responses,
)
from app.routes.api.inputs import MetricChange, TargetRevision, VersionNote, strict_json
from app.routes.api.internal import measurement_for_reader, measurements_for_reader
from app.routes.api.metric_schemas import MeasurementRead, MetricRead
from app.routes.api.pagination import Page, PageParams, each
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.services.changes import measurement_voids, metrics
from app.services.reading import catalog, node_builders, visibility
from app.services.reading.zones import plan_days

router = APIRouter(tags=["metrics"])

VersionNoteJson = Annotated[None, strict_json(VersionNote)]


def _reads(session: Session, rows: list[Metric]) -> list[MetricRead]:
    ids = [m.id for m in rows]
    targets = catalog.targets_of(session=session, metric_ids=ids)  # type: ignore[arg-type]
    latest = node_builders.latest_measurements(session, ids)  # type: ignore[arg-type]
    days = plan_days(session, {m.plan_id for m in rows})
    return [
        MetricRead.of(
            m,
            targets.get(m.id, []),  # type: ignore[arg-type]
            latest[m.id].period if m.id in latest else None,
            days[m.plan_id],
        )
        for m in rows
    ]


def _read(session: Session, metric: Metric) -> MetricRead:
    return _reads(session, [metric])[0]


@router.get(
    "/metrics",
    summary="List metrics with their targets",
    response_model=Page[MetricRead],
    responses=error_responses(*READ_ERRORS),
)
def list_metrics(
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    plan: PlanFilter,
    include_archived: IncludeArchived,
    department_id: OptionalId = None,
) -> Page[MetricRead]:
    query = catalog.metrics_query(
        user=user, plan=plan, include_archived=include_archived, department_id=department_id
    )
    return page.run_items(session, query, lambda rows: _reads(session, rows))


@router.get(
    "/metrics/{metric_id}",
    name="api_metric",
    summary="One metric with its targets",
    response_model=MetricRead,
    responses=error_responses(*READ_ERRORS),
)
def get_metric(metric: ReadableMetric, session: SessionDep, response: Response) -> MetricRead:
    return with_etag(response, _read(session, metric))


@router.post(
    "/plans/{slug}/metrics",
    status_code=201,
    summary="Add a metric to a plan",
    response_model=MetricRead,
    responses=error_responses(*CREATE_ERRORS),
)
def create_metric(
    user: RequiredUser,
    plan: LivePlan,
    _json: Annotated[None, strict_json(MetricCreate)],
    data: MetricCreate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> MetricRead:
    metric = metrics.create_metric(session=session, plan=plan, data=data, actor=actor_for(user))
    return created(request, response, "api_metric", _read(session, metric), metric_id=metric.id)


@router.patch(
    "/metrics/{metric_id}",
    summary="Change a metric",
    description="Send only the fields that change, with the `version` you changed (If-Match "
    "may name it too). Targets change by revision (POST …/targets), never in place.",
    response_model=MetricRead,
    responses=error_responses(*WRITE_ERRORS),
)
def update_metric(
    user: RequiredUser,
    metric: LiveMetric,
    _json: Annotated[None, strict_json(MetricChange)],
    body: MetricChange,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> MetricRead:
    expected = expected_version(if_match, body.version, current=metric.version)
    data = with_version(body, expected)
    with precondition(expected):
        metrics.update_metric(session=session, metric=metric, data=data, actor=actor_for(user))
    return with_etag(response, _read(session, metric))


@router.post(
    "/metrics/{metric_id}/targets",
    summary="Revise a metric's target",
    description="A new target in force from `effective_from` (after the latest one's date). "
    "The target it replaces is kept, so earlier periods are judged by the target then in force. "
    "Answers the metric, whose version moves.",
    response_model=MetricRead,
    responses=error_responses(*WRITE_ERRORS),
)
def revise_target(
    user: RequiredUser,
    metric: LiveMetric,
    _json: Annotated[None, strict_json(TargetRevision)],
    body: TargetRevision,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> MetricRead:
    expected = expected_version(if_match, body.version, current=metric.version)
    target = TargetIn.model_validate(body.model_dump(exclude={"version", "note"}))
    with precondition(expected):
        metrics.revise_target(
            session=session,
            metric=metric,
            version=expected.version,
            target=target,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, _read(session, metric))


@router.post(
    "/metrics/{metric_id}/archive",
    summary="Archive a metric",
    response_model=MetricRead,
    responses=error_responses(*WRITE_ERRORS),
)
def archive_metric(
    user: RequiredUser,
    metric: LiveMetric,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> MetricRead:
    expected = expected_version(if_match, body.version, current=metric.version)
    with precondition(expected):
        metrics.set_metric_archived(
            session=session,
            metric=metric,
            version=expected.version,
            archived=True,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, _read(session, metric))


@router.post(
    "/metrics/{metric_id}/restore",
    summary="Restore an archived metric (administrators)",
    response_model=MetricRead,
    responses=error_responses(*WRITE_ERRORS),
)
def restore_metric(
    user: RequiredUser,
    metric: AnyMetric,
    _json: VersionNoteJson,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
    body: VersionNote,
) -> MetricRead:
    expected = expected_version(if_match, body.version, current=metric.version)
    with precondition(expected):
        metrics.set_metric_archived(
            session=session,
            metric=metric,
            version=expected.version,
            archived=False,
            actor=actor_for(user),
            note=body.note,
        )
    return with_etag(response, _read(session, metric))


# --- measurements --------------------------------------------------------------------------------


@router.get(
    "/metrics/{metric_id}/measurements",
    summary="A metric's measurements, newest first",
    response_model=Page[MeasurementRead],
    responses=error_responses(*READ_ERRORS),
)
def list_measurements(
    metric: ReadableMetric,
    session: SessionDep,
    user: CurrentUser,
    page: PageParams,
    include_archived: IncludeArchived,
) -> Page[MeasurementRead]:
    archived = visibility.archived_listed(session, user, metric.plan_id, include_archived)
    query = catalog.measurements_query(metric=metric, include_archived=archived)
    return page.run_items(
        session,
        query,
        lambda rows: measurements_for_reader(session, user, metric, each(MeasurementRead)(rows)),
    )


@router.get(
    "/measurements/{measurement_id}",
    name="api_measurement",
    summary="One measurement",
    response_model=MeasurementRead,
    responses=error_responses(*READ_ERRORS),
)
def get_measurement(
    measurement: ReadableMeasurement, session: SessionDep, user: CurrentUser, response: Response
) -> MeasurementRead:
    read = MeasurementRead.model_validate(measurement)
    return with_etag(response, measurement_for_reader(session, user, measurement, read))


@router.post(
    "/metrics/{metric_id}/measurements",
    status_code=201,
    summary="Record a measurement",
    description="The value for one period (its first day). A new period answers 201. A period "
    "that already has a value is corrected only when `version` names that value's version "
    "(200); without it the answer is 409 with the value already there and who entered it.",
    response_model=MeasurementRead,
    responses={
        200: {"description": "An existing period's value corrected", "model": MeasurementRead},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def record_measurement(
    user: RequiredUser,
    metric: LiveMetric,
    _json: Annotated[None, strict_json(MeasurementIn)],
    data: MeasurementIn,
    session: SessionDep,
    request: Request,
    response: Response,
) -> MeasurementRead:
    earlier = catalog.measurement_for_period(session=session, metric=metric, period=data.period)
    row = metrics.record_measurement(
        session=session, metric=metric, data=data, actor=actor_for(user)
    )
    answer = measurement_for_reader(session, user, row, MeasurementRead.model_validate(row))
    if earlier is not None:
        response.status_code = 200
        return with_etag(response, answer)
    return created(request, response, "api_measurement", answer, measurement_id=row.id)


@router.post(
    "/measurements/{measurement_id}/void",
    summary="Void a wrong measurement",
    description="A value that should never have been recorded leaves the charts and statuses "
    "but stays in the history and in the list of measurements (`include_archived=true`, for "
    "administrators), with "
    "who voided it and the `reason`. Its department and coordinators may void it. Send the "
    "`version` you voided (If-Match may name it too). Recording a value for that period again "
    "replaces it.",
    response_model=MeasurementRead,
    responses=error_responses(*WRITE_ERRORS),
)
def void_measurement(
    user: RequiredUser,
    measurement: AnyMeasurement,
    _json: Annotated[None, strict_json(MeasurementVoid)],
    body: MeasurementVoid,
    if_match: IfMatch,
    session: SessionDep,
    response: Response,
) -> MeasurementRead:
    expected = expected_version(if_match, body.version, current=measurement.version)
    with precondition(expected):
        measurement_voids.void_measurement(
            session=session,
            measurement=measurement,
            data=MeasurementVoid(version=expected.version, reason=body.reason),
            actor=actor_for(user),
        )
    read = MeasurementRead.model_validate(measurement)
    return with_etag(response, measurement_for_reader(session, user, measurement, read))
