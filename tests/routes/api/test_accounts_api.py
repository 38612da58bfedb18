"""/api/v1/account and /api/v1/users (issue 13): one's own details and password; administrators'
users: create with an e-mail address, change details, reset links, reactivation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import ApiToken, PasswordReset, User
from app.services.accounts import passwords
from app.services.accounts import users as accounts
from app.services.changes.history import Actor
from app.services.rules import clock
from tests.factories import app_under_test
from tests.routes.api.conftest import API, People, history, history_count

Client = Callable[[User], TestClient]
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


def _fields(answer) -> set[str]:  # noqa: ANN001
    return {f["field"].split(".")[-1] for f in answer.json()["error"].get("fields", [])}


def _with_password(session: Session, user: User) -> User:
    accounts.set_password(session=session, actor=Actor(name="test"), user=user, password=PASSWORD)
    session.commit()
    return user


# --- one's own account --------------------------------------------------------------------------


def test_a_person_reads_and_changes_their_own_details(
    client_for: Client, people: People, session: Session
) -> None:
    me = client_for(people.viewer)
    read = me.get(f"{API}/account")
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert read.json()["reminder_frequency"] == "weekly" and read.json()["email"] is None
    changed = me.patch(
        f"{API}/account",
        json={"version": 1, "display_name": "Vic V", "reminder_frequency": "before_due"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.headers["ETag"] == '"2"'
    entries = history(session, "user", people.viewer.id)  # type: ignore[arg-type]
    assert entries[-1]["changes"] == {
        "display_name": ("Vic Viewer", "Vic V"),
        "reminder_frequency": ("weekly", "before_due"),
    }
    assert entries[-1]["actor"] == "Vic Viewer"


def test_a_stale_change_is_409_with_the_newer_value_and_if_match_412(
    client_for: Client, people: People
) -> None:
    me = client_for(people.viewer)
    assert (
        me.patch(f"{API}/account", json={"version": 1, "display_name": "First"}).status_code == 200
    )
    stale = me.patch(f"{API}/account", json={"version": 1, "display_name": "Second"})
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["display_name"] == "First"
    assert stale.json()["error"]["current"]["version"] == 2
    precondition = me.patch(
        f"{API}/account", json={"version": 2, "display_name": "Third"}, headers={"If-Match": '"1"'}
    )
    assert precondition.status_code == 412


def test_bad_input_is_422_naming_each_field_and_saves_nothing(
    client_for: Client, people: People, session: Session
) -> None:
    me = client_for(people.viewer)
    before = history_count(session)
    bad = me.patch(
        f"{API}/account", json={"version": 1, "reminder_frequency": "daily", "colour": "red"}
    )
    assert bad.status_code == 422 and {"reminder_frequency", "colour"} <= _fields(bad)
    null = me.patch(f"{API}/account", json={"version": 1, "display_name": None})
    assert null.status_code == 422 and _fields(null) == {"display_name"}
    assert history_count(session) == before


def test_an_api_token_cannot_change_the_address_reset_links_go_to(
    client_for: Client, people: People, session: Session
) -> None:
    answer = client_for(people.viewer).patch(
        f"{API}/account", json={"version": 1, "email": "thief@example.org"}
    )
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(User, people.viewer.id).email is None  # type: ignore[union-attr]


def test_changing_ones_password_needs_the_current_one_and_revokes_the_tokens(
    client_for: Client, people: People, session: Session
) -> None:
    _with_password(session, people.viewer)
    me = client_for(people.viewer)
    wrong = me.post(
        f"{API}/account/password",
        json={"current_password": "not it", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and _fields(wrong) == {"current_password"}
    weak = me.post(
        f"{API}/account/password", json={"current_password": PASSWORD, "new_password": "qwerty123"}
    )
    assert weak.status_code == 422 and _fields(weak) == {"password"}
    done = me.post(
        f"{API}/account/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 200, done.text
    assert me.get(f"{API}/account").status_code == 401  # its token went with the old password
    session.expire_all()
    user = session.get(User, people.viewer.id)
    assert user is not None and passwords.verify_password(user.password_hash, NEW_PASSWORD)
    assert all(t.revoked_at for t in session.exec(select(ApiToken)).all())
    changes = history(session, "user", user.id)[-1]["changes"]  # type: ignore[arg-type]
    assert changes == {"password": ("(set)", "(changed)")}


def test_wrong_current_passwords_are_throttled_with_retry_after(
    client_for: Client, people: People, session: Session
) -> None:
    _with_password(session, people.viewer)
    me = client_for(people.viewer)
    answers = [
        me.post(
            f"{API}/account/password",
            json={"current_password": f"guess {n}", "new_password": NEW_PASSWORD},
        )
        for n in range(6)
    ]
    assert [a.status_code for a in answers] == [422] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[-1].json()["error"]["code"] == "too_many_attempts"
    session.expire_all()
    user = session.get(User, people.viewer.id)
    assert user is not None and passwords.verify_password(user.password_hash, PASSWORD)


# --- administrators' users ----------------------------------------------------------------------


def test_an_administrator_creates_a_user_with_an_address_and_changes_it(
    client_for: Client, people: People, session: Session
) -> None:
    admin = client_for(people.admin)
    made = admin.post(
        f"{API}/users",
        json={"username": "ana", "role": "viewer", "email": "Ana@City.gov", "password": PASSWORD},
    )
    assert made.status_code == 201, made.text
    assert made.json()["email"] == "ana@city.gov"
    assert made.headers["Location"] == f"{API}/users/{made.json()['id']}"
    taken = admin.post(
        f"{API}/users", json={"username": "ana2", "role": "viewer", "email": "ANA@CITY.GOV"}
    )
    assert taken.status_code == 422 and _fields(taken) == {"email"}
    bad = admin.post(f"{API}/users", json={"username": "ana3", "role": "boss", "email": "x@"})
    assert bad.status_code == 422 and "role" in _fields(bad)
    url = f"{API}/users/{made.json()['id']}"
    changed = admin.patch(url, json={"version": 1, "email": None, "display_name": "Ana"})
    assert changed.status_code == 200 and changed.json()["email"] is None
    stale = admin.patch(url, json={"version": 1, "email": "ana@city.gov"})
    assert stale.status_code == 409 and stale.json()["error"]["current"]["email"] is None
    assert [u["username"] for u in admin.get(f"{API}/users").json()].count("ana") == 1


def test_only_administrators_of_the_account_manage_it(
    client_for: Client, people: People, other_plan: object, session: Session
) -> None:
    from tests.factories import make_person

    outsider = make_person(session, "olga", "admin", organization="otherton")
    url = f"{API}/users/{people.viewer.id}"
    for who, status in ((people.coordinator, 403), (outsider, 404)):
        client = client_for(who)
        assert client.get(url).status_code == status
        assert client.patch(url, json={"version": 1, "display_name": "X"}).status_code == status
        assert client.post(f"{url}/reset-link").status_code == status
    assert client_for(people.coordinator).get(f"{API}/users").status_code == 403


def test_a_reset_link_from_the_api_works_once_and_expires(
    client_for: Client, people: People, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = client_for(people.admin)
    url = f"{API}/users/{people.viewer.id}/reset-link"
    first = admin.post(url)
    assert first.status_code == 201 and first.headers["Cache-Control"] == "no-store"
    second = admin.post(url).json()
    expires = dt.datetime.fromisoformat(second["expires_at"])
    assert dt.timedelta(hours=23, minutes=59) < expires - clock.clock() <= dt.timedelta(hours=24)
    path = second["link"].removeprefix("http://testserver")
    browser = TestClient(app_under_test())
    assert browser.get(first.json()["link"].removeprefix("http://testserver")).status_code == 404
    assert browser.get(path).status_code == 200
    stored = session.exec(select(PasswordReset)).all()
    assert len(stored) == 2 and all(path.rsplit("/", 1)[1] not in r.token_hash for r in stored)
    entries = history(session, "user", people.viewer.id)  # type: ignore[arg-type]
    assert "password_reset_link" in entries[-1]["changes"]
    assert path.rsplit("/", 1)[1] not in str(entries)


def test_an_administrator_reactivates_through_the_api(
    client_for: Client, people: People, session: Session
) -> None:
    admin = client_for(people.admin)
    accounts.deactivate(session=session, actor=Actor(name="test"), user=people.viewer)
    session.commit()
    answer = admin.post(f"{API}/users/{people.viewer.id}/reactivate")
    assert answer.status_code == 200 and answer.json()["active"] is True
    entries = history(session, "user", people.viewer.id)  # type: ignore[arg-type]
    assert entries[-1]["changes"] == {"active": (False, True)}
    assert entries[-1]["actor"] == people.admin.display_name
