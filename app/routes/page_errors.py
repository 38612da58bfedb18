"""How pages answer errors: a page for a normal request, an inline message for htmx."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.services.errors import DomainError, ValidationFailed
from app.templating import is_htmx, render

TITLES = {
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    409: "Changed by someone else",
    422: "Please check the form",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Busy, try again",
}
# What an unexpected error says (the details are in the log, under the request id).
UNEXPECTED = "Something went wrong on our side. It has been logged; please try again later."


def page_error_handler(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DomainError):
        status, message = exc.status_code, exc.message
        if isinstance(exc, ValidationFailed):
            message = "; ".join(f"{p.field.replace('_', ' ')}: {p.message}" for p in exc.problems)
    elif isinstance(exc, StarletteHTTPException):
        status, message = exc.status_code, str(exc.detail)
        if status == 404:
            message = "There is no page at this address."
    else:
        status, message = 500, UNEXPECTED
    if status == 401 and not is_htmx(request):
        # Quoted: a header is Latin-1, and an odd path (/metrics/²/edit) must not break it.
        location = f"/login?next={quote(request.url.path)}"
        return Response(status_code=303, headers={"Location": location})
    context: dict[str, Any] = {"message": message}
    if status >= 500:  # the reference lets whoever reads the page point at its line in the log
        context["request_id"] = getattr(request.state, "request_id", "")
    if is_htmx(request):
        response = render(request, "partials/error_fragment.html", context, status_code=status)
    else:
        context["title"] = TITLES.get(status, "Error")
        response = render(request, "error.html", context, status_code=status)
    # Keep what the error says about itself (Allow on a 405, Retry-After on a 429).
    for name, value in (getattr(exc, "headers", None) or {}).items():
        response.headers[name] = value
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
