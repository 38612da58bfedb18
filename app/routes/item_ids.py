"""An item's id in a page's path: bounded like the API's, so a number the database cannot hold
is a 422 naming it, never a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from app.models.base import MAX_ID

ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
