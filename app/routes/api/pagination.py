"""The pagination every list of the API shares: `limit` and `offset` in, a `Page` out.

One place so every list counts, limits and orders its pages the same way, and a page's related rows
are read in one query per page (`run_items`), never one per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session

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
        total = session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = session.execute(query.limit(self.limit).offset(self.offset)).all()
        return Page[T](
            items=[convert(r) for r in rows], total=total, limit=self.limit, offset=self.offset
        )

    def run_items(
        self, session: Session, query: Any, convert_all: Callable[[list[Any]], list[T]]
    ) -> Page[T]:
        """Like `run`, for a query of one entity: `convert_all` gets the page's rows at once, so
        what they need alongside (targets, goal links…) is read in one query per page."""
        total = session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
        rows = list(session.execute(query.limit(self.limit).offset(self.offset)).scalars())
        return Page[T](items=convert_all(rows), total=total, limit=self.limit, offset=self.offset)


PageParams = Annotated[_PageParams, Depends()]


def each(model: type[BaseModel]) -> Callable[[list[Any]], list[Any]]:
    """`convert_all` for `run_items` when every row reads on its own."""
    return lambda rows: [model.model_validate(row) for row in rows]
