"""Request-scoped dependencies: the database session and (see app.auth) the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import get_engine, get_read_engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed once when the route returns, before the response.

    scope="function" (below) makes the commit happen before the client hears "200": a write the
    client was told about is a write that is stored. Reading requests get a read transaction
    (on SQLite a deferred BEGIN, so readers never queue behind the write lock).
    """
    engine = get_read_engine() if request.method in SAFE_METHODS else get_engine()
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
