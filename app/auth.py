"""Who is asking, and is this write really theirs: the current user and CSRF, for every route.

`request_guard` is installed as a global dependency of the app (see app.main), so it runs before
every route, API and pages alike, and a new route is covered without doing anything:

1. Identity. `Authorization: Bearer pt_…` (a personal API token) or the `plantrack_session`
   cookie. The cookie value is the random session token signed with itsdangerous (settings
   .secret_key); the database knows only the token's SHA-256. The user and the session's CSRF
   token go on `request.state` (`user`, `csrf_token`), where every template finds them.
2. CSRF, for POST/PUT/PATCH/DELETE:
   - cookie session: the session's own CSRF token must come back in the `X-CSRF-Token` header
     (htmx, see app/static/app.js) or a `csrf_token` form field; compared in constant time;
   - bearer token: exempt, the browser never adds it on its own (no ambient credential);
   - no session (the sign-in forms): a signed double-submit token: the `plantrack_csrf` cookie
     holds a signed random value, and the form must send back the same value. API paths without
     credentials go on to the route, which refuses them (401) for lack of a user.
   A browser that says the request is cross-site (`Sec-Fetch-Site: cross-site`) is refused too.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from app.deps import SessionDep
from app.models import User, UserSession
from app.models.enums import TokenScope
from app.routes.form_limits import read_form
from app.services.accounts import api_tokens, browser_sessions
from app.services.accounts.last_seen import Seen
from app.services.changes.history import Actor
from app.services.errors import NotAuthenticated, PermissionDenied
from app.services.rules import clock
from app.settings import get_settings

SESSION_COOKIE = "plantrack_session"
LOGIN_CSRF_COOKIE = "plantrack_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Unsafe requests without a session that need no token: signing out of nothing changes nothing
# (and an expired session's "Sign out" button should still work).
ANONYMOUS_EXEMPT_PATHS = frozenset({"/logout"})
# Unsafe requests whose authority is a signed token in the path, not a session: a one-click
# unsubscribe (RFC 8058) is posted by the mail provider's servers, with no cookie and no CSRF
# token. The token lets its holder do one thing (stop one kind of mail for one person), so a
# forged request needs the token itself (app.services.mail.unsubscribe).
TOKEN_AUTHORISED_PREFIXES = ("/unsubscribe/",)

CSRF_REFUSED = (
    "This request was refused because it did not carry this session's security token (CSRF). "
    "Reload the page and try again."
)
LOGIN_CSRF_REFUSED = (
    "This sign-in form has expired or did not come from PlanTrack. Reload the page and try again."
)
CROSS_SITE_REFUSED = "Changes cannot be made from another site."


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=salt)


def session_cookie_value(token: str) -> str:
    """The cookie value for a session token (signed, so a tampered cookie is refused early)."""
    return _serializer("plantrack-session").dumps(token)


def _session_token_from_cookie(value: str | None) -> str | None:
    if not value:
        return None
    try:
        token = _serializer("plantrack-session").loads(value)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """HttpOnly, SameSite=Lax, Secure over https, Path=/; no Max-Age: it ends with the browser,
    and the server ends it sooner (idle time, maximum age, sign-out)."""
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie_value(token),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )


def session_token(request: Request) -> str | None:
    """The (unverified) session token the request's cookie carries."""
    return _session_token_from_cookie(request.cookies.get(SESSION_COOKIE))


# --- pre-session CSRF (sign-in forms) -----------------------------------------------------------


def login_csrf_token(request: Request) -> tuple[str, bool]:
    """The pre-session CSRF value for this browser and whether it is new.

    A new one must be sent with `set_login_csrf_cookie` on the response that shows the form.
    """
    existing = _login_csrf_from_cookie(request)
    if existing:
        return existing, False
    return secrets.token_urlsafe(32), True


def _login_csrf_from_cookie(request: Request) -> str | None:
    raw = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer("plantrack-login-csrf").loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and value else None


def set_login_csrf_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        _serializer("plantrack-login-csrf").dumps(value),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


# --- identity ----------------------------------------------------------------------------------


