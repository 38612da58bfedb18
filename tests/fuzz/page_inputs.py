"""What the page fuzz sends: the app's page routes with the parameters their handlers read, the
odd values to send to each, and plausible values for everything else.

Routes and their parameters come from the app itself (FastAPI's record of each handler's path,
query and form parameters, through its dependencies), so a new page or a new parameter is fuzzed
without a change here. What the app cannot say is what a plausible value is: a form whose other
fields are plausible gets past their checks to the one being fuzzed. FORMS and PATH_VALUES hold
those, and the fuzz refuses to run on a page form or path parameter they do not know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import Mount

# Valid by any schema (they are all text), and each one broke a page once or could: Unicode
# digits pass str.isdigit(), int() refuses 5,000 digits, the database refuses 2**31, date
# arithmetic overflows at the ends of the calendar, PostgreSQL cannot store NUL, parsers recurse.
ODD_VALUES: dict[str, str] = {
    "superscript two": "²",
    "Arabic-Indic three": "٣",
    "5,000 digits": "9" * 5000,
    "2**31": str(2**31),
    "minus one": "-1",
    "zero": "0",
    "float overflow": "1e309",
    "NaN": "NaN",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "year 1 at +14:00": "0001-01-01T00:00:00+14:00",
    "year 9999 at -14:00": "9999-12-31T23:59:59-14:00",
    "month of year 9999": "9999-12",
    "fullwidth date": "２０２５-０１-０１",
    "NUL": "a\x00b",
    "deep nesting": "[" * 5_000 + "]" * 5_000,
    # (httpx refuses URLs past 64 KiB; a server refuses far shorter request lines anyway)
    "very long": "x" * 20_000,
    "blank": " \t ",
}

# What a path parameter gets: a page's path names an id, a code or a slug, and each is refused
# (404 or 422) before anything else is read, so fewer kinds of text are enough.
ODD_PATH_VALUES = [
    "superscript two",
    "Arabic-Indic three",
    "5,000 digits",
    "2**31",
    "minus one",
    "zero",
    "NUL",
    "very long",
]

# A body nested far deeper than Python's stack, around a NUL (the guard parses those) and not.
DEEP_JSON = {
    "around a NUL": "[" * 100_000 + '"\\u0000"' + "]" * 100_000,
    "without a NUL": "[" * 100_000 + "]" * 100_000,
    "deep object": '{"a":' * 100_000 + "1" + "}" * 100_000,
}


@dataclass(frozen=True)
class PageRoute:
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    form_fields: tuple[str, ...]


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:  # FastAPI's _IncludedRouter
            context = getattr(route, "include_context", None)
            yield from _routes(original.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif not isinstance(route, Mount):  # static files are not pages
            continue


def _names(dependant: Dependant, kind: Callable[[Dependant], list[Any]]) -> list[str]:
    names = [param.alias for param in kind(dependant)]
    for inner in dependant.dependencies:
        names += [n for n in _names(inner, kind) if n not in names]
    return names


def page_routes(app: FastAPI, *, api: bool = False) -> list[PageRoute]:
    """Every page route; with `api`, the JSON API's routes instead (schemathesis fuzzes them
    from their schema, which cannot say that year 1 at +14:00 is out of range)."""
    out = []
    for path, route in _routes(app.router.routes):
        if path.startswith("/api/v") != api or path in ("/healthz", "/openapi.json"):
            continue
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            out.append(
                PageRoute(
                    method,
                    path,
                    tuple(_names(route.dependant, lambda d: d.path_params)),
                    tuple(_names(route.dependant, lambda d: d.query_params)),
                    tuple(_names(route.dependant, lambda d: d.body_params)),
                )
            )
    return sorted(out, key=lambda r: (r.method, r.path))


@dataclass
class World:
    """The rows the plausible values name (filled in by the test from the tiny plan)."""

    slug: str
    ids: dict[str, int]
    department_id: int
    reset_token: str = ""  # an open password reset link's (issue 13)


def path_values(world: World) -> dict[str, str]:
    """A plausible value for each path parameter name, so that the route reaches its handler."""
    return {
        "slug": world.slug,
        # The public site and the executive view: the tiny plan's organisation and the plan.
        "org_slug": "testville",
        "plan_slug": world.slug,
        "fa_code": "1",
        "strategy_code": "1.1",
        "metric_code": "FCR",
        "kind": "goals",  # the plan builder's kinds of part; part_id names a goal
        # Publishing (issue 12): a strategy's public update, approved by a coordinator.
        "subject": "strategy",
        "subject_id": str(world.ids.get("strategy_id", 1)),
        "decision": "approve",
        # Accounts (issue 13): a live reset link. Mail (issue 13): message_id (in ids) names
        # a failed message of the outbox; /unsubscribe/{token} gets the reset link's token,
        # which it must refuse (400) like any token not signed for it.
        "token": world.reset_token,
        # Update requests (issue 13): on the tiny plan's strategy 1.1.
        "url_kind": "strategy",
        "item_id": str(world.ids.get("strategy_id", 1)),
        **{name: str(value) for name, value in world.ids.items()},
    }


PATH_PARAMS = {
    "slug",
    "org_slug",
    "plan_slug",
    "fa_code",
    "strategy_code",
    "metric_code",
    "token_id",
    "user_id",
    "metric_id",
    "quick_win_id",
    "strategy_id",
    "step_id",
    "focus_area_id",
    "measurement_id",
    "kind",
    "part_id",
    "session_id",
    "action_item_id",
    "subject",
    "subject_id",
    "decision",
    "message_id",
    "token",
    "url_kind",
    "item_id",
    "request_id",
}


def forms(world: World) -> dict[str, dict[str, str]]:
    """Plausible form values for every page form, by its path: each field fuzzed in turn gets
    past the others' checks. (/login and /logout are fuzzed apart: they change who is asking.)"""
    department = str(world.department_id)
    return {
        "/account/tokens": {"name": "fuzz"},
        "/account/profile": {
            "version": "1",
            "display_name": "Fuzz",
            "email": "fuzz@example.org",
            "reminder_frequency": "before_due",
        },
        "/account/password": {
            "current_password": "not the password",
            "password": "a long enough password",
            "password_again": "a long enough password",
        },
        "/reset/{token}": {
            "password": "a long enough password",
            "password_again": "a long enough password",
        },
        "/account/tokens/{token_id}/revoke": {},
        "/admin/users": {
            "username": "newcomer",
            "display_name": "New Comer",
            "email": "newcomer@example.org",
            "role": "lead",
            "department": department,
            "password": "a long enough password",
        },
        "/admin/users/{user_id}/role": {"role": "lead", "department": department},
        "/admin/users/{user_id}/deactivate": {},
        "/admin/users/{user_id}/details": {
            "version": "1",
            "display_name": "Victim",
            "email": "victim@example.org",
        },
        "/admin/users/{user_id}/reset-link": {},
        "/admin/users/{user_id}/reactivate": {},
        "/admin/outbox/{message_id}/retry": {},
        "/unsubscribe/{token}": {},
        "/login/demo": {"username": "demo-admin", "next": "/"},
        "/my-work/metrics/{metric_id}/measurements": {
            "period": "2025-07",
            "value": "81",
            "note": "",
            "version": "1",
        },
        "/my-work/quick-wins/{quick_win_id}/progress": {
            "version": "1",
            "status": "in_progress",
            "narrative": "",
            "note": "",
        },
        "/my-work/strategies/{strategy_id}/progress": {
            "version": "1",
            "status": "in_progress",
            "progress": "50",
            "narrative": "",
            "note": "",
        },
        "/my-work/strategies/{strategy_id}/steps": {
            "title": "A step",
            "completion_measure": "",
            "owner": "",
            "due": "2025-01-01",
            "parent_id": "",
        },
        "/my-work/steps/{step_id}/done": {"version": "1", "done": "1"},
        "/plans/{slug}/scorecard/{metric_code}/measurements/{measurement_id}/void": {
            "reason": "Typed in the wrong month.",
            "version": "1",
        },
        # The grid's cells (v:CODE|YYYY-MM) are named by the plan; test_measurement_grid fuzzes
        # them.
        "/plans/{slug}/measurements/grid": {"note": "", "department": ""},
        "/plans/{slug}/measurements/upload": {"file": "metric code,period,value", "department": ""},
        # A plan's lifecycle. The new-plan and settings forms are read as a whole (level names
        # term_*, status words word_*); test_plan_lifecycle checks their refusals.
        "/plans/new": {},
        "/plans/new/upload": {"file": "plan:\n  title: A plan\n", "organization": ""},
        "/plans/{slug}/settings": {},
        "/plans/{slug}/adopt": {"version": "1", "adopted_on": ""},
        # Publishing (issue 12): a public update's draft, its approval, the public site switch.
        "/plans/{slug}/public-updates/{subject}/{subject_id}": {
            "text": "Chats are answered in Spanish.",
            "version": "",
            "submit": "1",
        },
        "/plans/{slug}/public-updates/{subject}/{subject_id}/{decision}": {
            "version": "1",
            "comment": "",
        },
        "/plans/{slug}/public-site": {"version": "1", "published": "on"},
        # Update cycles (issue 13): the organisation's settings, update requests.
        "/organizations/{org_slug}/settings": {
            "version": "1",
            "time_zone": "America/Chicago",
            "reporting_cadence": "quarterly",
            "reporting_due_day": "15",
        },
        "/update-requests/for/{url_kind}/{item_id}": {"message": "Please update the council."},
        "/update-requests/{request_id}/withdraw": {"version": "1"},
        # The plan builder: a part's fields are named by its kind (build_forms.FORMS), read from
        # the form as a whole; test_build_parts fuzzes them.
        "/plans/{slug}/build/{kind}/new": {},
        "/plans/{slug}/build/{kind}/{part_id}": {},
        "/plans/{slug}/build/{kind}/{part_id}/archive": {"version": "1"},
        "/plans/{slug}/build/{kind}/{part_id}/restore": {"version": "2"},
        "/plans/{slug}/build/{kind}/{part_id}/move": {"direction": "down"},
        "/plans/{slug}/build/{kind}/{part_id}/order": {"ids": str(world.ids["part_id"])},
        # The owners table's inputs (s12.leads, m7.frequency…) are named by the plan's rows;
        # test_owners fuzzes them.
        "/plans/{slug}/owners": {},
        # The plan builder's item pages.
        "/plans/{slug}/strategies/new": {
            "code": "9.9",
            "title": "A strategy",
            "description": "",
            "focus_area_id": "",
            "department_id": department,
            "phase_id": "",
            "term": "short",
            "priority": "",
            "leads": "A Lead",
            "planned_start": "2025-01-01",
            "planned_end": "2025-06-30",
            "update_cadence_days": "30",
            "version": "",
            "goal_ids": "",
        },
        "/strategies/{strategy_id}/edit": {
            "version": "1",
            "title": "A strategy",
            "department_id": department,
            "update_cadence_days": "30",
            "goal_ids": "",
        },
        "/strategies/{strategy_id}/archive": {"version": "1"},
        "/strategies/{strategy_id}/restore": {"version": "1"},
        "/strategies/{strategy_id}/move": {"to": "down"},
        "/strategies/{strategy_id}/steps": {
            "title": "A step",
            "due": "2025-01-01",
            "owner": "",
            "completion_measure": "",
            "parent_id": "",
        },
        "/steps/{step_id}/edit": {"version": "1", "title": "A step", "due": ""},
        "/steps/{step_id}/archive": {"version": "1"},
        "/plans/{slug}/metrics/new": {
            "code": "NEWM",
            "name": "A metric",
            "unit": "percent",
            "direction": "higher",
            "department_id": department,
            "frequency": "monthly",
            "reporting_window_days": "30",
            "tolerance": "2",
            "baseline_value": "50",
            "baseline_date": "2023-12-01",
            "bound_min": "",
            "bound_max": "",
            "target_value": "80",
            "target_comparator": "at_least",
            "target_label": "",
            "target_effective_from": "",
            "measures": "",
        },
        "/metrics/{metric_id}/edit": {
            "version": "1",
            "name": "A metric",
            "unit": "percent",
            "direction": "higher",
            "department_id": department,
            "reporting_window_days": "30",
            "measures": "",
        },
        "/metrics/{metric_id}/targets": {
            "version": "1",
            "value": "85",
            "comparator": "at_least",
            "label": "",
            "effective_from": "2026-01-01",
        },
        "/metrics/{metric_id}/archive": {"version": "1"},
        "/metrics/{metric_id}/restore": {"version": "1"},
        "/plans/{slug}/quick-wins/new": {
            "number": "77",
            "summary": "A quick win",
            "service_areas": "",
            "category": "people",
            "status": "planned",
            "department_id": department,
            "planned_start": "2025-01-01",
            "planned_end": "2025-02-28",
        },
        "/quick-wins/{quick_win_id}/edit": {
            "version": "1",
            "summary": "A quick win",
            "department_id": department,
            "planned_start": "2025-01-01",
            "planned_end": "2025-02-28",
        },
        "/sessions": {
            "organization": "testville",
            "title": "Fuzz session",
            "held_on": "2025-07-01",
            "attendees": "",
            "follows_id": "",
            "plan_ids": "",
            "department_ids": "",
            "focus_area_ids": "",
        },
        "/sessions/{session_id}/decisions": {"text": "Agreed"},
        "/sessions/{session_id}/action-items": {
            "what": "Follow up",
            "department_id": department,
            "due_on": "2025-08-01",
            "linked": "",
        },
        "/sessions/{session_id}/edit": {
            "version": "1",
            "title": "Fuzz session",
            "held_on": "2025-07-01",
            "attendees": "",
            "follows_id": "",
            "plan_ids": "",
            "department_ids": "",
            "focus_area_ids": "",
        },
        "/sessions/{session_id}/close": {"version": "1"},
        "/action-items/{action_item_id}/status": {"version": "1", "status": "done", "back": ""},
        "/quick-wins/{quick_win_id}/archive": {"version": "1"},
        "/quick-wins/{quick_win_id}/restore": {"version": "1"},
        "/plans/{slug}/quick-wins": {
            "quick_win_id": str(world.ids["quick_win_id"]),
            "version": "1",
            "status": "complete",
            "by": "",
        },
    }


SIGN_IN_FORMS = {"/login", "/logout"}
