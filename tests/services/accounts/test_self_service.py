"""Accounts people manage themselves (issue 13): e-mail and reminder preference, a stale edit,
changing one's own password, one-time reset links, reactivation; all in the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from app.models import ApiToken, HistoryEntry, HistoryField, PasswordReset, User, UserSession
from app.models.enums import SubjectType
from app.services.accounts import api_tokens, browser_sessions, password_resets, passwords, profiles
from app.services.accounts import users as accounts
from app.services.accounts.user_fields import email_address
from app.services.changes.history import Actor
from app.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services.rules import clock
from tests.routes.test_auth_pages import make_org, make_user

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
BASE = "https://plantrack.example.org"


@pytest.fixture
def db(session: Session) -> Iterator[Session]:
    make_org(session)
    make_org(session, "otherton")
    yield session


def _history_texts(db: Session, user: User) -> list[str]:
    entries = db.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == SubjectType.user, HistoryEntry.subject_id == user.id)
        .order_by(HistoryEntry.id)  # the order they were written: no ORDER BY has none
    ).all()
    out = []
    for e in entries:
        fields = db.exec(select(HistoryField).where(HistoryField.entry_id == e.id)).all()
        out.append(
            f"{e.actor_name} {e.note} "
            + " ".join(f"{f.field}:{f.before}->{f.after}" for f in fields)
        )
    return out


def _fields(db: Session, user: User) -> dict[str, tuple[object, object]]:
    last = db.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == SubjectType.user, HistoryEntry.subject_id == user.id)
        .order_by(HistoryEntry.id.desc())  # type: ignore[union-attr]
    ).first()
    assert last is not None
    fields = db.exec(select(HistoryField).where(HistoryField.entry_id == last.id)).all()
    return {f.field: (f.before, f.after) for f in fields}


# --- e-mail addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Maria.Lopez@SanJoseCA.gov", "maria.lopez@sanjoseca.gov"),
        ("  ops+311@city.example.org ", "ops+311@city.example.org"),
        ("", None),
        ("   ", None),
    ],
)
def test_an_address_is_stored_lower_cased(typed: str, stored: str | None) -> None:
    assert email_address(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "maria",
        "maria@",
        "@city.gov",
        "maria@city",
        "maria@@city.gov",
        "ma ria@city.gov",
        "maria@city..gov",
        "maría@city.gov",
        "maria@-city.gov",
        "a\x00b@city.gov",
        "x" * 65 + "@city.gov",
        "m@" + "a" * 250 + ".gov",
    ],
)
def test_an_address_mail_cannot_reach_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        email_address(typed)
    assert refused.value.problems[0].field == "email"


def test_create_user_keeps_the_address_and_refuses_one_taken_in_another_case(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    admin = make_user(db, "boss", "admin", organization="san-jose")
    user = accounts.create_user(
        session=db,
        actor=Actor(user=admin),
        username="ana",
        role="viewer",
        organization="san-jose",
        password=None,
        email="Ana@City.gov",
    )
    assert user.email == "ana@city.gov" and user.reminder_frequency == "weekly"
    assert "email:None->ana@city.gov" in " ".join(_history_texts(db, user))
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(
            session=db,
            actor=Actor(user=admin),
            username="ana2",
            role="viewer",
            organization="san-jose",
            password=None,
            email="ANA@city.GOV",
        )
    assert [p.field for p in refused.value.problems] == ["email"]
    assert maria.email is None  # accounts made before keep none


# --- one's own profile --------------------------------------------------------------------------


def test_a_person_changes_their_own_name_address_and_reminders(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    profiles.update_profile(
        session=db,
        actor=Actor(user=maria),
        user=maria,
        version=maria.version,
        display_name=" Maria López ",
        email="Maria@City.gov",
        reminder_frequency="before_due",
    )
    db.commit()
    db.refresh(maria)
    assert (maria.display_name, maria.email, maria.reminder_frequency, maria.version) == (
        "Maria López",
        "maria@city.gov",
        "before_due",
        2,
    )
    assert _fields(db, maria) == {
        "display_name": ("", "Maria López"),
        "email": (None, "maria@city.gov"),
        "reminder_frequency": ("weekly", "before_due"),
    }


def test_a_stale_profile_edit_is_refused_with_the_newer_values(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    admin = make_user(db, "boss", "admin", organization="san-jose")
    profiles.update_profile(
        session=db, actor=Actor(user=admin), user=maria, version=1, email="maria@city.gov"
    )
    db.commit()
    with pytest.raises(Conflict) as stale:
        profiles.update_profile(
            session=db, actor=Actor(user=maria), user=maria, version=1, email="mine@city.gov"
        )
    assert stale.value.current["email"] == "maria@city.gov"
    assert stale.value.current["version"] == 2


def test_bad_profile_values_are_all_named_and_nothing_is_saved(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    make_user(db, "ana", "viewer", organization="san-jose")
    profiles.update_profile(
        session=db,
        actor=Actor(user=db.exec(select(User).where(User.username == "ana")).one()),
        user=db.exec(select(User).where(User.username == "ana")).one(),
        version=1,
        email="ana@city.gov",
    )
    db.commit()
    with pytest.raises(ValidationFailed) as refused:
        profiles.update_profile(
            session=db,
            actor=Actor(user=maria),
            user=maria,
            version=1,
            display_name="x" * 201,
            email="ANA@city.gov",
            reminder_frequency="daily",
        )
    assert {p.field for p in refused.value.problems} == {
        "display_name",
        "email",
        "reminder_frequency",
    }
    db.rollback()
    db.refresh(maria)
    assert (maria.version, maria.email) == (1, None)


def test_nobody_edits_another_persons_profile_but_their_administrators(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    ana = make_user(db, "ana", "coordinator", organization="san-jose")
    outsider = make_user(db, "olga", "admin", organization="otherton")
    for actor in (ana, outsider):
        with pytest.raises(PermissionDenied):
            profiles.update_profile(
                session=db, actor=Actor(user=actor), user=maria, version=1, display_name="X"
            )


# --- one's own password -------------------------------------------------------------------------


def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions(
    db: Session,
) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    here = browser_sessions.start_session(session=db, user=maria)
    elsewhere = browser_sessions.start_session(session=db, user=maria)
    api_tokens.create_api_token(session=db, user=maria, name="script")
    db.commit()
    with pytest.raises(ValidationFailed) as wrong:
        profiles.change_own_password(
            session=db,
            actor=Actor(user=maria),
            user=maria,
            current_password="not it at all",
            new_password=NEW_PASSWORD,
            address="192.0.2.1",
        )
    assert wrong.value.problems[0].field == "current_password"
    with pytest.raises(ValidationFailed) as weak:
        profiles.change_own_password(
            session=db,
            actor=Actor(user=maria),
            user=maria,
            current_password=PASSWORD,
            new_password="password123",
            address="192.0.2.1",
        )
    assert weak.value.problems[0].field == "password"
    profiles.change_own_password(
        session=db,
        actor=Actor(user=maria),
        user=maria,
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        address="192.0.2.1",
        keep_session_id=here.record.id,
    )
    db.commit()
    assert passwords.verify_password(maria.password_hash, NEW_PASSWORD)
    open_ids = {
        s.id
        for s in db.exec(select(UserSession).where(UserSession.revoked_at == None)).all()  # noqa: E711
    }
    assert here.record.id in open_ids and elsewhere.record.id not in open_ids
    assert all(t.revoked_at for t in db.exec(select(ApiToken)).all())
    history = " ".join(_history_texts(db, maria))
    assert "password:(set)->(changed)" in history
    assert PASSWORD not in history and NEW_PASSWORD not in history and "argon2" not in history


def test_only_the_owner_changes_a_password_this_way(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    admin = make_user(db, "boss", "admin", organization="san-jose")
    with pytest.raises(PermissionDenied):
        profiles.change_own_password(
            session=db,
            actor=Actor(user=admin),
            user=maria,
            current_password=PASSWORD,
            new_password=NEW_PASSWORD,
            address="192.0.2.1",
        )


# --- reset links --------------------------------------------------------------------------------


def _token(link: str) -> str:
    assert link.startswith(BASE + "/reset/")
    return link.rsplit("/", 1)[1]


def test_a_reset_link_sets_a_password_once_and_only_its_hash_is_kept(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    admin = make_user(db, "boss", "admin", organization="san-jose")
    browser_sessions.start_session(session=db, user=maria)
    issued = password_resets.issue_reset_link(
        session=db, actor=Actor(user=admin), user=maria, base_url=BASE + "/"
    )
    db.commit()
    token = _token(issued.link)
    assert len(token) >= 43  # 256 random bits
    stored = db.exec(select(PasswordReset)).one()
    assert token not in stored.token_hash and stored.expires_at - stored.created_at == dt.timedelta(
        hours=24
    )
    with pytest.raises(ValidationFailed):  # a weak password leaves the link open
        password_resets.reset_password(session=db, token=token, password="12345678")
    db.rollback()
    password_resets.reset_password(session=db, token=token, password=NEW_PASSWORD)
    db.commit()
    db.refresh(maria)
    assert passwords.verify_password(maria.password_hash, NEW_PASSWORD)
    assert not db.exec(select(UserSession).where(UserSession.revoked_at == None)).all()  # noqa: E711
    with pytest.raises(NotFound) as reused:
        password_resets.reset_password(session=db, token=token, password="another passphrase")
    assert reused.value.message == password_resets.LINK_UNUSABLE
    history = " ".join(_history_texts(db, maria))
    assert "password_reset_link" in history and "reset link" in history
    assert token not in history and stored.token_hash not in history


def test_a_new_link_voids_the_old_and_links_expire_after_a_day(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    admin = make_user(db, "boss", "admin", organization="san-jose")
    first = _token(
        password_resets.issue_reset_link(
            session=db, actor=Actor(user=admin), user=maria, base_url=BASE
        ).link
    )
    second = _token(
        password_resets.issue_reset_link(
            session=db, actor=Actor(user=admin), user=maria, base_url=BASE
        ).link
    )
    db.commit()
    with pytest.raises(NotFound):
        password_resets.usable_link(session=db, token=first)
    password_resets.usable_link(session=db, token=second)
    later = clock.clock() + dt.timedelta(hours=24, seconds=1)
    monkeypatch.setattr(clock, "clock", lambda: later)
    with pytest.raises(NotFound) as expired:
        password_resets.usable_link(session=db, token=second)
    assert expired.value.message == password_resets.LINK_UNUSABLE
    for odd in ("", "nope", "x" * 5000, "a\x00b"):
        with pytest.raises(NotFound):
            password_resets.usable_link(session=db, token=odd)


def test_only_an_administrator_of_the_account_issues_a_link(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    for who, role, org in (("ana", "coordinator", "san-jose"), ("olga", "admin", "otherton")):
        actor = make_user(db, who, role, organization=org)
        with pytest.raises(PermissionDenied):
            password_resets.issue_reset_link(
                session=db, actor=Actor(user=actor), user=maria, base_url=BASE
            )
    assert not db.exec(select(PasswordReset)).all()


def test_a_deactivated_accounts_link_stops_working(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    admin = make_user(db, "boss", "admin", organization="san-jose")
    token = _token(
        password_resets.issue_reset_link(
            session=db, actor=Actor(user=admin), user=maria, base_url=BASE
        ).link
    )
    accounts.deactivate(session=db, actor=Actor(user=admin), user=maria)
    db.commit()
    with pytest.raises(NotFound):
        password_resets.reset_password(session=db, token=token, password=NEW_PASSWORD)


# --- reactivation -------------------------------------------------------------------------------


def test_reactivating_lets_the_person_sign_in_again_without_their_old_tokens(db: Session) -> None:
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    admin = make_user(db, "boss", "admin", organization="san-jose")
    _, plaintext = api_tokens.create_api_token(session=db, user=maria, name="old script")
    accounts.deactivate(session=db, actor=Actor(user=admin), user=maria)
    db.commit()
    with pytest.raises(PermissionDenied):
        profiles.reactivate(
            session=db,
            actor=Actor(user=make_user(db, "olga", "admin", organization="otherton")),
            user=maria,
        )
    profiles.reactivate(session=db, actor=Actor(user=admin), user=maria)
    db.commit()
    db.refresh(maria)
    assert maria.active
    browser_sessions.start_session(session=db, user=maria)  # may sign in again
    assert api_tokens.resolve_api_token(session=db, token=plaintext) is None
    assert _fields(db, maria) == {"active": (False, True)}
    assert _history_texts(db, maria)[-1].startswith("boss Reactivated")


def test_an_address_taken_by_a_concurrent_save_is_refused_not_a_server_error(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two saves of one address at once both pass the check; the database's unique constraint
    refuses the second, and the person hears it as a taken address (field `email`)."""
    ana = make_user(db, "ana", "viewer", organization="san-jose")
    maria = make_user(db, "maria", "viewer", organization="san-jose")
    profiles.update_profile(
        session=db, actor=Actor(user=ana), user=ana, version=1, email="shared@city.gov"
    )
    db.commit()
    monkeypatch.setattr(profiles, "email_taken", lambda *a, **k: False)  # the race's window
    with pytest.raises(ValidationFailed) as refused:
        profiles.update_profile(
            session=db, actor=Actor(user=maria), user=maria, version=1, email="SHARED@city.gov"
        )
    assert [p.field for p in refused.value.problems] == ["email"]
    db.rollback()
    db.refresh(maria)
    assert (maria.email, maria.version) == (None, 1)
