"""Customer personas and the journeys they take (San José's Table 1): context for strategies."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlmodel import Field

from app.models.base import Versioned


class Persona(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    position: int = 0
    name: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)


class Journey(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    persona_id: int = Field(foreign_key="persona.id", ondelete="CASCADE", index=True)
    position: int = 0
    title: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)
