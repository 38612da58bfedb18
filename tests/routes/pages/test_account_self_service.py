"""Pages of issue 13's accounts part, over real HTTP: /account (details, a stale save, the
password), /admin/users (e-mail, details, a reset link shown once, reactivation) and /reset."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.models import HistoryEntry, PasswordReset, User, UserSession
from app.models.enums import SubjectType
from app.models.mail import OutboxMessage
from app.services.accounts import password_resets, passwords
from app.services.rules import clock
from tests.routes.test_auth_pages import (
    PASSWORD,
    client,
    hidden_csrf,
    login,
    make_org,
    make_user,
    sign_in,
)
from tests.smtp_server import free_port, mail_settings, smtp_server

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def people(db: Session) -> dict[str, User]:
    make_org(db, "san-jose")
    make_org(db, "otherton")
    return {
        "admin": make_user(db, "boss", "admin", organization="san-jose"),
        "maria": make_user(db, "maria", "viewer", organization="san-jose"),
        "olga": make_user(db, "olga", "admin", organization="otherton"),
    }


def _user(db: Session, username: str) -> User:
    db.expire_all()
    return db.exec(select(User).where(User.username == username)).one()


def _with_address(db: Session, user: User) -> User:
    """The user, with an e-mail address the reset link can go to."""
    user.email = f"{user.username}@example.org"
    db.add(user)
    db.commit()
    return user


def _text(answer) -> str:  # noqa: ANN001
    return html.unescape(answer.text)


# --- /account: details --------------------------------------------------------------------------


def test_a_person_saves_their_details_and_a_stale_save_shows_the_newer_ones(
    db: Session, people: dict[str, User]
) -> None:
    me, other = client(), client()
    csrf = sign_in(me, "maria")
    other_csrf = sign_in(other, "maria")  # the same person in another browser
    page = me.get("/account")
    assert 'name="version" value="1"' in page.text
    saved = other.post(
        "/account/profile",
        data={
            "csrf_token": other_csrf,
            "version": "1",
            "display_name": "Maria L",
            "email": "Maria@City.gov",
            "reminder_frequency": "before_due",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/account?saved=profile"
    stale = me.post(
        "/account/profile",
        data={
            "csrf_token": csrf,
            "version": "1",
            "display_name": "Maria Lopez",
            "email": "mine@city.gov",
            "reminder_frequency": "none",
        },
    )
    assert stale.status_code == 409
    text = _text(stale)
    assert "maria@city.gov" in text and "Maria L" in text  # the newer values, shown
    assert 'name="version" value="2"' in stale.text  # offered again on the newer version
    assert 'value="mine@city.gov"' in stale.text  # what was typed is kept
    maria = _user(db, "maria")
    assert (maria.display_name, maria.email, maria.reminder_frequency) == (
        "Maria L",
        "maria@city.gov",
        "before_due",
    )


def test_a_bad_address_is_shown_beside_its_field_and_nothing_is_saved(
    db: Session, people: dict[str, User]
) -> None:
    make_user(db, "ana", "viewer", organization="san-jose")
    ana = _user(db, "ana")
    ana.email = "ana@city.gov"
    db.add(ana)
    db.commit()
    me = client()
    csrf = sign_in(me, "maria")
    for typed, message in (("maria@", "Enter an e-mail address"), ("ANA@city.gov", "Another")):
        answer = me.post(
            "/account/profile",
            data={
                "csrf_token": csrf,
                "version": "1",
                "display_name": "Changed",
                "email": typed,
                "reminder_frequency": "weekly",
            },
        )
        assert answer.status_code == 422
        assert 'aria-describedby="profile-email-error"' in answer.text
        found = re.search(r'id="profile-email-error"[^>]*>([^<]*)<', answer.text)
        assert found and message in html.unescape(found.group(1))
    maria = _user(db, "maria")
    assert (maria.version, maria.display_name, maria.email) == (1, "", None)


# --- /account: password -------------------------------------------------------------------------


def test_changing_ones_password_keeps_this_session_and_ends_the_others(
    db: Session, people: dict[str, User]
) -> None:
    me, elsewhere = client(), client()
    csrf = sign_in(me, "maria")
    sign_in(elsewhere, "maria")
    wrong = me.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422 and "This is not your current password." in _text(wrong)
    assert 'aria-describedby="password-current_password-error"' in wrong.text
    differ = me.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD + "!",
        },
    )
    assert differ.status_code == 422 and "differ" in differ.text
    changed = me.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert me.get("/account", follow_redirects=False).status_code == 200  # still signed in
    assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # signed out
    assert login(client(), "maria", PASSWORD).status_code == 401
    assert login(client(), "maria", NEW_PASSWORD).status_code == 303


def test_guessing_the_current_password_is_throttled_like_signing_in(
    db: Session, people: dict[str, User]
) -> None:
    # A stolen or unattended session must not become an unthrottled way to guess the password.
    me = client()
    csrf = sign_in(me, "maria")

    def attempt(current: str):  # noqa: ANN202
        fields = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
        return me.post(
            "/account/password", data={"csrf_token": csrf, "current_password": current, **fields}
        )

    guesses = [attempt(f"guess number {n}") for n in range(6)]
    assert [g.status_code for g in guesses[:5]] == [422] * 5
    throttled = guesses[5]
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert "Too many wrong passwords" in _text(throttled)
    assert 'role="alert"' in throttled.text
    # Even the right password waits now, and nothing was changed.
    assert attempt(PASSWORD).status_code == 429
    assert passwords.verify_password(_user(db, "maria").password_hash, PASSWORD)


# --- /admin/users -------------------------------------------------------------------------------


def test_an_administrator_creates_a_user_with_an_address_and_edits_it(
    db: Session, people: dict[str, User]
) -> None:
    admin = client()
    csrf = sign_in(admin, "boss")
    made = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "ana",
            "role": "viewer",
            "email": "Ana@City.gov",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    ana = _user(db, "ana")
    assert ana.email == "ana@city.gov"
    bad = admin.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "ana2", "role": "viewer", "email": "ANA@city.gov"},
    )
    assert bad.status_code == 422 and 'id="new-email-error"' in bad.text
    edited = admin.post(
        f"/admin/users/{ana.id}/details",
        data={"csrf_token": csrf, "version": "1", "display_name": "Ana", "email": "a@city.gov"},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    stale = admin.post(
        f"/admin/users/{ana.id}/details",
        data={"csrf_token": csrf, "version": "1", "display_name": "Old", "email": "x@city.gov"},
    )
    assert stale.status_code == 409 and "a@city.gov" in stale.text
    assert _user(db, "ana").email == "a@city.gov"
    history = db.exec(
        select(HistoryEntry).where(
            HistoryEntry.subject_type == SubjectType.user, HistoryEntry.subject_id == ana.id
        )
    ).all()
    assert [h.actor_name for h in history] == ["boss", "boss"]


def _issue(admin: TestClient, csrf: str, user_id: int) -> str:
    answer = admin.post(f"/admin/users/{user_id}/reset-link", data={"csrf_token": csrf})
    assert answer.status_code == 201
    assert answer.headers["cache-control"] == "no-store"
    found = re.search(r'id="reset-link-value" type="text" readonly value="([^"]+)"', answer.text)
    assert found, answer.text
    return found.group(1)


def test_a_reset_link_is_shown_once_and_sets_a_new_password_once(
    db: Session, people: dict[str, User]
) -> None:
    admin = client()
    csrf = sign_in(admin, "boss")
    maria = people["maria"]
    link = _issue(admin, csrf, maria.id)  # type: ignore[arg-type]
    assert link.startswith("http://testserver/reset/")
    assert link not in admin.get("/admin/users").text  # shown once
    path = link.removeprefix("http://testserver")
    browser = client()
    form = browser.get(path)
    assert form.status_code == 200 and "maria" in form.text
    assert form.headers["referrer-policy"] == "no-referrer"
    token = hidden_csrf(form.text)
    weak = browser.post(
        path, data={"csrf_token": token, "password": "12345678", "password_again": "12345678"}
    )
    assert weak.status_code == 422 and 'id="reset-password-error"' in weak.text
    done = browser.post(
        path, data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert done.status_code == 200 and "Your password is set" in done.text
    assert login(client(), "maria", NEW_PASSWORD).status_code == 303
    reused = browser.post(
        path,
        data={
            "csrf_token": token,
            "password": "yet another one!",
            "password_again": "yet another one!",
        },
    )
    assert reused.status_code == 404
    assert password_resets.LINK_UNUSABLE in _text(reused)
    assert browser.get(path).status_code == 404
    assert login(client(), "maria", "yet another one!").status_code == 401


def test_an_expired_replaced_or_unknown_link_gets_the_same_clear_page(
    db: Session, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = client()
    csrf = sign_in(admin, "boss")
    maria_id = people["maria"].id
    first = _issue(admin, csrf, maria_id).removeprefix("http://testserver")  # type: ignore[arg-type]
    second = _issue(admin, csrf, maria_id).removeprefix("http://testserver")  # type: ignore[arg-type]
    browser = client()
    pages = {"replaced": browser.get(first), "unknown": browser.get("/reset/not-a-token")}
    later = clock.clock() + dt.timedelta(hours=24, minutes=1)
    monkeypatch.setattr(clock, "clock", lambda: later)
    pages["expired"] = browser.get(second)
    for why, page in pages.items():
        assert page.status_code == 404, why
        assert password_resets.LINK_UNUSABLE in _text(page), why
        assert "maria" not in page.text, why
    token = hidden_csrf(browser.get("/login").text)
    posted = browser.post(
        second, data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert posted.status_code == 404
    assert login(client(), "maria", PASSWORD).status_code == 303  # unchanged
    assert db.exec(select(PasswordReset)).all()[0].used_at is None


def test_the_reset_form_needs_its_csrf_token(db: Session, people: dict[str, User]) -> None:
    admin = client()
    link = _issue(admin, sign_in(admin, "boss"), people["maria"].id)  # type: ignore[arg-type]
    browser = client()
    path = link.removeprefix("http://testserver")
    browser.get(path)
    answer = browser.post(path, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert answer.status_code == 403
    assert login(client(), "maria", PASSWORD).status_code == 303


def test_an_administrator_reactivates_a_deactivated_user(
    db: Session, people: dict[str, User]
) -> None:
    admin = client()
    csrf = sign_in(admin, "boss")
    maria_id = people["maria"].id
    admin.post(f"/admin/users/{maria_id}/deactivate", data={"csrf_token": csrf})
    assert login(client(), "maria").status_code == 401
    page = admin.get("/admin/users")
    assert f'action="/admin/users/{maria_id}/reactivate"' in page.text
    answer = admin.post(
        f"/admin/users/{maria_id}/reactivate", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303 and "reactivated=maria" in answer.headers["location"]
    assert login(client(), "maria").status_code == 303
    outsider = client()
    refused = outsider.post(
        f"/admin/users/{maria_id}/deactivate", data={"csrf_token": sign_in(outsider, "olga")}
    )
    assert refused.status_code in (403, 404)
    assert db.exec(select(UserSession)).all()


def test_with_a_mail_server_the_link_is_e_mailed_on_base_url_and_never_shown(
    db: Session, people: dict[str, User]
) -> None:
    maria = _with_address(db, people["maria"])
    base = "https://plans.example.org"
    with (
        smtp_server() as server,
        mail_settings(
            smtp_host="127.0.0.1", smtp_port=str(server.port), smtp_starttls="false", base_url=base
        ),
    ):
        admin = client()
        csrf = sign_in(admin, "boss")
        # A forged Host must not choose where the link points (password reset poisoning).
        answer = admin.post(
            f"/admin/users/{maria.id}/reset-link",
            data={"csrf_token": csrf},
            headers={"Host": "evil.example"},
        )
        assert answer.status_code == 201
        assert "e-mailed to maria@example.org" in _text(answer)
        assert 'id="reset-link-value"' not in answer.text and "/reset/" not in answer.text
        [arrived] = server.arrived
    assert arrived.rcpt_tos == ["maria@example.org"]
    text_part, html_part = arrived.message.iter_parts()
    found = re.search(r"(\S+/reset/\S+)", text_part.get_content())
    assert found and found.group(1).startswith(f"{base}/reset/")
    assert "evil.example" not in arrived.message.as_string()
    assert found.group(1) in html.unescape(html_part.get_content())
    path = found.group(1).removeprefix(base)
    # Sent, the link is gone from the outbox's row, and the outbox page never showed it.
    db.expire_all()
    [row] = db.exec(select(OutboxMessage)).all()
    assert row.status == "sent" and path not in row.text_body + row.html_body
    shown = admin.get(f"/admin/outbox/{row.id}")
    assert shown.status_code == 200 and "/reset/" not in shown.text
    assert "one-time password-reset link" in _text(shown)
    browser = client()
    token = hidden_csrf(browser.get(path).text)
    done = browser.post(
        path, data={"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert done.status_code == 200 and "Your password is set" in done.text
    assert login(client(), "maria", NEW_PASSWORD).status_code == 303


def test_a_reset_mail_waiting_for_a_retry_keeps_its_link_from_administrators(
    db: Session, people: dict[str, User]
) -> None:
    # The link must stay in the row for the retry, but an administrator reading the outbox
    # (page or API) would otherwise hold a working link to someone else's account.
    maria = _with_address(db, people["maria"])
    with mail_settings(smtp_host="127.0.0.1", smtp_port=str(free_port()), smtp_starttls="false"):
        admin = client()
        csrf = sign_in(admin, "boss")
        answer = admin.post(f"/admin/users/{maria.id}/reset-link", data={"csrf_token": csrf})
        assert answer.status_code == 201
    db.expire_all()
    [row] = db.exec(select(OutboxMessage)).all()
    assert row.status == "failed" and "/reset/" in row.text_body  # kept for the retry
    page = admin.get(f"/admin/outbox/{row.id}")
    assert page.status_code == 200 and "/reset/" not in page.text
    api = admin.get(f"/api/v1/outbox/{row.id}")
    assert api.status_code == 200 and "/reset/" not in api.text
    assert "one-time password-reset link" in api.json()["text"]


def test_without_an_address_the_link_is_shown_even_with_a_mail_server(
    db: Session, people: dict[str, User]
) -> None:
    with (
        smtp_server() as server,
        mail_settings(smtp_host="127.0.0.1", smtp_port=str(server.port), smtp_starttls="false"),
    ):
        admin = client()
        link = _issue(admin, sign_in(admin, "boss"), people["maria"].id)  # type: ignore[arg-type]
        assert server.arrived == []
    assert link.startswith("http://testserver/reset/")
