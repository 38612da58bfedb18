"""The Jinja2 environment shared by every page (autoescaping on: templates are *.html)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app.settings import ROOT

templates = Jinja2Templates(directory=str(ROOT / "app" / "templates"))


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    """Render a page; an htmx request for the same URL gets only `block` (its fragment)."""
    ctx: dict[str, Any] = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "demo_mode": request.app.state.settings.demo_mode,
        **(context or {}),
    }
    if block is not None and is_htmx(request):
        tmpl = templates.env.get_template(template)
        html = "".join(tmpl.blocks[block](tmpl.new_context(ctx)))
        return Response(html, status_code=status_code, media_type="text/html")
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)
