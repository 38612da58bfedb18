"""Versions over HTTP: the ETag every item answer carries, `If-Match` on changes, and Location.

A change names the version it was made from in its body (`version`), and may name it as
`If-Match: "<version>"` too (the ETag the client read). The editing services refuse a stale
version with Conflict (409) and the newer value; when If-Match is stale the same refusal is
412 Precondition Failed, as HTTP says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import pydantic as pd
from fastapi import Depends, Header, Request, Response

from app.services.errors import Conflict, PreconditionFailed, ValidationFailed

M = TypeVar("M", bound=pd.BaseModel)

# One version, as an ETag (`"3"`, weak `W/"3"`) or bare (`3`).
IF_MATCH_PATTERN = r'^\s*(W/)?("[1-9][0-9]{0,8}"|[1-9][0-9]{0,8})\s*$'


def _if_match(
    # `str`, not `str | None`: the schema then says "a string, or no header", never "null".
    if_match: Annotated[
        str,
        Header(
            pattern=IF_MATCH_PATTERN,
            description='The version the change was made from, as the ETag it came with: `"3"`',
        ),
    ] = None,  # type: ignore[assignment]
) -> str | None:
    return if_match


IfMatch = Annotated[str | None, Depends(_if_match)]

_ETAG = re.compile(r'^\s*(?:W/)?(?:"([0-9]{1,9})"|([0-9]{1,9}))\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def with_etag(response: Response, item: Any) -> Any:
    """The answer for one item: its version as the ETag header."""
    response.headers["ETag"] = etag(item.version)
    return item


def created(request: Request, response: Response, route: str, item: Any, **params: Any) -> Any:
    """A 201's extras: Location (the new item's address) and its ETag."""
    response.headers["Location"] = request.app.url_path_for(route, **params)
    return with_etag(response, item)


@dataclass(frozen=True)
class Expected:
    """The version a change names, and whether If-Match named it (a stale one is then 412)."""

    version: int
    from_if_match: bool


def expected_version(if_match: str | None, body_version: int, *, current: int) -> Expected:
    """The version a change was made from: the body's `version`, checked with If-Match if sent.

    When the two differ, at most one of them is current; the stale one is checked, so the client
    hears why: If-Match first (412), as HTTP evaluates preconditions first, else the body's
    version (409). `current` only chooses which; the service still checks the version.
    """
    if if_match is None:
        return Expected(body_version, from_if_match=False)
    found = _ETAG.match(if_match)
    header = int(found.group(1) or found.group(2)) if found else 0
    if header < 1:
        raise ValidationFailed.one("if-match", 'must be one version as an ETag, e.g. "3"')
    if body_version == header or header != current:
        return Expected(header, from_if_match=True)
    return Expected(body_version, from_if_match=False)


def with_version(data: M, expected: Expected) -> M:
    """The service's input, naming the version to check."""
    if data.version == expected.version:  # type: ignore[attr-defined]
        return data
    return data.model_copy(update={"version": expected.version})


@contextmanager
def precondition(expected: Expected) -> Iterator[None]:
    """A stale version named by If-Match is 412 Precondition Failed, with the same newer value."""
    try:
        yield
    except PreconditionFailed:
        raise
    except Conflict as exc:
        if not expected.from_if_match:
            raise
        raise PreconditionFailed(
            exc.message, current=exc.current, saved_by=exc.saved_by, saved_at=exc.saved_at
        ) from exc
