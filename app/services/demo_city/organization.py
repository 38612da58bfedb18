"""The demo city's organisation: its departments, and the users who work in them."""

from __future__ import annotations

from typing import Any

from app.models import Department, User
from app.models.enums import Role
from app.services.demo_city.draft import CityDraft
from app.services.demo_city.sizes import BASE, scaled
from app.services.demo_city.vocabulary import DEPARTMENTS


def add_departments(city: CityDraft, count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        code, name = DEPARTMENTS[i % len(DEPARTMENTS)]
        round_ = i // len(DEPARTMENTS)
        if round_:
            code, name = f"{code}{round_ + 1}", f"{name} (District {round_ + 1})"
        city.add(Department, organization_id=city.org_id, code=code, name=name, position=0)
        out.append(city.rows["department"][-1])
    # The organisation's order: by code, as lists showed departments before they had one.
    for position, row in enumerate(sorted(out, key=lambda r: r["code"])):
        row["position"] = position
    return out


def add_users(city: CityDraft, departments: list[dict[str, Any]]) -> dict[str, Any]:
    prefix = city.slug
    names: dict[str, list[str]] = {"lead": [], "coordinator": [], "admin": [], "viewer": []}
    lead_of: dict[int, tuple[int, str]] = {}

    def user(username: str, role: Role, department_id: int | None) -> tuple[int, str]:
        display = city.person()
        uid = city.add(
            User,
            organization_id=city.org_id,
            department_id=department_id,
            username=username,
            display_name=display,
            role=role.value,
            is_installation_admin=False,  # the city's administrator runs the city alone
            password_hash=None,
            active=True,
            last_login_at=None,
            # Rows here are written as given (no model defaults): a new account's default.
            reminder_frequency=User.model_fields["reminder_frequency"].default,
        )
        names[role.value].append(username)
        return uid, display  # type: ignore[return-value]

    for d in departments:
        lead_of[d["id"]] = user(f"{prefix}-{d['code'].lower()}-lead", Role.lead, d["id"])
    coordinators = [
        user(f"{prefix}-coordinator-{i + 1}", Role.coordinator, None)
        for i in range(scaled(BASE["coordinators"], city.scale))
    ]
    admin = user(f"{prefix}-admin", Role.admin, None)
    for i in range(scaled(BASE["viewers"], city.scale)):
        user(f"{prefix}-viewer-{i + 1}", Role.viewer, None)
    return {"lead_of": lead_of, "coordinators": coordinators, "admin": admin, "names": names}
