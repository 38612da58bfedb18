"""/plans/{slug}/owners: department, leads, planned dates, phase, term and update cadence of every
strategy, and each metric's department and frequency, set for many rows at once; one save, all or
nothing (services/changes/bulk_assignments).

Inputs are named `{key}.{field}` with a hidden `{key}` holding `VERSION:SIGNATURE` of the values
shown (services/views/owners_table), so only rows whose values were changed are sent on. A save
answers 303 back to the table (htmx: the `table` block, 200). A refusal shows the table again with
the values as typed, every refused row marked and each reason beside its cell, nothing saved
(422); a row someone else saved meanwhile (409) shows their values instead, with a message. The
form may have more than Starlette's 1000 fields (app/routes/form_limits).
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, User
from app.routes.form_limits import read_form
from app.routes.pages.form_input import item_id
from app.routes.pages.form_posts import FormPost, form_post
from app.services.accounts.permissions import require_read_plan
from app.services.changes import bulk_assignments
from app.services.changes.bulk_assignments import FIELDS, Assignment, StaleAssignments
from app.services.reading.plan_tree import get_plan
from app.services.views import owners_table
from app.services.views.owners_table import KINDS, form_values, signature
from app.templating import is_htmx, render

router = APIRouter(prefix="/plans/{slug}/owners", include_in_schema=False)
TEMPLATE = "owners/index.html"


async def _fields(request: Request) -> dict[str, str]:
    form = await read_form(request)  # cached: the CSRF check read the same form
    return {k: v for k, v in form.items() if isinstance(v, str)}


OwnerFields = Annotated[dict[str, str], Depends(_fields)]


def typed_rows(fields: dict[str, str]) -> tuple[list[Assignment], list[str]]:
    """The rows whose values differ from those shown, and each one's key (`s12`, `m7`)."""
    rows: list[Assignment] = []
    keys: list[str] = []
    for key, stamp in fields.items():
        kind, number = KINDS.get(key[:1]), item_id(key[1:])
        if kind is None or number is None:
            continue
        version, _, shown = stamp.partition(":")
        texts = {n: fields[f"{key}.{n}"] for n in FIELDS[kind] if f"{key}.{n}" in fields}
        if signature(kind, texts) == shown:
            continue  # untouched: not sent on, so never written back over a newer change
        rows.append(Assignment(kind, number, item_id(version) or 0, form_values(kind, texts)))
        keys.append(key)
    return rows, keys


class Choices:
    """A select's options rendered once for the whole table (413 rows × 40 departments at city
    scale made the page mostly <option>s rendered one by one); each row marks its own value."""

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        self.html = "".join(
            f'<option value="{escape(value)}">{escape(text)}</option>' for value, text in choices
        )

    def __call__(self, selected: str) -> Markup:
        mark = f'<option value="{escape(selected)}">'
        chosen = f'<option value="{escape(selected)}" selected>'
        return Markup(self.html.replace(mark, chosen, 1))


def _choices(table: owners_table.OwnersTable) -> dict[str, Choices]:
    return {
        "department_id": Choices([("", "None")] + [(str(d.id), d.name) for d in table.departments]),
        "phase_id": Choices([("", "None")] + [(str(p.id), p.name) for p in table.phases]),
        "term": Choices([("", "None")] + [(t, t.capitalize()) for t in table.terms]),
        "frequency": Choices(
            [("", "None")] + [(f, f.replace("_", " ").capitalize()) for f in table.frequencies]
        ),
    }


def _readable_plan(session: Session, user: User | None, slug: str) -> Plan:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    return plan


def _by_input(post: FormPost, keys: list[str]) -> tuple[dict[str, str], set[str]]:
    """The service's `rows.{i}.{field}` refusals named by the inputs (`s12.planned_end`; the row
    itself, `s12`, for its id or version), and the rows refused as stale."""
    errors: dict[str, str] = {}
    for name, message in post.errors.items():
        found = re.fullmatch(r"rows\.([0-9]{1,9})\.(\w+)(?:\..*)?", name)
        if found is None or int(found.group(1)) >= len(keys):
            errors[name] = message
            continue
        key = keys[int(found.group(1))]
        field = found.group(2) if found.group(2) in FIELDS[KINDS[key[0]]] else ""
        errors.setdefault(f"{key}.{field}" if field else key, message)
    stale: set[str] = set()
    if isinstance(post.conflict, StaleAssignments):
        stale = {keys[i] for i, _, _ in post.conflict.stale if i < len(keys)}
    return errors, stale


def _answer(
    request: Request,
    session: Session,
    user: User | None,
    plan: Plan,
    post: FormPost | None = None,
    typed: dict[str, str] | None = None,
    keys: list[str] | None = None,
) -> Response:
    if post is not None and not post.refused and not is_htmx(request):
        return RedirectResponse(f"/plans/{quote(plan.slug)}/owners?saved={quote(post.notice)}", 303)
    errors, stale = _by_input(post, keys or []) if post is not None else ({}, set())
    kept = {
        k: v for k, v in (typed or {}).items() if k.split(".", 1)[0] not in stale
    } if post is not None and post.refused else {}  # fmt: skip
    table = owners_table.load_owners_table(session=session, plan=plan, user=user)
    context: dict[str, Any] = {
        "table": table,
        "choices": _choices(table),
        "plan": plan,
        "errors": errors,
        "stale": stale,
        "refused_rows": {name.split(".", 1)[0] for name in errors},
        "other_errors": {k: v for k, v in errors.items() if k.startswith("rows")},
        "conflict": post.conflict if post else None,
        "typed": kept,
        "notice": (post.notice if post else "") or request.query_params.get("saved", ""),
    }
    status = post.status if post else 200
    return render(request, TEMPLATE, context, status_code=status, block="table")


@router.get("")
def owners_page(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    plan = _readable_plan(session, user, slug)
    return _answer(request, session, user, plan)


@router.post("")
def save_owners(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, fields: OwnerFields
) -> Response:
    plan = _readable_plan(session, user, slug)
    rows, keys = typed_rows(fields)
    with form_post(session) as post:
        result = bulk_assignments.save_assignments(
            session=session, plan=plan, rows=rows, actor=actor_for(user)
        )
        post.notice = result.words()
    return _answer(request, session, user, plan, post, fields, keys)
