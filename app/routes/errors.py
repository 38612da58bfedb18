"""One place that turns errors into answers: JSON for the API, a page or fragment for people."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.services.errors import DomainError, FieldProblem, ValidationFailed

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": None, "description": text}
    for status, text in (
        (401, "Not signed in"),
        (403, "Not allowed"),
        (404, "Not found"),
        (409, "Stale edit: someone saved a newer version"),
        (412, "If-Match names a stale version"),
        (422, "Invalid input; `fields` names each field"),
        (429, "Too many failed attempts; wait the seconds Retry-After gives"),
    )
}


def error_json(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"error": body}, status_code=status, headers=headers)


JSON_PATHS = frozenset({"/healthz", "/openapi.json"})


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path in JSON_PATHS


def _is_api(request: Request) -> bool:
    return is_api_path(request.url.path)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def _problem_message(err: dict[str, Any]) -> str:
    # Said as plan files say it (app.services.plan_file.reading), not pydantic's "Extra inputs".
    if err.get("type") == "extra_forbidden":
        return "is not a field of this request (misspelt?)"
    return str(err.get("msg", "invalid"))


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path. The router's own 405 names only the first
    route matching the path: GET /x/{id} and PATCH /x/{id}, two routes, said `Allow: GET`."""
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


def _page_error_handler(request: Request, exc: Exception) -> Response | None:
    handler = getattr(request.app.state, "page_error_handler", None)
    if handler is None or _is_api(request):
        return None
    return handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        page = _page_error_handler(request, exc)
        if page is not None:
            return page
        retry_after = getattr(exc, "retry_after", None)  # 429 throttle, 503 busy database
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return error_json(exc.status_code, exc.body(), headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            FieldProblem(_field_name(tuple(err.get("loc", ()))), _problem_message(err))
            for err in exc.errors()
        ]
        failed = ValidationFailed(problems)
        page = _page_error_handler(request, failed)
        if page is not None:
            return page
        return error_json(422, failed.body())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        page = _page_error_handler(request, exc)
        if page is not None:
            return page
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            401: "not_authenticated",
            403: "forbidden",
        }
        return error_json(
            exc.status_code,
            {"code": codes.get(exc.status_code, "http_error"), "message": str(exc.detail)},
            getattr(exc, "headers", None),
        )
