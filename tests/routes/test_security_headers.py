"""Security headers on every kind of answer, and output encoding on every page.

Headers: pages, htmx fragments, API answers, redirects, errors (401, 403, 404, 405, 422, 429) and
static files all carry a Content-Security-Policy that allows only our own scripts (no inline, no
eval), forbids plugins, <base> and framing; nosniff; a Referrer-Policy.

Encoding: XSS payloads stored in every text column of every table are rendered escaped on every
page of the app (pages listed from the app's routes, so new pages are covered).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    CheckConstraint,
    String,
    UniqueConstraint,
    select,
    update,
)
from sqlmodel import Session, SQLModel

from app.models import HistoryAction, Organization, Plan
from app.models.enums import SubjectType
from app.services.changes.history import Actor, record_change
from app.settings import ROOT
from tests.factories import make_tiny_plan
from tests.routes.test_auth_pages import (
    client,
    hidden_csrf,
    login,
    make_org,
    make_user,
    sign_in,
)
from tests.routes.test_csrf import SAFE_ROUTES

REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def assert_security_headers(answer: Any, what: str) -> None:
    headers = answer.headers
    csp = headers.get("content-security-policy")
    assert csp, f"{what}: no Content-Security-Policy"
    directives = csp_directives(csp)
    script = directives.get("script-src", directives.get("default-src"))
    assert script == ["'self'"], f"{what}: script-src {script}"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, what
    assert directives.get("object-src") == ["'none'"], what
    assert directives.get("base-uri") == ["'none'"], what
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") in REFERRER_POLICIES, what


def test_every_kind_of_answer_carries_the_security_headers(db: Session) -> None:
    make_org(db)
    make_user(db, "root")
    make_user(db, "vera", "viewer")
    anonymous = client()
    admin = client()
    csrf = sign_in(admin, "root")
    viewer = client()
    sign_in(viewer, "vera")
    throttled = client()
    for _ in range(5):
        login(throttled, "root", "wrong password")
    answers = {
        "sign-in page": anonymous.get("/login"),
        "sign-in page, htmx": anonymous.get("/login", headers={"HX-Request": "true"}),
        "admin page": admin.get("/admin/users"),
        "account page": admin.get("/account"),
        "403 page": viewer.get("/admin/users"),
        "redirect to sign in": anonymous.get("/account", follow_redirects=False),
        "login refused (401 page)": login(client(), "root", "wrong password"),
        "login throttled (429 page)": login(throttled, "root", "wrong password"),
        "form error (422 page)": admin.post(
            "/account/tokens", data={"csrf_token": csrf, "name": ""}
        ),
        "CSRF refusal (403)": admin.post("/account/tokens", data={"name": "x"}),
        "htmx write": admin.post(
            "/account/tokens",
            data={"name": "x"},
            headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
        ),
        "API list": anonymous.get("/api/v1/plans"),
        "API 422": anonymous.get("/api/v1/plans?limit=not-a-number"),
        "API 401 (bad token)": anonymous.get(
            "/api/v1/plans", headers={"Authorization": "Bearer pt_nope"}
        ),
        "API 404": anonymous.get("/api/v1/no-such-thing"),
        "health": anonymous.get("/healthz"),
        "OpenAPI": anonymous.get("/openapi.json"),
        "page 404": anonymous.get("/no-such-page"),
        "405": anonymous.get("/logout"),
        "static file": anonymous.get("/static/app/app.js"),
        "logout redirect": admin.post("/logout", data={"csrf_token": csrf}, follow_redirects=False),
    }
    statuses = {what: a.status_code for what, a in answers.items()}
    assert statuses["login throttled (429 page)"] == 429
    assert statuses["403 page"] == 403 and statuses["CSRF refusal (403)"] == 403
    assert statuses["page 404"] == 404 and statuses["405"] == 405
    assert statuses["API 422"] == 422 and statuses["API 401 (bad token)"] == 401
    for what, answer in answers.items():
        assert_security_headers(answer, what)


# --- templates: nothing the policy would block -------------------------------------------------

TEMPLATES = sorted((ROOT / "app" / "templates").rglob("*"))


@pytest.mark.parametrize(
    "path",
    [p for p in TEMPLATES if p.is_file()],
    ids=lambda p: str(p.relative_to(ROOT / "app" / "templates")),
)
def test_templates_use_no_inline_script_style_or_handlers(path: Path) -> None:
    assert path.suffix == ".html", "templates are *.html so Jinja2 autoescapes them"
    text = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text, re.I):
        # A JSON-LD block (the public dashboard's Dataset) is data the browser never runs.
        data_block = 'type="application/ld+json"' in tag
        assert "src=" in tag or data_block, f"inline script in {path.name}: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), f"inline event handler in {path.name}"
    assert not re.search(r"\sstyle\s*=", text, re.I), f"inline style attribute in {path.name}"
    assert "<style" not in text.lower(), f"inline <style> in {path.name}"
    assert "javascript:" not in text.lower(), path.name
    assert "|safe" not in text.replace(" ", ""), f"|safe turns escaping off in {path.name}"


# --- output encoding ------------------------------------------------------------------------------

PAYLOAD = "\"><script>alert(1)</script>' onmouseover='alert(2)"
SHORT_PAYLOAD = "\"'><u>"
URL_PAYLOAD = "javascript:alert(3)"
RAW_MARKERS = ("<script>alert(1)", "' onmouseover='alert(2)", "'><u>")
ESCAPED_MARKER = "&lt;script&gt;alert(1)"
JS_URL = re.compile(
    r"""(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:""", re.I
)
KEY_COLUMNS = {
    "slug",
    "code",
    "username",
    "token_hash",
    "prefix",
    "csrf_token",
    "password_hash",
    "address",
}
URLISH = re.compile(r"(url|link|href|website|source)$")
SKIP_TABLES = {"history_entry", "history_field", "alembic_version"}


def _is_enum(table: Any, column: Any) -> bool:
    checks = [str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)]
    return any(re.search(rf"\b{column.name}\s+IN\s*\(", text) for text in checks)


def _is_unique(table: Any, column: Any) -> bool:
    if column.unique:
        return True
    return any(
        isinstance(c, UniqueConstraint) and column.name in c.columns for c in table.constraints
    )


def _text_value(column: Any) -> str | None:
    length = getattr(column.type, "length", None)
    value = URL_PAYLOAD if URLISH.search(column.name) else PAYLOAD
    if length is not None and length < len(value):
        value = SHORT_PAYLOAD
    if length is not None and length < len(value):
        return None
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return [PAYLOAD, *value[1:]]
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return dict.fromkeys(value, PAYLOAD)
    return value


def poison_every_text_column(session: Session) -> int:
    """Overwrite every free-text column of every row with an XSS payload. Returns cells changed."""
    changed = 0
    for table in SQLModel.metadata.sorted_tables:
        if table.name in SKIP_TABLES:
            continue
        pk = list(table.primary_key.columns)
        for row in session.execute(select(table)).mappings().all():
            values: dict[str, Any] = {}
            for column in table.columns:
                if column.primary_key or column.foreign_keys or column.name in KEY_COLUMNS:
                    continue
                if _is_enum(table, column) or _is_unique(table, column):
                    continue
                if isinstance(column.type, String):
                    text = _text_value(column)
                    if text is not None:
                        values[column.name] = text
                elif isinstance(column.type, JSON):
                    new = _json_value(row[column.name])
                    if new is not row[column.name]:
                        values[column.name] = new
            if values:
                session.execute(
                    update(table).where(*[c == row[c.name] for c in pk]).values(**values)
                )
                changed += len(values)
    session.commit()
    return changed


def _candidates(name: str, slugs: list[str]) -> list[str]:
    if "slug" in name:
        return slugs
    if "code" in name or "number" in name:
        return ["1", "1.1", "FCR", "G1"]
    return ["1", "2"]


def concrete_paths(path: str, slugs: list[str], limit: int = 12) -> list[str]:
    names = re.findall(r"\{([^}:]+)(?::[^}]*)?\}", path)
    if not names:
        return [path]
    out = []
    for combo in itertools.islice(
        itertools.product(*[_candidates(n, slugs) for n in names]), limit
    ):
        filled = path
        for value in combo:
            filled = re.sub(r"\{[^}]+\}", value, filled, count=1)
        out.append(filled)
    return out


def test_stored_payloads_are_escaped_on_every_page(db: Session) -> None:
    plan = make_tiny_plan(db)
    org = db.get(Organization, plan.organization_id)
    assert org is not None
    make_user(db, "root", organization=org.slug, display_name=PAYLOAD)
    make_user(db, "lead", "lead", organization=org.slug, department="CC", display_name=PAYLOAD)
    record_change(
        session=db,
        actor=Actor(name=PAYLOAD),
        subject_type=SubjectType.plan,
        subject_id=plan.id,
        action=HistoryAction.update,
        changes={"narrative": (PAYLOAD, URL_PAYLOAD)},
        note=PAYLOAD,
        label=PAYLOAD,
        plan_id=plan.id,
        organization_id=org.id,
        version_after=plan.version,
    )
    db.commit()
    slugs = [plan.slug, org.slug]
    assert poison_every_text_column(db) > 20
    db.expire_all()
    assert db.get(Plan, plan.id).title == PAYLOAD  # type: ignore[union-attr]
    db.commit()

    admin = client()
    csrf = sign_in(admin, "root")
    created = admin.post("/account/tokens", data={"csrf_token": csrf, "name": PAYLOAD})
    assert created.status_code == 201
    lead = client()
    sign_in(lead, "lead")
    anonymous = client()
    anonymous.get("/login")

    pages_seen, escaped_seen, problems = 0, 0, []
    for _, path in SAFE_ROUTES:
        if path in {"/openapi.json", "/api/docs", "/docs/oauth2-redirect"}:
            continue
        for url in concrete_paths(path, slugs):
            for who, c in (("admin", admin), ("lead", lead), ("anonymous", anonymous)):
                for headers in ({}, {"HX-Request": "true"}):
                    answer = c.get(url, headers=headers, follow_redirects=False)
                    assert answer.status_code < 500, f"{url} as {who}: {answer.status_code}"
                    if "text/html" not in answer.headers.get("content-type", ""):
                        continue
                    pages_seen += 1
                    html = answer.text
                    escaped_seen += ESCAPED_MARKER in html
                    for marker in RAW_MARKERS:
                        if marker in html:
                            problems.append(f"{url} as {who} {headers}: raw {marker!r}")
                    if JS_URL.search(html):
                        problems.append(
                            f"{url} as {who} {headers}: javascript: URL in an attribute"
                        )
    assert pages_seen >= 6
    assert escaped_seen >= 3, "the payloads were not shown anywhere: the test would prove nothing"
    assert not problems, "\n".join(problems)


def test_form_errors_echo_typed_values_escaped(db: Session) -> None:
    make_org(db)
    make_user(db, "root")
    admin = client()
    csrf = sign_in(admin, "root")
    answer = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": PAYLOAD,
            "display_name": PAYLOAD,
            "role": PAYLOAD,
            "password": "short",
        },
    )
    assert answer.status_code == 422
    assert ESCAPED_MARKER in answer.text
    assert not any(marker in answer.text for marker in RAW_MARKERS)
    page = client().get(f"/login?next={PAYLOAD}")
    assert not any(marker in page.text for marker in RAW_MARKERS)
    failed = client()
    form = failed.get("/login")
    answer = failed.post(
        "/login",
        data={"username": PAYLOAD, "password": "x" * 9, "csrf_token": hidden_csrf(form.text)},
    )
    assert answer.status_code == 401
    assert ESCAPED_MARKER in answer.text and "<script>alert(1)" not in answer.text
