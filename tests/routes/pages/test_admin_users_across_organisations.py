"""/admin/users across organisations: an organisation administrator lists, creates, re-roles and
deactivates only its own organisation's accounts; an installation administrator all of them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import Department, Organization, User
from app.services.accounts import users as accounts
from tests.routes.test_auth_pages import CLI, PASSWORD, client, make_org, make_user, sign_in


@pytest.fixture
def orgs(db: Session) -> tuple[Organization, Organization]:
    return make_org(db, "san-jose"), make_org(db, "philadelphia")


@pytest.fixture
def people(db: Session, orgs: tuple[Organization, Organization]) -> dict[str, User]:
    people = {
        "sj-admin": make_user(db, "sj-admin", organization="san-jose"),
        "sj-viewer": make_user(db, "sj-viewer", "viewer", organization="san-jose"),
        "phl-admin": make_user(db, "phl-admin", organization="philadelphia"),
        "phl-viewer": make_user(db, "phl-viewer", "viewer", organization="philadelphia"),
    }
    root = accounts.create_user(
        session=db,
        actor=CLI,
        username="root",
        role="admin",
        password=PASSWORD,
        installation_admin=True,
        organization="san-jose",
    )
    db.commit()
    people["root"] = root
    return people


def signed_in(username: str) -> tuple[TestClient, str]:
    c = client()
    return c, sign_in(c, username)


def state(db: Session) -> list[tuple[str, str, bool, int | None]]:
    db.expire_all()
    return [
        (u.username, u.role, u.active, u.department_id)
        for u in db.exec(select(User).order_by(User.username)).all()
    ]


def test_an_organisation_admin_lists_only_its_own_organisations_accounts(
    db: Session, people: dict[str, User]
) -> None:
    c, _ = signed_in("phl-admin")
    page = c.get("/admin/users")
    assert page.status_code == 200
    assert "phl-viewer" in page.text
    for outsider in ("sj-admin", "sj-viewer", "root"):
        assert outsider not in page.text
    # Departments offered are Philadelphia's alone (both cities have SJ311 and ACS here: by id).
    phl = db.exec(select(Organization).where(Organization.slug == "philadelphia")).one()
    for dept in db.exec(select(Department)).all():
        offered = f'<option value="{dept.id}"' in page.text
        assert offered == (dept.organization_id == phl.id), dept


def test_an_installation_admin_lists_every_account_with_its_organisation(
    db: Session, people: dict[str, User]
) -> None:
    c, _ = signed_in("root")
    page = c.get("/admin/users")
    assert page.status_code == 200
    for username in ("sj-admin", "sj-viewer", "phl-admin", "phl-viewer"):
        assert username in page.text
    assert 'id="new-organization"' in page.text


@pytest.mark.parametrize("action", ["role", "deactivate"])
def test_an_organisation_admin_cannot_touch_another_organisations_account(
    db: Session, people: dict[str, User], action: str
) -> None:
    c, csrf = signed_in("phl-admin")
    before = state(db)
    target = people["sj-viewer"]
    answer = c.post(
        f"/admin/users/{target.id}/{action}",
        data={"csrf_token": csrf, "role": "admin"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "You manage only the accounts of your own organisation." in answer.text
    assert state(db) == before
    # Its own organisation's account: allowed.
    own = people["phl-viewer"]
    answer = c.post(
        f"/admin/users/{own.id}/{action}",
        data={"csrf_token": csrf, "role": "coordinator"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert state(db) != before


def test_an_organisation_admin_cannot_change_an_installation_admin_of_its_organisation(
    db: Session, people: dict[str, User]
) -> None:
    c, csrf = signed_in("sj-admin")
    before = state(db)
    root = people["root"]
    for action in ("role", "deactivate"):
        answer = c.post(
            f"/admin/users/{root.id}/{action}",
            data={"csrf_token": csrf, "role": "viewer"},
            follow_redirects=False,
        )
        assert answer.status_code == 403, action
    assert state(db) == before
    db.expire_all()
    assert db.get(User, root.id).is_installation_admin  # type: ignore[union-attr]


def test_an_organisation_admin_creates_users_only_in_its_organisation(
    db: Session, people: dict[str, User]
) -> None:
    c, csrf = signed_in("phl-admin")
    before = state(db)
    form = {"csrf_token": csrf, "username": "intruder", "role": "admin", "password": PASSWORD}
    refused = c.post("/admin/users", data={**form, "organization": "san-jose"})
    assert refused.status_code == 403
    assert "You manage only the accounts of your own organisation." in refused.text
    sj_dept = db.exec(
        select(Department)
        .join(Organization)
        .where(Organization.slug == "san-jose", Department.code == "ACS")
    ).one()
    db.commit()
    # A San José department smuggled into the form: not found in Philadelphia, nothing created.
    wrong = c.post("/admin/users", data={**form, "role": "lead", "department": str(sj_dept.id)})
    assert wrong.status_code == 422
    assert state(db) == before
    made = c.post("/admin/users", data=form, follow_redirects=False)
    assert made.status_code == 303
    db.expire_all()
    intruder = db.exec(select(User).where(User.username == "intruder")).one()
    assert intruder.organization_id == people["phl-admin"].organization_id
    assert intruder.role == "admin" and not intruder.is_installation_admin


def test_the_pages_cannot_make_an_installation_admin(db: Session, people: dict[str, User]) -> None:
    """Only the command line makes one: a form field asking for it is ignored, for anyone."""
    for admin in ("sj-admin", "root"):
        c, csrf = signed_in(admin)
        c.post(
            "/admin/users",
            data={
                "csrf_token": csrf,
                "username": f"new-{admin}",
                "role": "admin",
                "organization": "san-jose",
                "is_installation_admin": "true",
                "installation_admin": "1",
                "password": PASSWORD,
            },
        )
        target = people["sj-viewer"]
        c.post(
            f"/admin/users/{target.id}/role",
            data={"csrf_token": csrf, "role": "admin", "installation_admin": "1"},
        )
    db.expire_all()
    flagged = db.exec(select(User.username).where(User.is_installation_admin)).all()
    assert flagged == ["root"]
    assert db.exec(select(User).where(User.username == "new-sj-admin")).one().role == "admin"


def test_an_installation_admin_manages_every_organisation(
    db: Session, people: dict[str, User]
) -> None:
    c, csrf = signed_in("root")
    phl = db.exec(select(Organization).where(Organization.slug == "philadelphia")).one()
    db.commit()
    made = c.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "phl-new",
            "role": "coordinator",
            "organization": "philadelphia",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    for target in ("phl-viewer", "sj-viewer"):
        answer = c.post(
            f"/admin/users/{people[target].id}/deactivate",
            data={"csrf_token": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 303, target
    db.expire_all()
    assert db.exec(select(User).where(User.username == "phl-new")).one().organization_id == phl.id
    assert not db.get(User, people["phl-viewer"].id).active  # type: ignore[union-attr]
    assert not db.get(User, people["sj-viewer"].id).active  # type: ignore[union-attr]
