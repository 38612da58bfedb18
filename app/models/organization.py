from __future__ import annotations

import pydantic as pd
from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import MAX_ID, ClientInput, Versioned, enum_check, enum_field
from app.models.enums import ReportingCadence

# The day of the month after a reporting period ends by which its updates are due, when an
# organisation has not chosen one: the 10th leaves a week and a half after the month (or quarter)
# closes for its figures to come in (most source systems close their month within a week), while
# still being early enough for a monthly performance session in the month's second half.
DEFAULT_DUE_DAY = 10


class Organization(Versioned, table=True):
    __table_args__ = (
        enum_check("reporting_cadence", ReportingCadence),
        CheckConstraint(
            "reporting_due_day >= 1 AND reporting_due_day <= 28", name="reporting_due_day_range"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(300))
    slug: str = Field(sa_type=String(80), unique=True)
    # IANA name ("America/Los_Angeles"), checked with zoneinfo by the services that set it.
    time_zone: str = Field(default="UTC", sa_type=String(64))
    # The reporting calendar (services.rules.update_cycles): monthly or quarterly periods, and
    # the day of the month after a period ends by which its updates are due.
    reporting_cadence: str = enum_field(ReportingCadence, ReportingCadence.monthly)
    reporting_due_day: int = Field(default=DEFAULT_DUE_DAY)


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


class OrganizationSettingsUpdate(ClientInput):
    """Send only the settings that change, with the version you changed."""

    model_config = pd.ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = pd.Field(ge=1, le=MAX_ID, description="The version you changed (the ETag)")
    time_zone: str | None = pd.Field(
        default=None,
        max_length=64,
        description="An IANA time zone name, e.g. America/Los_Angeles",
    )
    reporting_cadence: ReportingCadence | None = pd.Field(
        default=None, description="Updates are owed every month or every quarter"
    )
    reporting_due_day: int | None = pd.Field(
        default=None,
        ge=1,
        le=28,
        description="The day (1-28) of the month after a period ends by which its updates are due",
    )
