"""Who may keep an answer: never a copy of a signed-in person's, nor one that crosses people.

After a save on My work, the browser's back button showed the form as it was first loaded (the
browser keeps history pages in its cache, however stale), and saving it again clashed with the
person's own save (409). So:

- an answer to a signed-in person (session or API token), page or API, is `no-store`: the
  browser asks again on back, and no cache holds private data;
- an anonymous successful GET of a public page or API answer may be kept, but is checked again
  before each use (`public, max-age=0, must-revalidate`);
- any other anonymous answer (errors, redirects, answers that set a cookie such as the sign-in
  form's CSRF cookie) is `no-store`;
- a route that chose its own Cache-Control keeps it (the plan tree's ETag: `private, no-cache`);
- every answer says `Vary: Cookie, Authorization`, as they all depend on who asks: a cache never
  gives one visibility class's copy to another (QUALITY row 19);
- except an answer whose route said `Cache-Control: public, …` itself (the public site's pages
  and open data): the route vouches that it is the same for every reader, so a shared cache keeps
  one copy for everyone instead of one per cookie.

Static files (/static/) are the same for everyone and keep StaticFiles' own validators.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = b"no-store"
PUBLIC = b"public, max-age=0, must-revalidate"
VARY = b"Cookie, Authorization"
STATIC_PREFIX = "/static/"


def _merged_vary(existing: bytes | None) -> bytes:
    if not existing:
        return VARY
    names = [n.strip() for n in existing.split(b",") if n.strip()]
    known = {n.lower() for n in names}
    names += [n for n in (b"Cookie", b"Authorization") if n.lower() not in known]
    return b", ".join(names)


def cache_policy(*, signed_in: bool, method: str, status: int, sets_cookie: bool) -> bytes:
    if signed_in:
        return NO_STORE
    if method in ("GET", "HEAD") and status == 200 and not sets_cookie:
        return PUBLIC
    return NO_STORE


class CacheControlMiddleware:
    """Plain ASGI: it reads who asked (request.state.user, set by app.auth) when the answer
    starts, and adds the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        # The same dict the routes' request.state writes to (Starlette keeps it in the scope).
        state = scope.setdefault("state", {})

        async def send_with_cache_control(message: Message) -> None:
            if message["type"] == "http.response.start":
                original = list(message.get("headers", []))
                headers = [(k, v) for k, v in original if k.lower() != b"vary"]
                vary = next((v for k, v in original if k.lower() == b"vary"), None)
                names = {k.lower() for k, _ in headers}
                chosen = next((v for k, v in headers if k.lower() == b"cache-control"), None)
                if chosen is None:
                    policy = cache_policy(
                        signed_in=state.get("user") is not None,
                        method=scope.get("method", "GET"),
                        status=message["status"],
                        sets_cookie=b"set-cookie" in names,
                    )
                    headers.append((b"cache-control", policy))
                if chosen is not None and chosen.lstrip().lower().startswith(b"public"):
                    if vary:
                        headers.append((b"vary", vary))
                else:
                    headers.append((b"vary", _merged_vary(vary)))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cache_control)
