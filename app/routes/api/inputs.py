"""What API clients send for a change, where it differs from the models' input schemas: the
schema of a change (PATCH) says which fields cannot be null, and done / undone / archive / restore
take the version and a note. Every change carries `version`; If-Match may name it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pydantic as pd
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from sqlmodel import SQLModel

from app.models import Metric, QuickWin, Strategy, WorkplanStep
from app.models.base import MAX_ID, ClientInput
from app.models.metric import MetricUpdate, TargetIn
from app.models.quick_win import QuickWinUpdate
from app.models.strategy import StepUpdate, StrategyUpdate
from app.routes.nul_characters import TOO_DEEP
from app.services.errors import ValidationFailed

VERSION_DOC = "The version you changed: the item's `version` (its ETag)"


def no_null_for(table: type[SQLModel]) -> Callable[[dict[str, Any]], None]:
    """A change leaves out what does not change (`None` in the model means "not sent"); `null`
    for a column that cannot hold it is refused (422). The published schema says so."""
    required = {c.name for c in table.__table__.columns if not c.nullable}  # type: ignore[attr-defined]

    def patch(schema: dict[str, Any]) -> None:
        for name, prop in schema.get("properties", {}).items():
            kept = [s for s in prop.get("anyOf", []) if s.get("type") != "null"]
            if name in required and len(kept) == 1:
                del prop["anyOf"]
                prop.pop("default", None)
                prop.update(kept[0])

    return patch


class StrategyChange(StrategyUpdate):
    """Send only the fields that change, with `version`."""

    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Strategy))


class StepChange(StepUpdate):
    """Send only the fields that change, with `version`."""

    model_config = pd.ConfigDict(json_schema_extra=no_null_for(WorkplanStep))


class QuickWinChange(QuickWinUpdate):
    """Send only the fields that change, with `version`."""

    model_config = pd.ConfigDict(json_schema_extra=no_null_for(QuickWin))


class MetricChange(MetricUpdate):
    """Send only the fields that change, with `version`."""

    model_config = pd.ConfigDict(json_schema_extra=no_null_for(Metric))


class TargetRevision(TargetIn):
    """A new target from `effective_from`; the one it replaces stays for the periods before."""

    version: int = pd.Field(ge=1, le=MAX_ID, description=VERSION_DOC)
    note: str = pd.Field(default="", max_length=2_000)


class VersionNote(ClientInput):
    """For done / undone, archive and restore: the version, and an optional note for the history."""

    version: int = pd.Field(ge=1, le=MAX_ID, description=VERSION_DOC)
    note: str = pd.Field(default="", max_length=2_000)


class StepDone(VersionNote):
    """For ticking a step done or archiving it: when it is the last one open, its strategy may
    be marked complete with it."""

    complete_strategy: bool = pd.Field(
        default=False,
        description="Mark the strategy complete with this change when it leaves no step open "
        "(needs the right to post its progress). Without it, ticking or archiving the last open "
        "step of a strategy that is not complete is refused: 100% means the work is done.",
    )


def _integral(value: Any) -> Any:
    """JSON says 3.0 is the integer 3 (strict mode would refuse it for an integer field)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


def strict_json(model: type[pd.BaseModel]) -> Any:
    """A dependency holding the body to the JSON types its schema publishes.

    FastAPI validates bodies in pydantic's lax mode, which takes `"5"` or `true` for a number and
    `0` for a date. API clients are held to the schema instead: the raw body is validated again
    in strict JSON mode (dates and enums still come as strings; 3.0 is still the integer 3), and
    a mismatch is a 422 naming the field. Place it after the user and the loaders, so 401 and
    404 come first.
    """

    async def check(request: Request) -> None:
        try:
            body = _integral(json.loads(await request.body()))
            model.model_validate_json(json.dumps(body), strict=True)
        except pd.ValidationError as exc:  # (a ValueError: caught first)
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            ) from None
        except ValueError:
            return  # not JSON at all: FastAPI answers that itself
        except RecursionError:  # nested deeper than Python's stack (FastAPI read it, just)
            raise ValidationFailed.one("body", TOO_DEEP) from None

    return Depends(check)
