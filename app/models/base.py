"""What every table shares: stable constraint names, timestamps and enum checks."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

import pydantic as pd
from sqlalchemy import CheckConstraint, MetaData, String
from sqlmodel import Field, SQLModel, col

# Stable names for constraints, so migrations say the same thing on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

# The largest id or version a client may send: the largest value of the INTEGER columns that
# hold them (PostgreSQL's is 32-bit). A bigger one is refused (422 naming the field) instead of
# failing in the database (a 500; found by the fuzzer on PostgreSQL).
MAX_ID = 2**31 - 1
RowId = Annotated[int, pd.Field(ge=1, le=MAX_ID)]
_ASCII_DIGITS = re.compile(r"[0-9]{1,20}")


def whole_number(text: str, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """A whole number typed as text (a query string, a form, the command line) within low..high,
    else None. ASCII digits only: str.isdigit() is also true of '²', which int() refuses (a 500
    found by an attack run), and of '٣', which int() reads as 3; and past 20 digits no number
    can be in bounds, so int() is never asked to parse 5,000 of them."""
    text = text.strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


# One entry of a short list (a strategy's leads, a quick win's service areas): plan files hold
# at most 300 characters each, so a longer one accepted here would make the plan unexportable.
ListEntry = Annotated[str, pd.Field(min_length=1, max_length=300)]


class ClientInput(pd.BaseModel):
    """What a client sends to write: a field the schema does not name is refused (422 naming
    it), as plan files do, instead of being silently dropped (a misspelt `progres` saved
    nothing and said nothing)."""

    model_config = pd.ConfigDict(extra="forbid")


def utcnow() -> dt.datetime:
    """Timestamps are always timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def enum_check(column: str, enum_cls: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum_cls)
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_valid")


def percent_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} >= 0 AND {column} <= 100", name=f"{column}_percent")


def enum_field(enum_cls: type[StrEnum], default: StrEnum | None = None, *, nullable: bool = False):  # noqa: ANN201
    """A column holding an enum's value as text (checked by `enum_check` in the table args)."""
    length = max(len(m.value) for m in enum_cls)
    return Field(default=default, sa_type=String(max(length, 12)), nullable=nullable)


class Timestamped(SQLModel):
    created_at: dt.datetime = Field(default_factory=utcnow, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, nullable=False)


class Versioned(Timestamped):
    """Editable rows carry a version; an UPDATE names the version it read (no lost updates)."""

    version: int = Field(default=1, nullable=False)
    archived_at: dt.datetime | None = Field(default=None)


def is_live(model: Any) -> Any:
    """The condition for a model's rows that are not archived."""
    return col(model.archived_at).is_(None)
