"""The application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from app.auth import request_guard
from app.db import optimize_sqlite
from app.deps import begin_writing
from app.routes import compression
from app.routes.api import api_router
from app.routes.body_limit import BodyLimitMiddleware
from app.routes.busy import install_busy_handlers
from app.routes.cache_control import CacheControlMiddleware
from app.routes.errors import install_error_handlers
from app.routes.nul_characters import refuse_nul_characters
from app.routes.page_errors import page_error_handler
from app.routes.request_ids import RequestIdMiddleware
from app.routes.security_headers import SecurityHeadersMiddleware
from app.settings import ROOT, get_settings

# Only the built files of the front-end packages the pages use are served, never node_modules.
VENDOR_DIST = {
    "htmx": ROOT / "node_modules" / "htmx.org" / "dist",
    "pico": ROOT / "node_modules" / "@picocss" / "pico" / "css",
    "chartjs": ROOT / "node_modules" / "chart.js" / "dist",
    "swagger-ui": ROOT / "node_modules" / "swagger-ui-dist",
}


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # The objects alive after start-up (routes, templates, models: ~150,000) live as long as the
    # server; left in the collector's reach, every full collection a large page triggers walks
    # them all again. Freezing them took the plan tree's median from 63 to 42 ms in-process.
    gc.freeze()
    optimize_sqlite()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="PlanTrack",
        version="1.0",
        description=(
            "The JSON API of PlanTrack: strategic plans from mission and vision to focus areas, "
            "goals, strategies, workplan steps, metrics with targets and measurements, quick wins "
            "and the roadmap. Reading published plans is open; writing needs a signed-in session "
            "(with its CSRF token) or a read-write personal API token (`Authorization: Bearer "
            "…`; a read-only token gets 403 on any write, an expired or revoked one 401). Every "
            "editable item carries a `version`: send it back with a change (or as `If-Match`) and "
            "a stale change is refused with 409/412 and the newer value."
        ),
        docs_url=None,  # served by app/routes/pages/api_docs.py, without a CDN or inline script
        redoc_url=None,
        openapi_url="/openapi.json",
        # Before every route: text the database can hold, the current user on request.state,
        # CSRF for unsafe methods, then (SQLite) the process's writer turn for a write.
        dependencies=[
            Depends(refuse_nul_characters),
            Depends(request_guard),
            Depends(begin_writing),
        ],
        lifespan=_lifespan,
    )
    app.state.settings = settings
    # Innermost: HTML and JSON over 1 KB travel gzipped (app.routes.compression; issue 14: a
    # roadmap's 520 KB is 37 KB); PDF, XLSX and images pass as they are.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=compression.MINIMUM_BYTES,
        compresslevel=compression.LEVEL,
        exclude_content_types=compression.EXCLUDED,
    )
    # Inside the security headers, so the 413 and every Cache-Control answer carry them too.
    app.add_middleware(CacheControlMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.environment == "production")
    # Outermost: every answer carries the request id, and an exception from any layer within
    # becomes the error page (with the security headers) instead of a bare 500.
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
    install_busy_handlers(app)
    app.state.page_error_handler = page_error_handler
    app.include_router(api_router)
    _mount_static(app)
    _include_pages(app)
    return app


def _mount_static(app: FastAPI) -> None:
    app.mount("/static/app", StaticFiles(directory=ROOT / "app" / "static"), name="static")
    for name, folder in VENDOR_DIST.items():
        if Path(folder).is_dir():
            app.mount(
                f"/static/vendor/{name}", StaticFiles(directory=folder), name=f"vendor-{name}"
            )


def _include_pages(app: FastAPI) -> None:
    try:
        from app.routes.pages import pages_router
    except ImportError:  # pages arrive with their own module; the API works without them
        return
    app.include_router(pages_router)
