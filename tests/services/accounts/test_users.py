"""The accounts service: password storage, the login throttle, sessions, API tokens, users."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from sqlmodel import Session, select

from app.db import get_engine
from app.models import (
    ApiToken,
    Department,
    HistoryEntry,
    HistoryField,
    LoginAttempt,
    Organization,
    User,
    UserSession,
)
from app.models.enums import SubjectType
from app.services.accounts import api_tokens, browser_sessions, demo_accounts, passwords, sign_in
from app.services.accounts import users as accounts
from app.services.changes.history import Actor
from app.services.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)

PASSWORD = "correct horse battery"
ACTOR = Actor(name="test")
T0 = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(session: Session) -> Iterator[Session]:
    org = Organization(name="City of San José", slug="san-jose")
    session.add(org)
    session.flush()
    session.add(Department(organization_id=org.id, code="SJ311", name="SJ311"))
    session.add(Department(organization_id=org.id, code="ACS", name="Animal Care and Services"))
    session.commit()
    yield session


def new_user(db: Session, username: str = "alice", role: str = "admin", **kw: object) -> User:
    user = accounts.create_user(
        session=db,
        actor=ACTOR,
        username=username,
        role=role,
        password=kw.pop("password", PASSWORD),
        **kw,  # type: ignore[arg-type]
    )
    db.commit()
    return user


def auth(
    db: Session,
    username: str = "alice",
    password: str = PASSWORD,
    *,
    address: str = "10.0.0.1",
    now: dt.datetime = T0,
    known: tuple[int, ...] = (),
) -> User:
    return sign_in.authenticate(
        session=db,
        username=username,
        password=password,
        address=address,
        now=now,
        known_device_user_ids=known,
    )


def fail(db: Session, username: str = "alice", *, address: str, now: dt.datetime) -> None:
    with pytest.raises(NotAuthenticated):
        auth(db, username, "wrong password", address=address, now=now)


def wait_of(db: Session, username: str = "alice", password: str = PASSWORD, **kw: object) -> int:
    """The Retry-After of a throttled attempt (fails the test if it is not throttled)."""
    with pytest.raises(TooManyAttempts) as throttled:
        auth(db, username, password, **kw)  # type: ignore[arg-type]
    return throttled.value.retry_after


# --- passwords ----------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_with_owasp_parameters(
    db: Session, production_hasher: PasswordHasher
) -> None:
    user = new_user(db)
    stored = user.password_hash or ""
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19_456 and int(params["t"]) >= 2
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(
    db: Session, production_hasher: PasswordHasher
) -> None:
    user = new_user(db)
    weak = PasswordHasher(time_cost=1, memory_cost=8_192, parallelism=1, type=Type.ID).hash(
        PASSWORD
    )
    user.password_hash = weak
    db.add(user)
    db.commit()
    auth(db)
    db.commit()
    db.refresh(user)
    assert user.password_hash != weak
    assert "m=19456,t=2" in (user.password_hash or "")


def test_rehash_when_our_parameters_rise(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    user = new_user(db)
    before = user.password_hash
    stronger = PasswordHasher(time_cost=3, memory_cost=32_768, parallelism=1)
    monkeypatch.setattr(passwords, "HASHER", stronger)
    auth(db)
    db.commit()
    db.refresh(user)
    assert user.password_hash != before
    assert "m=32768,t=3" in (user.password_hash or "")
    assert not stronger.check_needs_rehash(user.password_hash or "")
    auth(db, now=T0 + dt.timedelta(seconds=1))  # the new hash still signs in


def test_no_rehash_when_parameters_are_current(db: Session) -> None:
    user = new_user(db)
    before = user.password_hash
    auth(db)
    db.commit()
    db.refresh(user)
    assert user.password_hash == before


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "1234567",
        "password",
        "12345678",
        "qwertyui",
        "PlanTrack",
        "Password123",
        "aaaaaaaaaaaa",
        "alice",
    ],
)
def test_short_common_and_obvious_passwords_are_refused(db: Session, password: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(
            session=db, actor=ACTOR, username="alice", role="viewer", password=password
        )
    assert [p.field for p in refused.value.problems] == ["password"]
    assert db.exec(select(User)).all() == []


def test_a_reasonable_password_is_accepted(db: Session) -> None:
    assert new_user(db, password="river tamale 42").password_hash


def test_the_common_list_is_our_own_and_not_tiny() -> None:
    assert len(passwords.COMMON_PASSWORDS) >= 50
    assert {"password", "12345678", "qwertyui", "plantrack"} <= passwords.COMMON_PASSWORDS


# --- authenticate and the throttle ---------------------------------------------------------------


@pytest.fixture
def alice(db: Session) -> User:
    return new_user(db)


def test_right_password_signs_in_and_records_the_time(db: Session, alice: User) -> None:
    user = auth(db, "  Alice ")
    assert user.id == alice.id
    assert user.last_login_at == T0


def test_unknown_user_and_wrong_password_fail_the_same_way(db: Session, alice: User) -> None:
    with pytest.raises(NotAuthenticated) as wrong:
        auth(db, "alice", "not the password")
    with pytest.raises(NotAuthenticated) as unknown:
        auth(db, "nobody", "not the password")
    assert wrong.value.message == unknown.value.message == "Wrong username or password."
    assert type(wrong.value) is type(unknown.value)


def test_unknown_user_costs_one_argon2_verification_too(
    db: Session, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = passwords.HASHER

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
            calls.append(str(hash)[:10])
            return real.verify(hash, password)

    monkeypatch.setattr(
        passwords,
        "HASHER",
        Counting(
            time_cost=real.time_cost, memory_cost=real.memory_cost, parallelism=real.parallelism
        ),
    )
    for username in ("nobody", "alice"):
        with pytest.raises(NotAuthenticated):
            auth(db, username, "not the password")
    assert calls == ["$argon2id$", "$argon2id$"]


def test_inactive_and_password_less_accounts_cannot_sign_in(db: Session, alice: User) -> None:
    new_user(db, "nopass", "viewer", password=None)
    new_user(db, "root")
    with pytest.raises(NotAuthenticated):
        auth(db, "nopass", "")
    accounts.deactivate(session=db, actor=ACTOR, user=alice)
    db.commit()
    with pytest.raises(NotAuthenticated) as refused:
        auth(db)
    assert refused.value.message == "Wrong username or password."


def test_after_five_failures_from_one_address_the_wait_doubles(db: Session, alice: User) -> None:
    for n in range(5):
        fail(db, address="203.0.113.9", now=T0 + dt.timedelta(seconds=n))
    newest = T0 + dt.timedelta(seconds=4)
    # Checked before the password: the right one waits too, 30 s after the newest failure.
    assert wait_of(db, address="203.0.113.9", now=newest) == 30
    fail(db, address="203.0.113.9", now=newest + dt.timedelta(seconds=30))
    newest += dt.timedelta(seconds=30)
    assert wait_of(db, address="203.0.113.9", now=newest) == 60
    fail(db, address="203.0.113.9", now=newest + dt.timedelta(seconds=60))
    newest += dt.timedelta(seconds=60)
    assert wait_of(db, address="203.0.113.9", now=newest) == 120
    # The wait is over: the owner's right password is checked (and accepted) again.
    assert auth(db, address="203.0.113.9", now=newest + dt.timedelta(seconds=120)).id == alice.id


def test_an_attackers_failures_never_stop_the_owner_signing_in_elsewhere(
    db: Session, alice: User
) -> None:
    """Issue 15 §2: five failures used to block the owner for 15 minutes from every address."""
    moment, failures = T0, 0
    while failures < 9:  # the attacker retries as soon as the throttle lets them
        try:
            fail(db, address="198.51.100.66", now=moment)
        except TooManyAttempts as throttled:
            moment += dt.timedelta(seconds=throttled.retry_after)
            continue
        failures += 1
        # Between the attacker's attempts the owner signs in from the office.
        assert auth(db, address="192.0.2.10", now=moment).id == alice.id
    assert wait_of(db, "alice", address="198.51.100.66", now=moment) == 480
    assert auth(db, address="192.0.2.10", now=moment).id == alice.id


def test_an_address_is_slowed_for_at_most_a_minute_not_shut(db: Session, alice: User) -> None:
    """An office behind one address: many people's typos slow it, they never close it."""
    for n in range(20):
        fail(db, f"colleague{n}", address="192.0.2.7", now=T0)
    assert wait_of(db, "alice", address="192.0.2.7", now=T0) == 5
    assert auth(db, address="192.0.2.8", now=T0).id == alice.id  # another address: no wait
    moment = T0
    for n in range(10):  # an attacker in the office keeps failing as fast as allowed
        moment += dt.timedelta(seconds=60)
        fail(db, f"target{n}", address="192.0.2.7", now=moment)
    assert wait_of(db, "alice", address="192.0.2.7", now=moment) == 60
    assert auth(db, address="192.0.2.7", now=moment + dt.timedelta(seconds=60)).id == alice.id


