"""Security headers on every response: pages, fragments, API answers and errors alike."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# htmx works under this policy: no inline script, no eval; htmx's own indicator styles are
# switched off in the page (meta htmx-config includeIndicatorStyles=false), so no inline style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    b"content-security-policy": CONTENT_SECURITY_POLICY.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}
# In production, over https only: browsers then refuse plain http to this host for a year, so a
# network attacker cannot strip TLS from a later visit. Not includeSubDomains: a city's other
# sites under the same domain are not ours to commit. Over http the header means nothing (RFC
# 6797), and in development it would pin a developer's localhost to https.
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeadersMiddleware:
    """Plain ASGI (not BaseHTTPMiddleware) so it adds nothing but the headers.

    `hsts`: send Strict-Transport-Security on requests that came over https (directly, or from a
    proxy trusted by FORWARDED_ALLOW_IPS: uvicorn sets the scheme from X-Forwarded-Proto)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        over_https = self.hsts and scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in HEADERS.items() if k not in existing]
                if over_https and HSTS[0] not in existing:
                    headers.append(HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
