"""Read pages served from memory while nothing they show has changed (issue 14).

A route that reads a plan (or the organisation's review) hands its rendering to `cached_page`:

    return cached_page(request, session, user, organization_id=..., internal=..., render=...)

Each request reads the organisation's stamp from the database (one statement,
app.services.reading.page_stamp), so a write through any worker is seen on the very next read
in every worker. The key: the database, the address and its query string, the htmx headers that
choose a fragment, the stamp, the reader's visibility class (public, organisation member,
administrator) and the reader (id and version; anonymous readers share one copy). A kept body
never holds a CSRF token: pages are rendered with a stand-in that is replaced by the reader's own
token each time one is served.

Conditional requests: each answer has an ETag made from its key (the same in every worker; weak
for pages, strong for a JSON answer such as the tree, whose bytes are the same for everyone);
`If-None-Match` with it is answered 304. Who may keep the answer stays CacheControlMiddleware's
decision (QUALITY row 19): anonymous readers' public pages are kept and revalidated (a 304 then
saves the page's bytes); a signed-in person's page is `no-store`, so the back button and a shared
computer never show a page from before; a route may say otherwise (the tree API: `private,
no-cache`, as before).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.models import User
from app.routes import compression
from app.services.reading.page_stamp import organization_stamp, validity
from app.services.rules import clock
from app.services.views.page_cache import KeptPage, PageCache
from app.settings import ROOT, get_settings
from app.templating import is_htmx

# Stands in for the reader's CSRF token while a page renders; never leaves the process (every
# body served has it replaced). Random per process, so no stored text can carry it.
CSRF_STAND_IN = f"csrf-stand-in-{secrets.token_hex(16)}"


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match holds `etag` (weak comparison, as RFC 9110 asks for this header), or "*"."""
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """The code and templates this process serves (names, sizes, times): a page's ETag from
    before a new release never matches its page after it. The same in every worker."""
    files = sorted((ROOT / "app").rglob("*.py")) + sorted((ROOT / "app").rglob("*.html"))
    seen = [(str(f.relative_to(ROOT)), f.stat().st_size, f.stat().st_mtime_ns) for f in files]
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def page_cache() -> PageCache:
    """This process's cache, bounded by the PAGE_CACHE_BYTES setting."""
    return PageCache(get_settings().page_cache_bytes)


def forget_all() -> None:
    """Drop every kept page (and read PAGE_CACHE_BYTES again on the next use)."""
    page_cache().clear()
    page_cache.cache_clear()


def visibility(user: User | None, *, internal: bool) -> str:
    """The reader's class: what a page may show them besides what the public sees."""
    if not internal:
        return "public"
    if user is not None and (user.role == "admin" or user.is_installation_admin):
        return "admin"
    return "member"


def cached_page(
    request: Request,
    session: Session,
    user: User | None,
    *,
    organization_id: int,
    internal: bool,
    render: Callable[[], Response],
    variant: str = "",
    weak: bool = True,
) -> Response:
    """The page `render()` makes, from memory when nothing it shows changed since it was kept."""
    now = clock.clock()
    reader = None if user is None else (user.id, user.version)
    key = (
        str(session.get_bind().engine.url),
        code_stamp(),
        variant,
        request.url.path,
        request.url.query,
        is_htmx(request),
        request.headers.get("HX-Target", ""),
        organization_stamp(session, organization_id),
        visibility(user, internal=internal),
        reader,
    )
    cache = page_cache()
    page = cache.get(key, now)
    if page is None:
        with cache.making(key):
            page = cache.get(key, now)  # made meanwhile by the request this one waited for
            if page is None:
                made = _rendered(request, key, render, session, organization_id, now, weak=weak)
                if isinstance(made, Response):  # not a page to keep (a redirect, a refusal)
                    return made
                page = made
                cache.put(key, page)
    packing = len(page.body) >= compression.MINIMUM_BYTES and compression.accepts_gzip(request)
    # A strong ETag names the bytes: the gzipped ones have their own (a weak one names the page).
    etag = page.etag[:-1] + '-gzip"' if packing and not page.etag.startswith("W/") else page.etag
    headers = {"ETag": etag, "Vary": "HX-Request, HX-Target, Accept-Encoding"}
    if etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    token = getattr(request.state, "csrf_token", "")
    body = page.body.replace(CSRF_STAND_IN.encode(), token.encode()) if token else page.body
    if not packing:
        return Response(body, media_type=page.media_type, headers=headers)
    # The gzip of what this reader is served, with their token, kept beside the page: the same
    # page again is not compressed again.
    packed_key = (key, token, "gzip")
    packed = cache.get(packed_key, now)
    if packed is None:
        packed = replace(page, body=compression.gzipped(body))
        cache.put(packed_key, packed)
    headers["Content-Encoding"] = "gzip"
    return Response(packed.body, media_type=page.media_type, headers=headers)


def _rendered(
    request: Request,
    key: tuple[object, ...],
    render: Callable[[], Response],
    session: Session,
    organization_id: int,
    now: dt.datetime,
    *,
    weak: bool,
) -> KeptPage | Response:
    """The page to keep, rendered with the CSRF stand-in; or, when it is no page to keep, the
    answer itself with the reader's own token."""
    token = getattr(request.state, "csrf_token", "")
    if token:
        request.state.csrf_token = CSRF_STAND_IN
    try:
        response = render()
    finally:
        if token:
            request.state.csrf_token = token
    body = bytes(getattr(response, "body", b""))
    if response.status_code != 200 or not body:
        answer = Response(
            body.replace(CSRF_STAND_IN.encode(), token.encode()),
            status_code=response.status_code,
            media_type=response.media_type,
        )
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                answer.headers[name] = value
        return answer
    since, until = validity(session, organization_id=organization_id, now=now)
    digest = hashlib.sha256(repr((key[1:], since, until)).encode()).hexdigest()[:32]
    media_type = response.headers.get("content-type", "text/html; charset=utf-8")
    # Weak for pages: the same page for two sessions of one reader differs in its CSRF token.
    etag = f'W/"p-{digest}"' if weak else f'"{key[2]}-{digest}"'
    return KeptPage(body, media_type, etag, since, until)
