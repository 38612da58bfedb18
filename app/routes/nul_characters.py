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

from app.routes.form_limits import read_form
from app.services.errors import FieldProblem, ValidationFailed

NUL = "\x00"
MESSAGE = "must not contain the NUL character (U+0000)"
TOO_DEEP = "is nested too deeply to be read"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _json_places(document: Any) -> Iterator[str]:
    """The places in a JSON document whose key or text holds a NUL, in the document's order.
    Walked with a list, not by recursion: a document nested as deep as json.loads allows must
    not overflow the stack here. A key holding a NUL stands for its value (a NUL) at its place."""
    pending: list[tuple[Any, str]] = [(document, "")]
    while pending:
        value, place = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                yield place or "body"
        elif isinstance(value, dict):
            children = [
                (NUL if NUL in str(key) else item, f"{place}.{key}" if place else str(key))
                for key, item in value.items()
            ]
            pending.extend(reversed(children))
        elif isinstance(value, list):
            children = [
                (item, f"{place}.{index}" if place else str(index))
                for index, item in enumerate(value)
            ]
            pending.extend(reversed(children))


async def _body_places(request: Request) -> list[str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        form = await read_form(request)
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
    except RecursionError:  # 100,000 nested `[`: no route reads it, and no value can be checked
        raise ValidationFailed.one("body", TOO_DEEP) from None
    return list(_json_places(document))


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
