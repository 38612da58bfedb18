"""Shapes of the API's answers (read models) and the pagination every list shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session

from app.models import Organization, Plan

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class _PageParams:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=500, description="Items per page")] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset

    def run(self, session: Session, query: Any, convert: Callable[[Any], T]) -> Page[T]:
        total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
        rows = session.execute(query.limit(self.limit).offset(self.offset)).all()
        return Page[T](items=[convert(r) for r in rows], total=total, limit=self.limit, offset=self.offset)


PageParams = Annotated[_PageParams, Depends()]


class PlanSummary(BaseModel):
    id: int
    slug: str
    title: str
    organization: str
    organization_slug: str
    status: str
    published: bool
    period_start: dt.date | None
    period_end: dt.date | None
    adopted_on: dt.date | None

    @classmethod
    def of(cls, plan: Plan, org: Organization) -> PlanSummary:
        return cls(
            id=plan.id, slug=plan.slug, title=plan.title, organization=org.name,  # type: ignore[arg-type]
            organization_slug=org.slug, status=plan.status, published=plan.published,
            period_start=plan.period_start, period_end=plan.period_end, adopted_on=plan.adopted_on,
        )
