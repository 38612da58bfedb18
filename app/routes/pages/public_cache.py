"""The public site's answers: the same for every reader, so shared caches may keep them for five
minutes and revalidate with the ETag (304 when nothing the answer says has changed)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from app.routes.api.tree import etag_matches

PUBLIC_CACHE = "public, max-age=300"


def cached(request: Request, etag: str, answer: Callable[[], Response]) -> Response:
    """304 when the client holds `etag`, else `answer()`; both with the ETag and Cache-Control."""
    headers = {"ETag": etag, "Cache-Control": PUBLIC_CACHE}
    if etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    response = answer()
    response.headers.update(headers)
    return response


def site_origin(request: Request) -> str:
    """The site's origin (scheme and host), for the absolute addresses open data carries."""
    return str(request.base_url).rstrip("/")
