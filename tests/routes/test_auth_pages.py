"""Sign-in, sessions, throttling, the admin users page, the account page and demo sign-in.

The helpers at the top are shared by the other route tests (test_csrf, test_security_headers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from app.main import create_app
from app.models import (
    ApiToken,
    Department,
    HistoryEntry,
    HistoryField,
    Organization,
    User,
    UserSession,
)
from app.models.enums import SubjectType
from app.services.accounts import demo_accounts
from app.services.accounts import users as accounts
from app.services.changes.history import Actor
from app.services.rules import clock
from tests.factories import app_under_test

PASSWORD = "correct horse battery"
CLI = Actor(name="test")


# --- shared helpers ------------------------------------------------------------------------------


def make_org(session: Session, slug: str = "san-jose") -> Organization:
    """An organisation with the SJ311 and ACS departments (as in the San José seed)."""
    org = Organization(name="City of San José", slug=slug)
    session.add(org)
    session.flush()
    session.add(Department(organization_id=org.id, code="SJ311", name="SJ311"))
    session.add(Department(organization_id=org.id, code="ACS", name="Animal Care and Services"))
    session.commit()
    return org


def make_user(
    session: Session,
    username: str,
    role: str = "admin",
    *,
    password: str | None = PASSWORD,
    department: str | None = None,
    organization: str | None = None,
    display_name: str = "",
) -> User:
    user = accounts.create_user(
        session=session,
        actor=CLI,
        username=username,
        display_name=display_name,
        role=role,
        department=department,
        organization=organization,
        password=password,
    )
    session.commit()
    return user


def client(https: bool = False, *, address: str = "testclient") -> TestClient:
    """A browser of its own; `address` is the client address the app sees (the throttle's key)."""
    return TestClient(
        app_under_test(),
        base_url="https://testserver" if https else "http://testserver",
        client=(address, 50000),
    )


def hidden_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def meta_csrf(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "the page has no csrf-token meta"
    return found.group(1)


def login(c: TestClient, username: str, password: str = PASSWORD, **extra: str):  # noqa: ANN201
    page = c.get("/login")
    return c.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": hidden_csrf(page.text),
            **extra,
        },
        follow_redirects=False,
    )


