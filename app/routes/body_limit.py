"""Request bodies have a size: 413 before a byte too many is read.

An anonymous POST with a 60 MB JSON body used to be read and parsed before its 401 (2.5 s and
+390 MB per request). This middleware refuses a body over the limit (settings.max_body_bytes,
about 1 MB: JSON and forms) before the app runs when `Content-Length` says so, and while the body
streams in when it does not (chunked): the app's next read fails and whatever it answered to that
is replaced by the 413. Nothing is buffered here: plain ASGI, not BaseHTTPMiddleware.

Routes that take files declare it with `@takes_files` (below the route decorator); they may
receive up to settings.max_upload_bytes. Such a route reads the file as Starlette's UploadFile,
which spools to a temporary file past 1 MB: bounded on disk by that same limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.routing import Match
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


def too_large_message(limit: int) -> str:
    return f"The request body is larger than the {limit:,} bytes this address accepts."


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None


def _takes_files(scope: Scope) -> bool:
    """The route this request goes to was marked with `takes_files` (looked up only for a body
    over the ordinary limit, so ordinary requests pay nothing for it)."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    for route in getattr(router, "routes", ()):
        match, child = route.matches(scope)
        if match == Match.FULL:
            return bool(getattr(child.get("endpoint"), UPLOAD_MARK, False))
    return False


async def send_too_large(scope: Scope, send: Send, limit: int) -> None:
    message = too_large_message(limit)
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
        limit = self.max_body_bytes
        raised = False  # the upload limit is looked up once, when the ordinary one is passed
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            limit, raised = self._limit_for(scope), True
            if declared > limit:
                await send_too_large(scope, send, limit)
                return

        received = 0
        too_large = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, too_large, limit, raised
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not raised:
                    limit, raised = self._limit_for(scope), True
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
            await send_too_large(scope, send, limit)

    def _limit_for(self, scope: Scope) -> int:
        return self.max_upload_bytes if _takes_files(scope) else self.max_body_bytes
