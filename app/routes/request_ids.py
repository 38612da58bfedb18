"""Every request gets an id, and nothing unexpected leaves the app as a bare 500.

The id goes back in `X-Request-ID` on every answer and into the log line of anything that fails,
so a person quoting the reference on the error page (or an API client quoting the header) points
at the traceback. An exception no handler in app.routes.errors knows is logged here, with its
traceback and the id, and answered with PlanTrack's error page (JSON for the API) carrying the
security headers: Starlette's own last resort sits outside every middleware, so its plain-text
"Internal Server Error" went out without them.

An incoming `X-Request-ID` (a proxy's, e.g. nginx's `$request_id`) is kept when it is plainly an
id: 8 to 64 letters, digits, dots, dashes or underscores. Anything else (spaces, line breaks, any
other character that could forge or break a log line) is replaced by a fresh id.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from contextvars import ContextVar

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.routes.errors import error_json, is_api_path
from app.routes.page_errors import UNEXPECTED
from app.routes.security_headers import SecurityHeadersMiddleware

HEADER = "X-Request-ID"
_HEADER_KEY = HEADER.lower().encode()
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")

log = logging.getLogger("plantrack.errors")
_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being handled (empty outside a request)."""
    return _request_id.get()


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == _HEADER_KEY:
            text = value.decode("latin-1")
            return text if _WELL_FORMED.fullmatch(text) else None
    return None


def _log_to_stderr_unless_configured() -> None:
    """uvicorn configures only its own loggers: without a handler, a failure's traceback would
    reach stderr through logging's last resort without a time. An operator's own logging
    configuration (a handler on the root logger) is left alone."""
    ours = logging.getLogger("plantrack")
    if ours.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    ours.addHandler(handler)


def unexpected_error_response(request: Request, request_id: str) -> Response:
    """The answer to an exception nothing else handled: a JSON error for the API, else the error
    page (a fragment for htmx), both naming the request id."""
    if is_api_path(request.url.path):
        body = {"code": "internal_error", "message": UNEXPECTED, "request_id": request_id}
        return error_json(500, body)
    handler = getattr(request.app.state, "page_error_handler", None)
    try:
        if handler is not None:
            return handler(request, RuntimeError())
    except Exception:  # the page itself failed to render: answer plainly, still as ours
        log.exception("request %s: the error page failed to render", request_id)
    reference = html.escape(request_id)
    return HTMLResponse(
        f"<!doctype html><title>Something went wrong</title><h1>Something went wrong</h1>"
        f"<p>{html.escape(UNEXPECTED)}</p><p>Reference: <code>{reference}</code></p>",
        status_code=500,
    )


class RequestIdMiddleware:
    """Plain ASGI (not BaseHTTPMiddleware): it must see exceptions from every layer inside it,
    and it adds nothing to a request but its id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        _log_to_stderr_unless_configured()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = request_id
        token = _request_id.set(request_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER_KEY
                ]
                message["headers"] = [*headers, (_HEADER_KEY, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "request %s: %s %s failed", request_id, scope.get("method"), scope.get("path")
            )
            if started:  # part of the answer is out: the server can only drop the connection
                raise
            response = unexpected_error_response(Request(scope, receive), request_id)
            await SecurityHeadersMiddleware(response)(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
