"""No NUL character (U+0000) gets past the edge of the app.

PostgreSQL's text cannot hold it, so a path, query, form or JSON value carrying one failed deep in
the database with a 500 (found by the fuzzer). SQLite would store it, and the same plan would then
fail to move to PostgreSQL. Every request is checked here once, before any route, and refused
with a 422 naming where the character was, as any other invalid field is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request

from app.services.errors import FieldProblem, ValidationFailed

NUL = "\x00"
MESSAGE = "must not contain the NUL character (U+0000)"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _json_places(value: Any, place: str) -> Iterator[str]:
    """The places in a JSON document whose key or text holds a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield place or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{place}.{key}" if place else str(key)
            if NUL in str(key):
                yield inner
            else:
                yield from _json_places(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_places(item, f"{place}.{index}")


async def _body_places(request: Request) -> list[str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        form = await request.form()
        return [
            key
            for key, value in form.multi_items()
            if NUL in key or (isinstance(value, str) and NUL in value)
        ]
    body = await request.body()
    if not body or (b"\\u0000" not in body and b"\x00" not in body):
        return []
    try:
        document = json.loads(body)
    except ValueError:  # not JSON: the route refuses it for what it is
        return []
    return list(_json_places(document, ""))


async def refuse_nul_characters(request: Request) -> None:
    # Named as every other invalid field is (app.routes.errors): `slug`, `q`, `leads.1`.
    places = [k for k, v in request.path_params.items() if NUL in str(v)]
    if NUL in request.url.path and not places:
        places.append("path")
    places += [k for k, v in request.query_params.multi_items() if NUL in k + v]
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        places += await _body_places(request)
    if places:
        raise ValidationFailed([FieldProblem(place, MESSAGE) for place in places])
