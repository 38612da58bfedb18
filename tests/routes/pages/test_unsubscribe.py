"""/unsubscribe/{token}: one click (RFC 8058) stops one kind of mail for one person; the signed
token is the only authority, so a tampered token, one signed for something else, or one naming
another kind of mail is refused with a clear message, records nothing, and is never a 500."""

from __future__ import annotations

import html

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import Session, select

from app.auth import session_cookie_value
from app.models import HistoryEntry, User
from app.models.mail import MailOptOut
from app.services.accounts import profiles
from app.services.changes.history import Actor
from app.services.errors import ValidationFailed
from app.services.mail import unsubscribe
from app.settings import get_settings
from tests.routes.test_auth_pages import client, make_org, make_user, sign_in

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def maria(db: Session) -> User:
    make_org(db)
    return make_user(db, "maria", "lead", department="SJ311", display_name="Maria Lopez")


def _opt_outs(db: Session) -> list[tuple[int, str]]:
    db.expire_all()
    db.rollback()
    return [(o.user_id, o.purpose) for o in db.exec(select(MailOptOut)).all()]


def test_the_link_shows_what_it_stops_and_one_click_records_it(db: Session, maria: User) -> None:
    assert maria.id is not None
    token = unsubscribe.make_token(maria.id, "reminders")
    page = client().get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert "Stop reminder e-mails to Maria Lopez?" in html.unescape(page.text)
    assert page.headers["cache-control"] == "no-store"
    assert _opt_outs(db) == []  # reading the page changes nothing
    # The mail provider's one-click POST: no cookie, no CSRF token, the RFC 8058 body.
    mail_client = client()
    mail_client.cookies.clear()
    answer = mail_client.post(f"/unsubscribe/{token}", data=ONE_CLICK)
    assert answer.status_code == 200
    assert "will get no more reminder e-mails" in answer.text
    assert _opt_outs(db) == [(maria.id, "reminders")]
    assert mail_client.post(f"/unsubscribe/{token}", data=ONE_CLICK).status_code == 200
    assert _opt_outs(db) == [(maria.id, "reminders")]  # clicking twice records it once
    assert "will get no more" in client().get(f"/unsubscribe/{token}").text
    # The account's reminder preference says so too, in the history under her own name.
    db.expire_all()
    assert db.get(User, maria.id).reminder_frequency == "none"  # type: ignore[union-attr]
    entry = db.exec(
        select(HistoryEntry).where(HistoryEntry.subject_id == maria.id).order_by(HistoryEntry.id)
    ).all()[-1]
    assert entry.subject_type == "user" and entry.actor_id == maria.id
    assert "Unsubscribed from reminders" in entry.note


def test_a_signed_in_browser_unsubscribes_without_a_csrf_token(db: Session, maria: User) -> None:
    assert maria.id is not None
    c = client()
    sign_in(c, "maria")
    token = unsubscribe.make_token(maria.id, "reminders")
    assert c.post(f"/unsubscribe/{token}", data=ONE_CLICK).status_code == 200
    assert _opt_outs(db) == [(maria.id, "reminders")]


def _signed(payload: object, salt: str = unsubscribe.SALT) -> str:
    return URLSafeSerializer(get_settings().secret_key, salt=salt).dumps(payload)


@pytest.mark.parametrize(
    "make_bad",
    [
        pytest.param(
            lambda uid: unsubscribe.make_token(uid, "reminders")[:-2] + "xx", id="tampered"
        ),
        pytest.param(lambda uid: unsubscribe.make_token(uid, "reminders") + "A", id="lengthened"),
        pytest.param(lambda uid: _signed({"u": uid, "p": "password_reset"}), id="wrong-purpose"),
        pytest.param(lambda uid: _signed({"u": uid, "p": "reminders"}, "other"), id="other-salt"),
        pytest.param(lambda uid: session_cookie_value("some-session"), id="a-session-cookie"),
        pytest.param(lambda uid: _signed({"u": str(uid), "p": "reminders"}), id="id-as-text"),
        pytest.param(lambda uid: _signed([uid, "reminders"]), id="not-an-object"),
        pytest.param(lambda uid: "not a token at all ²", id="garbage"),
        pytest.param(
            lambda uid: URLSafeSerializer("another-key", salt=unsubscribe.SALT).dumps(
                {"u": uid, "p": "reminders"}
            ),
            id="another-key",
        ),  # fmt: skip
    ],
)
def test_a_bad_token_is_refused_clearly_and_records_nothing(
    db: Session, maria: User, make_bad: object
) -> None:
    token = make_bad(maria.id)  # type: ignore[operator]
    c = client()
    for answer in (c.get(f"/unsubscribe/{token}"), c.post(f"/unsubscribe/{token}", data=ONE_CLICK)):
        assert answer.status_code == 400, answer.text[:300]
        assert "This unsubscribe link is not valid" in html.unescape(answer.text)
    assert _opt_outs(db) == []


def test_a_link_for_an_account_that_no_longer_exists_is_a_404(db: Session, maria: User) -> None:
    token = unsubscribe.make_token(99_999, "reminders")
    answer = client().post(f"/unsubscribe/{token}", data=ONE_CLICK)
    assert answer.status_code == 404 and "no longer exists" in answer.text
    assert _opt_outs(db) == []


def test_the_hook_reminders_use(db: Session, maria: User) -> None:
    assert maria.id is not None
    assert not unsubscribe.is_opted_out(db, maria.id, "reminders")
    assert unsubscribe.opt_out(session=db, user_id=maria.id, purpose="reminders") is True
    assert unsubscribe.opt_out(session=db, user_id=maria.id, purpose="reminders") is False
    db.commit()
    assert unsubscribe.is_opted_out(db, maria.id, "reminders")


def test_choosing_a_digest_again_on_the_account_page_opts_back_in(db: Session, maria: User) -> None:
    # The reminders honour an opt-out above the preference, so without this an unsubscribed
    # person could never get reminders again, whatever their account page said.
    assert maria.id is not None
    client().post(f"/unsubscribe/{unsubscribe.make_token(maria.id, 'reminders')}", data=ONE_CLICK)
    assert _opt_outs(db) == [(maria.id, "reminders")]
    me = client()
    csrf = sign_in(me, "maria")
    db.expire_all()
    version = db.get(User, maria.id).version  # type: ignore[union-attr]
    saved = me.post(
        "/account/profile",
        data={"csrf_token": csrf, "version": str(version), "display_name": "Maria Lopez",
              "email": "", "reminder_frequency": "weekly"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert _opt_outs(db) == []
    db.expire_all()
    assert db.get(User, maria.id).reminder_frequency == "weekly"  # type: ignore[union-attr]


def test_an_administrator_cannot_overrule_an_unsubscribe(db: Session, maria: User) -> None:
    assert maria.id is not None
    client().post(f"/unsubscribe/{unsubscribe.make_token(maria.id, 'reminders')}", data=ONE_CLICK)
    admin = make_user(db, "boss", "admin")
    db.expire_all()
    person = db.get(User, maria.id)
    assert person is not None
    with pytest.raises(ValidationFailed) as refused:
        profiles.update_profile(
            session=db, actor=Actor(user=admin), user=person, version=person.version,
            reminder_frequency="weekly",
        )  # fmt: skip
    assert refused.value.problems[0].field == "reminder_frequency"
    assert "only they can choose a digest again" in refused.value.problems[0].message
    db.rollback()
    assert _opt_outs(db) == [(maria.id, "reminders")]
