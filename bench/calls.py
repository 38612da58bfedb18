"""What the benchmark measures: each call (page, API read, write) and the headers it sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.city import City


# --- what is measured ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    key: str
    label: str
    method: str
    template: str  # path with {slug}, {id}; the query string is added by `query`
    who: str  # anonymous | coordinator | lead | token
    kind: str  # baseline | page | api | write
    query: str = ""
    write: str = ""  # progress | measurement (write calls)
    body: str = "json"  # json | form


CALLS: tuple[Call, ...] = (
    Call("healthz", "/healthz (baseline)", "GET", "/healthz", "anonymous", "baseline"),
    Call("overview", "Plan overview", "GET", "/plans/{slug}", "coordinator", "page"),
    Call("roadmap", "Roadmap", "GET", "/plans/{slug}/roadmap", "coordinator", "page"),
    Call("scorecard", "Scorecard", "GET", "/plans/{slug}/scorecard", "coordinator", "page"),
    Call(
        "quick_wins", "Quick wins board", "GET", "/plans/{slug}/quick-wins", "coordinator", "page"
    ),
    Call(
        "search", "Search", "GET", "/plans/{slug}/search", "coordinator", "page", query="q=permit"
    ),
    Call("review", "Review", "GET", "/review", "coordinator", "page"),
    Call("my_work", "My work (lead)", "GET", "/my-work", "lead", "page"),
    Call("activity", "Activity feed", "GET", "/activity", "coordinator", "page"),
    Call("tree_api", "Plan tree API", "GET", "/api/v1/plans/{slug}/tree", "token", "api"),
    Call("plans_api", "Plan list API", "GET", "/api/v1/plans", "token", "api"),
    Call(
        "measure_api",
        "Record a measurement (API, lead)",
        "POST",
        "/api/v1/metrics/{id}/measurements",
        "lead_token",
        "write",
        write="measurement",
    ),
    Call(
        "progress_api",
        "Progress update (API, coordinator)",
        "POST",
        "/api/v1/strategies/{id}/progress",
        "token",
        "write",
        write="progress",
    ),
    Call(
        "measure_page",
        "Record a measurement (my work, htmx)",
        "POST",
        "/my-work/metrics/{id}/measurements",
        "lead",
        "write",
        write="measurement",
        body="form",
    ),
    Call(
        "progress_page",
        "Progress update (my work, htmx)",
        "POST",
        "/my-work/strategies/{id}/progress",
        "lead",
        "write",
        write="progress",
        body="form",
    ),
)

# Every client says it reads gzip, as browsers and HTTP libraries do (issue 14).
ACCEPT_GZIP = {"Accept-Encoding": "gzip"}


def headers_for(city: City, who: str) -> dict[str, str]:
    if who in city.tokens:
        return {
            "Authorization": f"Bearer {city.tokens[who]}",
            "Accept": "application/json",
            **ACCEPT_GZIP,
        }
    if who in city.cookies:
        return {"Cookie": city.cookies[who], "X-CSRF-Token": city.csrf[who], **ACCEPT_GZIP}
    return dict(ACCEPT_GZIP)


def url_for(city: City, call: Call) -> str:
    path = call.template.replace("{slug}", city.slug)
    return f"{path}?{call.query}" if call.query else path
