"""GET /api/v1/organizations/{slug}/executive: the executive view's numbers (issue 12)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.api.deps import error_responses
from app.services.errors import ValidationFailed
from app.services.rules import clock
from app.services.rules.local_time import local_today
from app.services.views import executive as executive_service

router = APIRouter(tags=["organizations"])


class RollupRead(BaseModel):
    distribution: dict[str, int] = Field(
        description="How many strategies have each effective status (every code, worst first)"
    )
    mean_progress: int | None = Field(description="Mean % progress; null with no strategy")
    headline: str = Field(description="The worst status code")
    total: int


class OffTargetMetricRead(BaseModel):
    id: int
    code: str
    name: str
    status: str = Field(description="off_track, at_risk or stale (late)")
    reason: str


class MovedRead(BaseModel):
    status_changes: int = Field(description="Status changes recorded since the date")
    completed: int = Field(description="Items set to complete (and steps marked done) since then")
    new_off_target: int = Field(
        description="Measurements entered since then whose value misses its target"
    )


class ExecutivePlanRead(BaseModel):
    slug: str
    title: str
    status: str = Field(description="The plan's own status: draft, adopted or archived")
    owning_department: str | None
    rollup: RollupRead
    overdue: int
    stale: int
    off_target_count: int
    off_target: list[OffTargetMetricRead]
    moved: MovedRead
    members: list[ExecutivePlanRead] = Field(
        default_factory=list, description="A programme's department plans"
    )
    combined: RollupRead | None = Field(
        default=None, description="A programme: its strategies and its members', as one group"
    )


class ExecutiveRead(BaseModel):
    organization: str
    organization_slug: str
    since: dt.date
    plans: list[ExecutivePlanRead] = Field(
        description="Programmes (their member plans nested) and plans in no programme"
    )


def _rollup(r: object) -> RollupRead:
    return RollupRead(
        distribution=r.distribution,  # type: ignore[attr-defined]
        mean_progress=r.mean_progress,  # type: ignore[attr-defined]
        headline=r.headline,  # type: ignore[attr-defined]
        total=r.total,  # type: ignore[attr-defined]
    )


def _line(line: executive_service.PlanLine) -> ExecutivePlanRead:
    return ExecutivePlanRead(
        slug=line.plan.slug,
        title=line.plan.title,
        status=line.plan.status,
        owning_department=line.owning_department.name if line.owning_department else None,
        rollup=_rollup(line.rollup),
        overdue=line.overdue,
        stale=line.stale,
        off_target_count=line.off_target_count,
        off_target=[
            OffTargetMetricRead(
                id=m.metric.id,
                code=m.metric.code,
                name=m.metric.name,
                status=m.status.code,
                reason=m.status.reason,
            )
            for m in line.off_target
        ],
        moved=MovedRead(
            status_changes=line.moved.status_changes,
            completed=line.moved.completed,
            new_off_target=line.moved.new_off_target,
        ),
        members=[_line(m) for m in line.members],
        combined=_rollup(line.combined) if line.combined is not None else None,
    )


@router.get(
    "/organizations/{slug}/executive",
    name="api_executive",
    summary="The executive view: every plan of an organisation at a glance",
    description=(
        "For each live plan of the organisation: its strategies' status distribution, mean "
        "progress, overdue and stale counts, off-target metrics and what moved since `since` "
        "(default 30 days ago). Programmes list their member plans under `members`. For the "
        "organisation's people and installation administrators; others get a 404."
    ),
    response_model=ExecutiveRead,
    responses=error_responses(401, 404, 422),
)
def get_executive(
    slug: str, session: SessionDep, user: CurrentUser, since: str = ""
) -> ExecutiveRead:
    organization = executive_service.get_organization(session, slug)
    executive_service.require_staff(user, organization)
    now = clock.clock()
    day, problem = executive_service.parse_since(since, local_today(organization.time_zone, now))
    if problem:
        raise ValidationFailed.one("since", problem)
    view = executive_service.load_executive(
        session=session, user=user, organization=organization, since=day, now=now
    )
    return ExecutiveRead(
        organization=organization.name,
        organization_slug=organization.slug,
        since=view.since,
        plans=[_line(line) for line in view.lines],
    )