def test_an_account_gets_a_handful_of_guesses_a_minute_whatever_the_addresses(
    db: Session, alice: User
) -> None:
    for n in range(sign_in.ACCOUNT_FAILURES_PER_MINUTE):
        fail(db, address=f"10.1.0.{n}", now=T0 + dt.timedelta(seconds=n))
    # A new address (a botnet's next one) is made to wait until the minute has passed ...
    assert wait_of(db, address="10.2.0.1", now=T0 + dt.timedelta(seconds=20)) == 40
    # ... for this account only,
    new_user(db, "bob", "viewer")
    assert auth(db, "bob", address="10.2.0.1", now=T0 + dt.timedelta(seconds=20)).username == "bob"
    # and a browser that signed in to it before is not held by this limit.
    assert auth(db, address="10.2.0.1", now=T0 + dt.timedelta(seconds=20), known=(alice.id,))
    assert auth(db, address="10.2.0.2", now=T0 + dt.timedelta(seconds=61)).id == alice.id


def test_failures_outside_the_window_do_not_count(db: Session, alice: User) -> None:
    for n in range(5):
        fail(db, address="10.0.0.1", now=T0 + dt.timedelta(minutes=3 * n))
    assert wait_of(db, address="10.0.0.1", now=T0 + dt.timedelta(minutes=12)) == 30
    # At T0+15 the first (T0) has left the 15-minute window: four remain, no wait.
    assert auth(db, now=T0 + dt.timedelta(minutes=15, seconds=1)).id == alice.id


