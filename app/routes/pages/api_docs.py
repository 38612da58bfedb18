"""/api/docs: the API's interactive documentation (Swagger UI) served from this server.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; the app
must work offline and its Content-Security-Policy allows neither, so the page is served here with
swagger-ui-dist from the npm registry and a small start-up script of our own.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/api/docs")
def api_docs(request: Request) -> Response:
    return templates.TemplateResponse(
        request, "api_docs/index.html", {"openapi_url": request.app.openapi_url}
    )
