"""A database too busy to answer in time is a 503 with Retry-After, never a 500 (issue 16).

Every wait for a lock is bounded (app.db): SQLite's busy timeout ("database is locked"),
PostgreSQL's lock_timeout and statement_timeout, the connection pool's timeout. When one runs
out the request answers like `ServiceBusy`, the refusal of app.deps' bounded waits: the JSON error
or the error page, with Retry-After. Any other database error stays what it is: a bug.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.db import WriteLockBusy, is_lock_timeout
from app.services.errors import DomainError, ServiceBusy


def install_busy_handlers(app: FastAPI) -> None:
    async def _busy(request: Request, exc: Exception) -> Response:
        if not is_lock_timeout(exc):
            raise exc
        handler = app.exception_handlers[DomainError]
        return await handler(request, ServiceBusy())  # type: ignore[no-any-return]

    for kind in (OperationalError, PoolTimeout, WriteLockBusy):
        app.add_exception_handler(kind, _busy)