def test_a_right_password_leaves_no_failure_behind(db: Session, alice: User) -> None:
    fail(db, address="10.0.0.1", now=T0)
    auth(db, now=T0)
    db.commit()
    assert len(db.exec(select(LoginAttempt)).all()) == 1


def test_failures_survive_the_callers_rollback(db: Session, alice: User) -> None:
    """A failed attempt is committed at once: a request that ends in an error still counts."""
    with pytest.raises(NotAuthenticated):
        auth(db, password="wrong")
    db.rollback()
    assert len(db.exec(select(LoginAttempt)).all()) == 1


def test_the_throttle_is_shared_by_separate_database_sessions(
    database_url: str, db: Session, alice: User
) -> None:
    """Two app processes have two connections; the count lives in the database."""
    for n in range(5):
        with Session(get_engine()) as other, pytest.raises(NotAuthenticated):
            auth(other, password="wrong", now=T0 + dt.timedelta(seconds=n))
    with Session(get_engine()) as other, pytest.raises(TooManyAttempts):
        auth(other, now=T0 + dt.timedelta(seconds=10))
    with Session(get_engine()) as other:
        assert auth(other, address="10.0.0.2", now=T0 + dt.timedelta(seconds=10)).id == alice.id


# --- sessions -----------------------------------------------------------------------------------


def test_a_session_is_stored_only_as_a_hash(db: Session, alice: User) -> None:
    started = browser_sessions.start_session(session=db, user=alice, now=T0)
    db.commit()
    row = db.exec(select(UserSession)).one()
    assert row.token_hash == hashlib.sha256(started.token.encode()).hexdigest()
    assert started.token not in (row.token_hash, row.csrf_token)
    assert len(started.token) >= 43 and len(row.csrf_token) >= 43
    again = browser_sessions.start_session(session=db, user=alice, now=T0)
    assert again.token != started.token and again.csrf_token != started.csrf_token


def test_resolve_session_and_idle_timeout(db: Session, alice: User) -> None:
    started = browser_sessions.start_session(session=db, user=alice, now=T0)
    db.commit()
    idle = dt.timedelta(minutes=60)
    found = browser_sessions.resolve_session(
        session=db, token=started.token, now=T0 + idle - dt.timedelta(seconds=1)
    )
    assert found is not None and found[0].id == alice.id
    assert found[1].last_seen_at == T0 + idle - dt.timedelta(seconds=1)
    later = T0 + 2 * idle - dt.timedelta(seconds=2)
    assert browser_sessions.resolve_session(session=db, token=started.token, now=later) is not None
    assert (
        browser_sessions.resolve_session(
            session=db, token=started.token, now=later + idle + dt.timedelta(seconds=1)
        )
        is None
    )