@dataclass
class Identity:
    user: User | None = None
    via: Literal["session", "token"] | None = None
    user_session: UserSession | None = None
    session_token: str | None = None
    # A token's scope, looked up for unsafe methods only (a read needs no write permission).
    token_may_write: bool = False

    @property
    def csrf_token(self) -> str:
        return self.user_session.csrf_token if self.user_session is not None else ""


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def resolve_identity(request: Request, session: SessionDep) -> Identity:
    """Who sent this request (sync: it reads the database in the thread pool).

    It only reads, for every method: the "last used" time of the token or session is noted on
    `request.state.seen` when due, and recorded after the request's transaction has committed,
    in a short transaction of its own that never waits (accounts.last_seen). Writing it here
    made every request of one caller queue on one row (issue 16). The user is detached from the
    request's session, so pages (error pages included, after a rollback) can always show who is
    signed in.
    """
    now = clock.clock()
    seen: Seen | None = None
    bearer = _bearer(request)
    if bearer is not None:
        found = api_tokens.active_api_token(session=session, token=bearer, now=now)
        if found is None:
            raise NotAuthenticated(
                "The API token is not valid: it is unknown, revoked, expired, or its user is "
                "deactivated."
            )
        row, user = found
        if row.id is not None and api_tokens.api_token_use_due(row, now):
            seen = Seen("token", row.id, now)
        # A token's scope matters to unsafe methods only (a read needs no write permission).
        may_write = request.method in UNSAFE_METHODS and row.scope == TokenScope.read_write
        identity = Identity(user=user, via="token", token_may_write=may_write)
    else:
        identity = Identity()
        token = session_token(request)
        if token:
            found = browser_sessions.resolve_session(
                session=session, token=token, now=now, record_activity=False
            )
            if found is not None:
                user, record = found
                if record.id is not None and browser_sessions.activity_due(record, now):
                    seen = Seen("session", record.id, now)
                identity = Identity(
                    user=user, via="session", user_session=record, session_token=token
                )
    if identity.user is not None:
        session.expunge(identity.user)
    request.state.user = identity.user
    request.state.csrf_token = identity.csrf_token
    request.state.identity = identity
    request.state.seen = seen
    return identity


IdentityDep = Annotated[Identity, Depends(resolve_identity)]


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        form = await read_form(request)  # cached on the request: the route reads the same form
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def _same(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


async def request_guard(request: Request, identity: IdentityDep) -> None:
    """The global dependency: identity on request.state, then CSRF for unsafe methods (and a
    token's scope: a read-only token is refused any write, before the route runs)."""
    if request.method not in UNSAFE_METHODS:
        return
    if request.url.path.startswith(TOKEN_AUTHORISED_PREFIXES):
        return
    if identity.via == "token":
        if not identity.token_may_write:
            raise PermissionDenied(api_tokens.READ_ONLY_REFUSED)
        return
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise PermissionDenied(CROSS_SITE_REFUSED)
    if identity.via == "session":
        if not _same(identity.csrf_token, await _submitted_csrf(request)):
            raise PermissionDenied(CSRF_REFUSED)
        return
    # No credentials. The API answers 401 in the route; a page form needs the pre-session token.
    path = request.url.path
    if path.startswith("/api/") or path in ANONYMOUS_EXEMPT_PATHS:
        return
    expected = _login_csrf_from_cookie(request)
    if expected is None or not _same(expected, await _submitted_csrf(request)):
        raise PermissionDenied(LOGIN_CSRF_REFUSED)


# --- for routes ----------------------------------------------------------------------------------


def current_user(identity: IdentityDep) -> User | None:
    return identity.user


def required_user(identity: IdentityDep) -> User:
    if identity.user is None:
        raise NotAuthenticated("Sign in, or send a personal API token (Authorization: Bearer …).")
    return identity.user


def refuse_token_credentials(identity: IdentityDep) -> None:
    """For the routes that manage credentials: a token may not make or revoke tokens (a child
    token would survive its parent's revocation)."""
    if identity.via == "token":
        raise PermissionDenied(api_tokens.TOKEN_MANAGEMENT_REFUSED)


CurrentUser = Annotated[User | None, Depends(current_user)]
RequiredUser = Annotated[User, Depends(required_user)]


def actor_for(user: User | None) -> Actor:
    """The history's actor for a request's user.

    Never a named system actor: accounts.permissions lets named actors (CLI, imports) act as
    the operator, so an anonymous request must stay `Actor(user=None)` and be refused there.
    """
    return Actor(user=user)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "TOKEN_AUTHORISED_PREFIXES",
    "CurrentUser",
    "Identity",
    "IdentityDep",
    "RequiredUser",
    "actor_for",
    "clear_session_cookie",
    "client_address",
    "current_user",
    "login_csrf_token",
    "refuse_token_credentials",
    "request_guard",
    "required_user",
    "resolve_identity",
    "session_cookie_value",
    "set_login_csrf_cookie",
    "set_session_cookie",
]
