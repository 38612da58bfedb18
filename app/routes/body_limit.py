"""Request bodies have a size: 413 before a byte too many is read.

An anonymous POST with a 60 MB JSON body used to be read and parsed before its 401 (2.5 s and
+390 MB per request). This middleware refuses a body over the limit (settings.max_body_bytes,
about 1 MB: JSON and forms) before a byte of it is read when `Content-Length` says so, and while
the body streams in when it does not (chunked): the route's read fails and whatever the app
answered to that is replaced by the 413. The route's limit is known at its first read (the
router has chosen it by then; FastAPI reads the body before running dependencies); a length over
every route's limit is refused before the app runs at all. Nothing is buffered here: plain
ASGI, not BaseHTTPMiddleware.

Routes that take files declare it with `@takes_files` (below the route decorator); they may
receive up to settings.max_upload_bytes. Such a route reads the file as Starlette's UploadFile,
which spools to a temporary file past 1 MB: bounded on disk by that same limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.routes.errors import JSON_PATHS

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
UPLOAD_MARK = "_plantrack_takes_files"

PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Too large · PlanTrack'
    "</title></head><body><main><h1>Too large</h1><p>{message}</p>"
    '<p><a href="/">PlanTrack home</a></p></main></body></html>'
)


def takes_files(endpoint: Endpoint) -> Endpoint:
    """Mark a route that takes files: its body may reach settings.max_upload_bytes."""
    setattr(endpoint, UPLOAD_MARK, True)
    return endpoint


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body passes the limit: the app stops reading it."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit))


def too_large_message(limit: int, where: str = "this address") -> str:
    return f"The request body is larger than the {limit:,} bytes {where} accepts."


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None


def _route_takes_files(scope: Scope) -> bool:
    """The route the router chose (Starlette and FastAPI put it in the scope before the route
    reads its body) was marked with `takes_files`."""
    endpoint = getattr(scope.get("route"), "endpoint", None)
    return bool(getattr(endpoint, UPLOAD_MARK, False))


async def send_too_large(scope: Scope, send: Send, limit: int, where: str = "this address") -> None:
    message = too_large_message(limit, where)
    path = scope.get("path", "")
    if path.startswith("/api/") or path in JSON_PATHS:
        body = json.dumps(
            {"error": {"code": "body_too_large", "message": message, "limit": limit}}
        ).encode()
        content_type = b"application/json"
    else:
        body = PAGE.format(message=message).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is not wanted: the server closes rather than drain it.
                (b"connection", b"close"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max(max_upload_bytes, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_upload_bytes:
            # No route takes that much: refused before the app does anything at all.
            await send_too_large(scope, send, self.max_upload_bytes, "any address")
            return

        # The limit is known at the route's first read, once the router has chosen the route:
        # a route reads its body before its dependencies run, so nothing else is done first.
        limit: int | None = None
        received = 0
        too_large = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, too_large, limit
            if limit is None:
                limit = self.max_upload_bytes if _route_takes_files(scope) else self.max_body_bytes
            if declared is not None and declared > limit:
                too_large = True
                raise BodyTooLarge(limit)  # before a byte of the body is read
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's answer to BodyTooLarge: ours is sent instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # Whatever the failed read became on its way out (BodyTooLarge, FastAPI's 400
            # "error parsing the body", an exception group): the answer is the 413.
            if not too_large or started:
                raise
        if too_large and not started:
            await send_too_large(scope, send, limit or self.max_body_bytes)
