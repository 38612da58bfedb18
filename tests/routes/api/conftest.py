"""Fixtures for the API tests: the tiny plan, its people, and clients that act as them.

Clients authenticate the way API clients do, with a personal API token (`Authorization: Bearer`),
so writes need no CSRF token; `anonymous` sends no credentials at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from app.models import HistoryEntry, HistoryField, Plan, User
from app.models.enums import Role
from app.services.accounts import api_tokens
from tests.factories import TINY_PLAN, app_under_test, make_person, make_tiny_plan

API = "/api/v1"


@dataclass
class People:
    admin: User
    cc_lead: User  # lead of Contact Centre: owns strategy 1.1, quick win 1, metric FCR
    pw_lead: User  # lead of Public Works: owns strategy 1.2, quick win 2
    coordinator: User
    viewer: User


@pytest.fixture
def plan(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def people(session: Session, plan: Plan) -> People:
    return People(
        admin=make_person(session, "ada-admin", Role.admin),
        cc_lead=make_person(session, "cara-lead", Role.lead, department="CC"),
        pw_lead=make_person(session, "pete-lead", Role.lead, department="PW"),
        coordinator=make_person(session, "coco-ordinator", Role.coordinator),
        viewer=make_person(session, "vic-viewer", Role.viewer),
    )


@pytest.fixture
def anonymous(database_url: str) -> TestClient:
    return TestClient(app_under_test())


@pytest.fixture
def client_for(session: Session, database_url: str) -> Callable[[User], TestClient]:
    """A client sending `user`'s personal API token."""

    def make(user: User) -> TestClient:
        _, token = api_tokens.create_api_token(session=session, user=user, name="tests")
        session.commit()
        return TestClient(app_under_test(), headers={"Authorization": f"Bearer {token}"})

    return make


def history(session: Session, subject_type: str, subject_id: int) -> list[dict[str, Any]]:
    """The subject's history entries, oldest first, each with its field changes."""
    session.expire_all()
    entries = session.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == subject_type, HistoryEntry.subject_id == subject_id)
        .order_by(col(HistoryEntry.id))
    ).all()
    out = []
    for entry in entries:
        fields = session.exec(
            select(HistoryField)
            .where(HistoryField.entry_id == entry.id)
            .order_by(col(HistoryField.id))
        ).all()
        out.append(
            {
                "action": entry.action,
                "actor": entry.actor_name,
                "actor_id": entry.actor_id,
                "note": entry.note,
                "version_after": entry.version_after,
                "changes": {f.field: (f.before, f.after) for f in fields},
            }
        )
    return out


def history_count(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(HistoryEntry.id)).all())


def row_of(session: Session, model: type, item_id: int) -> dict[str, Any]:
    """The row as stored now (to show a refused change left it as it was)."""
    session.expire_all()
    row = session.get(model, item_id)
    assert row is not None
    return row.model_dump()


@dataclass
class Ids:
    """Ids of the tiny plan's rows, by the codes people know them by."""

    cc: int
    pw: int
    s11: int  # strategy 1.1, Contact Centre, short term, with a step and a sub-step
    s12: int  # strategy 1.2, Public Works, long term, no steps
    step: int  # "Hire bilingual staff" (1.1)
    sub_step: int  # "Post the job", its sub-step
    fa_access: int
    fa_tools: int
    qw1: int  # Contact Centre, people, in progress
    qw2: int  # Public Works, process, complete
    fcr: int  # metric FCR, Contact Centre


def ids_of(session: Session, plan: Plan) -> Ids:
    from app.models import Department, FocusArea, Metric, QuickWin, Strategy, WorkplanStep

    def one(query: Any) -> int:
        return session.exec(query).one()  # type: ignore[no-any-return]

    s11 = one(select(Strategy.id).where(Strategy.plan_id == plan.id, Strategy.code == "1.1"))
    return Ids(
        cc=one(
            select(Department.id).where(
                Department.organization_id == plan.organization_id, Department.code == "CC"
            )
        ),
        pw=one(
            select(Department.id).where(
                Department.organization_id == plan.organization_id, Department.code == "PW"
            )
        ),
        s11=s11,
        s12=one(select(Strategy.id).where(Strategy.plan_id == plan.id, Strategy.code == "1.2")),
        step=one(
            select(WorkplanStep.id).where(
                WorkplanStep.strategy_id == s11, col(WorkplanStep.parent_id).is_(None)
            )
        ),
        sub_step=one(
            select(WorkplanStep.id).where(
                WorkplanStep.strategy_id == s11, col(WorkplanStep.parent_id).is_not(None)
            )
        ),
        fa_access=one(
            select(FocusArea.id).where(FocusArea.plan_id == plan.id, FocusArea.code == "1")
        ),
        fa_tools=one(
            select(FocusArea.id).where(FocusArea.plan_id == plan.id, FocusArea.code == "2")
        ),
        qw1=one(select(QuickWin.id).where(QuickWin.plan_id == plan.id, QuickWin.number == 1)),
        qw2=one(select(QuickWin.id).where(QuickWin.plan_id == plan.id, QuickWin.number == 2)),
        fcr=one(select(Metric.id).where(Metric.plan_id == plan.id, Metric.code == "FCR")),
    )


@pytest.fixture
def ids(session: Session, plan: Plan) -> Ids:
    return ids_of(session, plan)


# A second organisation whose only plan is not published.
OTHER_PLAN = (
    TINY_PLAN.replace(
        "organization: {name: City of Testville, slug: testville}",
        "organization: {name: Town of Otherton, slug: otherton}",
    )
    .replace("slug: testville-service", "slug: otherton-service")
    .replace("published: true", "published: false")
)


@pytest.fixture
def other_plan(session: Session, plan: Plan) -> Plan:
    return make_tiny_plan(session, OTHER_PLAN)
