from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import Timestamped, Versioned


class Organization(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(300))
    slug: str = Field(sa_type=String(80), unique=True)


class Department(Versioned, table=True):
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE", index=True)
    code: str = Field(sa_type=String(20))
    name: str = Field(sa_type=String(300))
    # The organisation's order: every list of departments follows it (then the code).
    position: int = 0


class DepartmentRead(SQLModel):
    id: int
    code: str
    name: str