def sign_in(c: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign `c` in; returns the session's CSRF token (as the pages carry it)."""
    answer = login(c, username, password)
    assert answer.status_code == 303, answer.text
    return meta_csrf(c.get("/account").text)


def set_cookie_header(response, name: str) -> str:  # noqa: ANN001
    for value in response.headers.get_list("set-cookie"):
        if value.startswith(f"{name}="):
            return value
    raise AssertionError(f"no Set-Cookie for {name}")


def cookie_attributes(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts[1:]}


def with_cookie(value: str, https: bool = False) -> TestClient:
    c = client(https)
    c.cookies.set(SESSION_COOKIE, value)
    return c


def signed_in_as(c: TestClient) -> str | None:
    """The username the app sees for this client (via /account), or None when signed out."""
    answer = c.get("/account", follow_redirects=False)
    if answer.status_code != 200:
        return None
    found = re.search(r"\(([a-z0-9._-]+), (?:admin|coordinator|lead|viewer)\)", answer.text)
    return found.group(1) if found else None


@pytest.fixture
def org(db: Session) -> Organization:
    return make_org(db)


# --- the sign-in page -----------------------------------------------------------------------------


def test_login_form_has_labels_and_a_pre_session_csrf_cookie(org: Organization) -> None:
    c = client()
    page = c.get("/login")
    assert page.status_code == 200
    for field in ("login-username", "login-password"):
        assert f'<label for="{field}"' in page.text
        assert f'id="{field}"' in page.text
    attrs = cookie_attributes(set_cookie_header(page, LOGIN_CSRF_COOKIE))
    assert "httponly" in attrs and attrs["samesite"].lower() == "lax"
    assert hidden_csrf(page.text)


def test_session_cookie_is_httponly_samesite_lax_not_secure_over_http(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    answer = login(client(), "alice")
    assert answer.status_code == 303
    attrs = cookie_attributes(set_cookie_header(answer, SESSION_COOKIE))
    assert "httponly" in attrs
    assert attrs["samesite"].lower() == "lax"
    assert attrs["path"] == "/"
    assert "secure" not in attrs
    assert "max-age" not in attrs and "expires" not in attrs  # never outlives the server's limit


def test_session_cookie_is_secure_over_https(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    c = client(https=True)
    answer = login(c, "alice")
    assert answer.status_code == 303
    attrs = cookie_attributes(set_cookie_header(answer, SESSION_COOKIE))
    assert "secure" in attrs and "httponly" in attrs and attrs["samesite"].lower() == "lax"
    assert signed_in_as(c) == "alice"


def test_cookie_holds_no_database_key(db: Session, org: Organization) -> None:
    """The database stores only the SHA-256 of the cookie's token: a DB copy is not a cookie."""
    make_user(db, "alice")
    c = client()
    login(c, "alice")
    raw = c.cookies.get(SESSION_COOKIE)
    stored = db.exec(select(UserSession)).one()
    assert stored.token_hash not in raw
    from app.auth import _session_token_from_cookie

    plain = _session_token_from_cookie(raw)
    assert plain and hashlib.sha256(plain.encode()).hexdigest() == stored.token_hash
    assert plain not in {s.token_hash for s in db.exec(select(UserSession)).all()}


def test_tampered_cookie_is_ignored(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    c = client()
    login(c, "alice")
    raw = c.cookies.get(SESSION_COOKIE)
    assert signed_in_as(with_cookie(raw)) == "alice"
    assert signed_in_as(with_cookie(raw[:-2] + ("AA" if not raw.endswith("AA") else "BB"))) is None


def test_wrong_password_shows_the_error_above_the_form_and_keeps_the_username(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    answer = login(client(), "alice", "not the password")
    assert answer.status_code == 401
    assert "Wrong username or password." in answer.text
    assert answer.text.index("Wrong username or password.") < answer.text.index(
        '<form method="post" action="/login"'
    )
    assert 'value="alice"' in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def _error_of(html: str) -> str:
    found = re.search(r'<p role="alert" id="login-error"[^>]*>(.*?)</p>', html, re.S)
    assert found
    return found.group(1)


def test_unknown_user_and_wrong_password_get_the_same_answer(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    wrong = login(client(), "alice", "not the password")
    unknown = login(client(), "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert _error_of(wrong.text) == _error_of(unknown.text)


def test_sixth_attempt_from_one_address_waits_but_the_owner_elsewhere_signs_in(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    attacker = client(address="198.51.100.66")
    for _ in range(5):
        assert login(attacker, "alice", "wrong password").status_code == 401
    sixth = login(attacker, "alice", "wrong password")
    assert sixth.status_code == 429
    assert 0 < int(sixth.headers["Retry-After"]) <= 30
    assert re.search(r"Try again in \d+ seconds?\.", sixth.text)
    assert 'value="alice"' in sixth.text
    # From the attacker's address even the right password waits (the throttle comes first) ...
    assert login(attacker, "alice").status_code == 429
    # ... but the owner, elsewhere, signs in (issue 15 §2: this used to be 429, Retry-After 899).
    owner = client(address="192.0.2.10")
    assert login(owner, "alice").status_code == 303
    assert signed_in_as(owner) == "alice"


def test_unknown_user_and_wrong_password_get_the_same_429(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    answers = []
    for username, address in (("alice", "203.0.113.1"), ("nobody", "203.0.113.2")):
        c = client(address=address)
        for _ in range(5):
            assert login(c, username, "wrong password").status_code == 401
        answers.append(login(c, username, "wrong password"))
    assert [a.status_code for a in answers] == [429, 429]
    assert answers[0].headers["Retry-After"] == answers[1].headers["Retry-After"]
    assert _error_of(answers[0].text) == _error_of(answers[1].text)


def test_a_shared_address_is_slowed_not_shut(db: Session, org: Organization) -> None:
    """An office behind one NAT address: twenty colleagues' typos make the next person wait
    seconds, not the old fifteen minutes; another address is not affected."""
    make_user(db, "alice")
    office = client(address="192.0.2.7")
    for n in range(20):
        assert login(office, f"colleague{n}", "wrong password").status_code == 401
    answer = login(office, "alice")
    assert answer.status_code == 429
    assert 0 < int(answer.headers["Retry-After"]) <= 60
    assert login(client(address="192.0.2.8"), "alice").status_code == 303


def test_throttle_holds_across_two_app_instances(db: Session, org: Organization) -> None:
    """The failures are rows in the database: two app processes count them together."""
    make_user(db, "alice")
    first, second = client(), client()
    for n in range(5):
        assert login(first if n % 2 else second, "alice", "wrong password").status_code == 401
    assert login(first, "alice", "wrong password").status_code == 429
    assert login(second, "alice", "wrong password").status_code == 429


def test_throttle_lifts_after_the_window(
    db: Session, org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(db, "alice")
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "clock", lambda: start)
    c = client()
    for _ in range(5):
        login(c, "alice", "wrong password")
    assert login(c, "alice").status_code == 429
    monkeypatch.setattr(clock, "clock", lambda: start + dt.timedelta(minutes=15, seconds=1))
    assert login(c, "alice").status_code == 303


def test_empty_form_is_refused_inline_without_counting(db: Session, org: Organization) -> None:
    c = client()
    page = c.get("/login")
    answer = c.post(
        "/login", data={"username": "", "password": "", "csrf_token": hidden_csrf(page.text)}
    )
    assert answer.status_code == 422
    assert "Enter your username and password." in answer.text


def test_login_form_without_its_csrf_token_is_refused(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    c = client()
    c.get("/login")
    missing = c.post(
        "/login", data={"username": "alice", "password": PASSWORD}, follow_redirects=False
    )
    wrong = c.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    no_cookie = client().post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    for answer in (missing, wrong, no_cookie):
        assert answer.status_code == 403
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    assert db.exec(select(UserSession)).all() == []


def test_next_must_stay_on_this_site(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    assert login(client(), "alice", next="/account").headers["location"] == "/account"
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        assert login(client(), "alice", next=target).headers["location"] == "/"


# --- sessions ----------------------------------------------------------------------------------


def test_each_login_gets_a_new_session_and_revokes_the_old_one(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    c = client()
    login(c, "alice")
    first = c.cookies.get(SESSION_COOKIE)
    login(c, "alice")
    second = c.cookies.get(SESSION_COOKIE)
    assert first and second and first != second
    assert signed_in_as(with_cookie(second)) == "alice"
    assert signed_in_as(with_cookie(first)) is None
    rows = db.exec(select(UserSession).order_by(UserSession.id)).all()
    assert len(rows) == 2 and rows[0].revoked_at is not None and rows[1].revoked_at is None


def test_a_cookie_set_before_login_is_not_kept(db: Session, org: Organization) -> None:
    """Session fixation: a planted cookie is never promoted to the signed-in session."""
    make_user(db, "alice")
    c = client()
    c.cookies.set(SESSION_COOKIE, "planted")
    answer = login(c, "alice")
    assert "planted" not in set_cookie_header(answer, SESSION_COOKIE)


def test_logout_ends_the_session_on_the_server(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    c = client()
    csrf = sign_in(c, "alice")
    old = c.cookies.get(SESSION_COOKIE)
    answer = c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cleared = set_cookie_header(answer, SESSION_COOKIE)
    assert "max-age=0" in cleared.lower()
    # A copy of the old cookie (kept by an attacker, or a second tab) no longer works.
    assert signed_in_as(with_cookie(old)) is None
    assert db.exec(select(UserSession)).one().revoked_at is not None


def test_logout_without_a_session_just_goes_home() -> None:
    answer = client().post("/logout", follow_redirects=False)
    assert answer.status_code == 303


def test_deactivation_ends_the_users_sessions(db: Session, org: Organization) -> None:
    make_user(db, "root")
    bob = make_user(db, "bob", "viewer")
    bob_client = client()
    sign_in(bob_client, "bob")
    assert signed_in_as(bob_client) == "bob"
    admin = client()
    csrf = sign_in(admin, "root")
    answer = admin.post(
        f"/admin/users/{bob.id}/deactivate", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert signed_in_as(bob_client) is None
    assert login(client(), "bob").status_code == 401


def test_idle_timeout_with_a_controlled_clock(
    db: Session, org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(db, "alice")
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    now = {"t": t0}
    monkeypatch.setattr(clock, "clock", lambda: now["t"])
    c = client()
    sign_in(c, "alice")
    idle = dt.timedelta(minutes=60)  # settings.session_idle_minutes
    now["t"] = t0 + idle - dt.timedelta(minutes=1)
    assert signed_in_as(c) == "alice"  # activity: last seen moves on
    now["t"] = now["t"] + idle - dt.timedelta(minutes=1)
    assert signed_in_as(c) == "alice"
    now["t"] = now["t"] + idle + dt.timedelta(seconds=1)
    assert signed_in_as(c) is None


def test_maximum_session_age(
    db: Session, org: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(db, "alice")
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    now = {"t": t0}
    monkeypatch.setattr(clock, "clock", lambda: now["t"])
    c = client()
    sign_in(c, "alice")
    for _ in range(12 * 2):  # active every 30 minutes for 12 hours
        now["t"] += dt.timedelta(minutes=30)
        expected = "alice" if now["t"] - t0 <= dt.timedelta(hours=12) else None
        assert signed_in_as(c) == expected
    now["t"] += dt.timedelta(minutes=1)
    assert signed_in_as(c) is None


# --- /admin/users ---------------------------------------------------------------------------------


def test_admin_page_needs_an_administrator(db: Session, org: Organization) -> None:
    make_user(db, "vera", "viewer")
    anonymous = client().get("/admin/users", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    c = client()
    csrf = sign_in(c, "vera")
    page = c.get("/admin/users")
    assert page.status_code == 403
    assert "Only an administrator can manage users." in page.text
    refused = c.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "sneaky", "role": "admin", "password": PASSWORD},
    )
    assert refused.status_code == 403
    assert db.exec(select(User).where(User.username == "sneaky")).first() is None


def test_admin_lists_and_creates_users_with_labelled_controls(
    db: Session, org: Organization
) -> None:
    make_user(db, "root", display_name="Rita Root")
    c = client()
    csrf = sign_in(c, "root")
    page = c.get("/admin/users")
    assert page.status_code == 200
    assert "Rita Root" in page.text
    for control in (
        "new-username",
        "new-display_name",
        "new-role",
        "new-department",
        "new-password",
    ):
        assert f'<label for="{control}"' in page.text and f'id="{control}"' in page.text
    # The department select offers the organisation's departments.
    assert "SJ311 · SJ311" in page.text and "ACS · Animal Care and Services" in page.text
    acs = db.exec(select(Department).where(Department.code == "ACS")).one()
    db.commit()  # end the read: SQLite transactions here start with BEGIN IMMEDIATE
    answer = c.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "Maria",
            "display_name": "Maria L",
            "role": "lead",
            "department": str(acs.id),
            "password": "a long enough one",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    maria = db.exec(select(User).where(User.username == "maria")).one()
    assert (maria.role, maria.department_id, maria.organization_id) == ("lead", acs.id, org.id)
    assert maria.password_hash and maria.password_hash.startswith("$argon2id$")
    assert "User maria created." in c.get(answer.headers["location"]).text


def test_admin_create_errors_are_beside_the_fields_and_values_are_kept(
    db: Session, org: Organization
) -> None:
    make_user(db, "root")
    c = client()
    csrf = sign_in(c, "root")
    answer = c.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "root",
            "display_name": "Second Root",
            "role": "lead",
            "department": "",
            "password": "password",
        },
    )
    assert answer.status_code == 422
    html = answer.text
    assert 'value="Second Root"' in html and 'value="root"' in html
    assert re.search(r'<option value="lead" selected>', html)
    for field, message in (
        ("username", "already taken"),
        ("department", "needs a department"),
        ("password", "too common"),
    ):
        found = re.search(rf'id="new-{field}-error"[^>]*>([^<]*)<', html)
        assert found and message in found.group(1), field
        assert f'aria-describedby="new-{field}-error"' in html
    assert 'value="password"' not in html  # a password is never echoed back
    assert len(db.exec(select(User)).all()) == 1


def test_admin_changes_a_role_and_it_is_in_the_history(db: Session, org: Organization) -> None:
    make_user(db, "root")
    bob = make_user(db, "bob", "viewer")
    sj = db.exec(select(Department).where(Department.code == "SJ311")).one()
    db.commit()
    c = client()
    csrf = sign_in(c, "root")
    refused = c.post(
        f"/admin/users/{bob.id}/role", data={"csrf_token": csrf, "role": "lead", "department": ""}
    )
    assert refused.status_code == 422
    assert re.search(
        rf'id="user-{bob.id}-department-error"[^>]*>[^<]*needs a department', refused.text
    )
    ok = c.post(
        f"/admin/users/{bob.id}/role",
        data={"csrf_token": csrf, "role": "lead", "department": str(sj.id)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    db.expire_all()
    bob = db.get(User, bob.id)
    assert (bob.role, bob.department_id) == ("lead", sj.id)
    entry = db.exec(
        select(HistoryEntry).where(
            HistoryEntry.subject_type == SubjectType.user,
            HistoryEntry.subject_id == bob.id,
            HistoryEntry.action == "update",
        )
    ).one()
    assert entry.actor_name == "root"
    fields = {
        f.field: (f.before, f.after)
        for f in db.exec(select(HistoryField).where(HistoryField.entry_id == entry.id)).all()
    }
    assert fields == {"role": ("viewer", "lead"), "department": (None, "SJ311")}


def test_admin_cannot_deactivate_themselves(db: Session, org: Organization) -> None:
    root = make_user(db, "root")
    c = client()
    csrf = sign_in(c, "root")
    answer = c.post(f"/admin/users/{root.id}/deactivate", data={"csrf_token": csrf})
    assert answer.status_code == 422
    assert "cannot deactivate your own account" in answer.text
    assert signed_in_as(c) == "root"


# --- /account: API tokens ------------------------------------------------------------------------


def _create_token(c: TestClient, csrf: str, name: str = "CI export") -> str:
    answer = c.post("/account/tokens", data={"csrf_token": csrf, "name": name})
    assert answer.status_code == 201
    found = re.search(r'value="(pt_[A-Za-z0-9_-]+)"', answer.text)
    assert found
    return found.group(1)


def test_api_token_is_shown_once_stored_hashed_and_works_as_bearer(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice", "lead", department="SJ311")
    c = client()
    csrf = sign_in(c, "alice")
    token = _create_token(c, csrf)
    assert token not in c.get("/account").text  # shown once only
    row = db.exec(select(ApiToken)).one()
    db.commit()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.prefix) and token.startswith(row.prefix)
    bearer = client()  # no cookie at all
    assert bearer_works(bearer, token)


def bearer_works(c: TestClient, token: str) -> bool:
    """Whether the API accepts `token` (the /account pages refuse every token, valid or not)."""
    answer = c.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


def test_revoked_token_stops_working(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    c = client()
    csrf = sign_in(c, "alice")
    token = _create_token(c, csrf)
    row = db.exec(select(ApiToken)).one()
    db.commit()
    answer = c.post(
        f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    refused = client().get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_authenticated"


def test_only_the_owner_revokes_a_token(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    make_user(db, "mallory", "viewer")
    alice = client()
    token = _create_token(alice, sign_in(alice, "alice"))
    row = db.exec(select(ApiToken)).one()
    db.commit()
    mallory = client()
    csrf = sign_in(mallory, "mallory")
    answer = mallory.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert answer.status_code == 403
    assert "only your own" in answer.text
    db.expire_all()
    assert db.get(ApiToken, row.id).revoked_at is None
    db.commit()
    assert bearer_works(client(), token)


def test_token_of_a_deactivated_user_stops_working(db: Session, org: Organization) -> None:
    make_user(db, "root")
    alice = make_user(db, "alice", "viewer")
    c = client()
    token = _create_token(c, sign_in(c, "alice"))
    accounts.deactivate(session=db, actor=CLI, user=db.get(User, alice.id))
    db.commit()
    assert not bearer_works(client(), token)


def test_token_name_is_required_inline(db: Session, org: Organization) -> None:
    make_user(db, "alice")
    c = client()
    answer = c.post("/account/tokens", data={"csrf_token": sign_in(c, "alice"), "name": "  "})
    assert answer.status_code == 422
    assert re.search(r'id="token-name-error"[^>]*>Give the token a name', answer.text)


# --- demo mode ----------------------------------------------------------------------------------


def demo_client() -> TestClient:
    app = create_app()
    app.state.settings = app.state.settings.model_copy(update={"demo_mode": True})
    return TestClient(app)


def test_demo_sign_in_is_off_unless_demo_mode(db: Session, org: Organization) -> None:
    demo_accounts.ensure_demo_users(session=db, actor=CLI)
    db.commit()
    c = client()
    page = c.get("/login")
    assert "/login/demo" not in page.text
    answer = c.post(
        "/login/demo",
        data={"csrf_token": hidden_csrf(page.text), "username": "admin"},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_demo_mode_offers_one_click_sign_in_for_each_role(db: Session, org: Organization) -> None:
    demo_accounts.ensure_demo_users(session=db, actor=CLI)
    db.commit()
    c = demo_client()
    page = c.get("/login")
    for name in ("admin", "coordinator", "sj311-lead", "acs-lead", "viewer"):
        assert f'name="username" value="{name}"' in page.text
    answer = c.post(
        "/login/demo",
        data={"csrf_token": hidden_csrf(page.text), "username": "sj311-lead"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert signed_in_as(c) == "sj311-lead"


def test_demo_one_click_refuses_real_accounts_and_demo_accounts_have_no_password(
    db: Session, org: Organization
) -> None:
    make_user(db, "alice")
    demo_accounts.ensure_demo_users(session=db, actor=CLI)
    db.commit()
    c = demo_client()
    page = c.get("/login")
    answer = c.post(
        "/login/demo",
        data={"csrf_token": hidden_csrf(page.text), "username": "alice"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert signed_in_as(c) is None
    # No password can sign a demo account in, not even an empty one.
    for password in ("", "admin", PASSWORD):
        assert login(demo_client(), "admin", password).status_code in (401, 422)


def test_demo_one_click_needs_the_pre_session_csrf_token(db: Session, org: Organization) -> None:
    demo_accounts.ensure_demo_users(session=db, actor=CLI)
    db.commit()
    answer = demo_client().post("/login/demo", data={"username": "admin"}, follow_redirects=False)
    assert answer.status_code == 403
