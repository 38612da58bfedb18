"""Property-based fuzzing of the JSON API from its own OpenAPI schema (schemathesis).

For each role (anonymous, viewer, two leads, coordinator, admin) every operation gets generated
requests, valid and invalid; the answers must never be a server error and must conform to the
schema the API publishes (status codes, content types, headers, bodies), and requests the schema
calls invalid must be refused.

Not checked: that every schema-valid request is accepted (`positive_data_acceptance`). The schema
cannot say that a version is stale (409/412), that a date lies outside the plan's period or that a
role may not change an item (403); those refusals are the API doing its job, and each has its own
tests in tests/routes/api.
"""

from __future__ import annotations

import hashlib
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from sqlalchemy import select
from sqlmodel import Session

from app.db import get_engine
from app.models import ApiToken, Department, Organization, User
from app.services.plan_file.importing import import_plan_text
from tests.factories import TINY_PLAN, app_under_test

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("PLANTRACK_FUZZ_EXAMPLES", "25"))
ROLES = {
    "anonymous": None,
    "viewer": ("viewer", None),
    "lead-cc": ("lead", "CC"),
    "lead-pw": ("lead", "PW"),
    "coordinator": ("coordinator", None),
    "admin": ("admin", None),
}

app = app_under_test()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def _token_for(session: Session, role: str) -> str | None:
    spec = ROLES[role]
    if spec is None:
        return None
    role_name, department = spec
    org = session.exec(select(Organization).where(Organization.slug == "testville")).scalars().one()
    dept_id = None
    if department:
        dept_id = (
            session.exec(select(Department.id).where(Department.code == department)).scalars().one()
        )
    user = User(
        username=f"fuzz-{role}", role=role_name, organization_id=org.id, department_id=dept_id
    )
    session.add(user)
    session.flush()
    token = f"pt_fuzz-{role}-token"
    session.add(
        ApiToken(
            user_id=user.id,
            name="fuzz",
            prefix=token[:8],
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
    )
    session.commit()
    return token


@pytest.fixture(params=list(ROLES))
def auth_headers(request: pytest.FixtureRequest, database_url: str) -> dict[str, str]:
    with Session(get_engine()) as session:
        import_plan_text(session=session, text=TINY_PLAN, source="tiny.yaml")
        session.commit()
        token = _token_for(session, request.param)
    return {"Authorization": f"Bearer {token}"} if token else {}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_never_fails_and_keeps_its_schema(
    case: schemathesis.Case, auth_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=auth_headers, excluded_checks=[positive_data_acceptance])