def test_last_seen_is_written_at_most_once_a_minute(db: Session, alice: User) -> None:
    started = browser_sessions.start_session(session=db, user=alice, now=T0)
    db.commit()
    browser_sessions.resolve_session(
        session=db, token=started.token, now=T0 + dt.timedelta(seconds=59)
    )
    assert started.record.last_seen_at == T0
    browser_sessions.resolve_session(
        session=db, token=started.token, now=T0 + dt.timedelta(seconds=61)
    )
    assert started.record.last_seen_at == T0 + dt.timedelta(seconds=61)


def test_maximum_session_age(db: Session, alice: User) -> None:
    started = browser_sessions.start_session(session=db, user=alice, now=T0)
    db.commit()
    moment = T0
    while moment < T0 + dt.timedelta(hours=12):
        moment += dt.timedelta(minutes=30)
        found = browser_sessions.resolve_session(session=db, token=started.token, now=moment)
        assert (found is not None) == (moment - T0 <= dt.timedelta(hours=12))
    assert (
        browser_sessions.resolve_session(
            session=db, token=started.token, now=moment + dt.timedelta(minutes=1)
        )
        is None
    )


def test_end_session_and_deactivation_end_sessions(db: Session, alice: User) -> None:
    new_user(db, "root")
    one = browser_sessions.start_session(session=db, user=alice, now=T0)
    two = browser_sessions.start_session(session=db, user=alice, now=T0)
    db.commit()
    assert browser_sessions.end_session(session=db, token=one.token, now=T0)
    assert browser_sessions.resolve_session(session=db, token=one.token, now=T0) is None
    assert browser_sessions.resolve_session(session=db, token=two.token, now=T0) is not None
    accounts.deactivate(session=db, actor=ACTOR, user=alice)
    db.commit()
    assert browser_sessions.resolve_session(session=db, token=two.token, now=T0) is None
    assert all(s.revoked_at is not None for s in db.exec(select(UserSession)).all())
    with pytest.raises(NotAuthenticated):
        browser_sessions.start_session(session=db, user=alice)


def test_unknown_and_empty_tokens_resolve_to_nobody(db: Session) -> None:
    assert browser_sessions.resolve_session(session=db, token="", now=T0) is None
    assert browser_sessions.resolve_session(session=db, token="nope", now=T0) is None


# --- API tokens ---------------------------------------------------------------------------------


def test_api_tokens_are_stored_hashed_and_resolve_to_their_user(db: Session, alice: User) -> None:
    row, plaintext = api_tokens.create_api_token(session=db, user=alice, name="CI", now=T0)
    db.commit()
    assert plaintext.startswith("pt_") and len(plaintext) > 40
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {row.token_hash, row.prefix, row.name}
    user = api_tokens.resolve_api_token(session=db, token=plaintext, now=T0)
    assert user is not None and user.id == alice.id
    assert row.last_used_at == T0
    assert api_tokens.resolve_api_token(session=db, token=plaintext + "x") is None
    assert api_tokens.resolve_api_token(session=db, token=row.token_hash) is None


def test_revoked_tokens_stop_working_and_only_the_owner_revokes(db: Session, alice: User) -> None:
    bob = new_user(db, "bob", "viewer")
    row, plaintext = api_tokens.create_api_token(session=db, user=alice, name="CI")
    db.commit()
    with pytest.raises(PermissionDenied):
        api_tokens.revoke_api_token(session=db, user=bob, token_id=row.id)  # type: ignore[arg-type]
    assert api_tokens.resolve_api_token(session=db, token=plaintext) is not None
    with pytest.raises(NotFound):
        api_tokens.revoke_api_token(session=db, user=alice, token_id=9999)
    api_tokens.revoke_api_token(session=db, user=alice, token_id=row.id)  # type: ignore[arg-type]
    db.commit()
    assert api_tokens.resolve_api_token(session=db, token=plaintext) is None
    assert db.get(ApiToken, row.id).revoked_at is not None  # type: ignore[union-attr]


def test_a_token_needs_a_name(db: Session, alice: User) -> None:
    with pytest.raises(ValidationFailed):
        api_tokens.create_api_token(session=db, user=alice, name="  ")


# --- users --------------------------------------------------------------------------------------


def _history(db: Session, user: User) -> list[tuple[str, dict[str, tuple[object, object]]]]:
    entries = db.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == SubjectType.user, HistoryEntry.subject_id == user.id)
        .order_by(HistoryEntry.id)
    ).all()
    return [
        (
            e.action,
            {
                f.field: (f.before, f.after)
                for f in db.exec(select(HistoryField).where(HistoryField.entry_id == e.id)).all()
            },
        )
        for e in entries
    ]


def test_create_user_resolves_department_and_organisation_and_records_history(db: Session) -> None:
    lead = new_user(
        db, "Maria", "lead", department="SJ311", organization="san-jose", display_name="Maria L"
    )
    dept = db.exec(select(Department).where(Department.code == "SJ311")).one()
    assert (lead.username, lead.role, lead.department_id) == ("maria", "lead", dept.id)
    history = _history(db, lead)
    assert history[0][0] == "create"
    assert history[0][1]["role"] == (None, "lead") and history[0][1]["department"] == (
        None,
        "SJ311",
    )
    assert not any("hash" in field or PASSWORD in str(v) for field, v in history[0][1].items())


def test_create_user_reports_every_problem_at_once(db: Session) -> None:
    new_user(db, "alice")
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(
            session=db,
            actor=ACTOR,
            username="alice",
            role="chief",
            department="NOPE",
            password="short",
        )
    fields = {p.field for p in refused.value.problems}
    assert fields == {"username", "role", "department", "password"}


def test_a_lead_needs_a_department(db: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(
            session=db, actor=ACTOR, username="lee", role="lead", password=PASSWORD
        )
    assert refused.value.problems[0].field == "department"


def test_set_role_and_deactivate_are_in_the_history(db: Session, alice: User) -> None:
    bob = new_user(db, "bob", "viewer")
    accounts.set_role(session=db, actor=Actor(user=alice), user=bob, role="lead", department="ACS")
    db.commit()
    assert (bob.role, bob.version) == ("lead", 2)
    accounts.deactivate(session=db, actor=Actor(user=alice), user=bob)
    db.commit()
    assert not bob.active and bob.version == 3
    history = _history(db, bob)
    assert [a for a, _ in history] == ["create", "update", "update"]
    assert history[1][1] == {"role": ("viewer", "lead"), "department": (None, "ACS")}
    assert history[2][1] == {"active": (True, False)}
    assert (
        db.exec(
            select(HistoryEntry).where(
                HistoryEntry.subject_id == bob.id, HistoryEntry.subject_type == "user"
            )
        )
        .all()[-1]
        .actor_name
        == "alice"
    )


def test_the_last_administrator_stays(db: Session, alice: User) -> None:
    with pytest.raises(ValidationFailed):
        accounts.set_role(session=db, actor=ACTOR, user=alice, role="viewer")
    with pytest.raises(ValidationFailed):
        accounts.deactivate(session=db, actor=ACTOR, user=alice)
    with pytest.raises(ValidationFailed):
        accounts.deactivate(session=db, actor=Actor(user=alice), user=alice)


def test_list_users(db: Session, alice: User) -> None:
    new_user(db, "bob", "viewer")
    assert [u.username for u in accounts.list_users(session=db)] == ["alice", "bob"]


def test_demo_users_are_created_once_and_have_no_password(db: Session) -> None:
    assert demo_accounts.ensure_demo_users(session=db, actor=ACTOR) == [
        "admin",
        "coordinator",
        "sj311-lead",
        "acs-lead",
        "viewer",
    ]
    db.commit()
    assert demo_accounts.ensure_demo_users(session=db, actor=ACTOR) == []
    users = {u.username: u for u in db.exec(select(User)).all()}
    assert all(u.password_hash is None for u in users.values())
    depts = {d.id: d.code for d in db.exec(select(Department)).all()}
    assert depts[users["sj311-lead"].department_id] == "SJ311"  # type: ignore[index]
    assert depts[users["acs-lead"].department_id] == "ACS"  # type: ignore[index]
    assert users["sj311-lead"].email == "sj311-lead@example.org"  # reminders have an address
    assert demo_accounts.demo_user(session=db, username="viewer") is not None
    assert demo_accounts.demo_user(session=db, username="alice") is None
