"""/plans/{slug}/measurements/grid: many values typed (or pasted from a spreadsheet) and saved at
once, all or nothing; an uploaded CSV or XLSX file under the same rule; the file's template.

The grid's inputs are named `v:CODE|YYYY-MM[|VERSION]` (services/views/measurement_grid). A save
answers 303 back to the grid (htmx: the `grid` block, 200); a refusal shows the grid again with
every refused cell marked (aria-invalid and its reason) and the typed values kept, 422. A metric
the person may not record refuses the whole save with 403 (the app's error page or fragment).
app/static/measurement-grid.js spreads a pasted block across the inputs; without it each value
is typed in its own cell.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, User
from app.routes.pages.form_input import Form_, item_id
from app.routes.pages.form_posts import FormPost, form_post
from app.services.accounts.permissions import require_read_plan
from app.services.changes import measurement_batches, measurement_files
from app.services.changes.measurement_batches import Cell
from app.services.errors import ValidationFailed
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import organization_today
from app.services.rules.measurement_rules import recordable_months
from app.services.views import measurement_grid
from app.templating import is_htmx, render

router = APIRouter(prefix="/plans/{slug}/measurements", include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024


async def _grid_fields(request: Request) -> dict[str, str]:
    form = await request.form()  # cached: the CSRF check read the same form
    return {k: v for k, v in form.items() if isinstance(v, str)}


GridFields = Annotated[dict[str, str], Depends(_grid_fields)]


def grid_cells(fields: dict[str, str], note: str) -> list[Cell]:
    """The grid's inputs as cells: `v:CODE|YYYY-MM` and, for a stored value, `|VERSION`."""
    cells, note = [], note.strip()
    for name, value in fields.items():
        parts = name[2:].split("|") if name.startswith("v:") else []
        if len(parts) not in (2, 3) or not value.strip():
            continue
        version = item_id(parts[2]) if len(parts) == 3 else None
        cells.append(Cell(parts[0], parts[1], value, note, version=version))
    return cells


def _readable_plan(session: Session, user: User | None, slug: str) -> Plan:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    return plan


def _answer(
    request: Request,
    session: Session,
    user: User | None,
    plan: Plan,
    department: str,
    post: FormPost | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    dept = measurement_grid.department_named(session, plan, department.strip())
    refused = post is not None and post.refused
    if post is not None and not refused and not is_htmx(request):  # the grid is read after
        query = measurement_grid.grid_query(dept)
        return RedirectResponse(f"{_url(plan)}/grid{_and(query)}saved={quote(post.notice)}", 303)
    grid = measurement_grid.load_grid(session=session, plan=plan, user=user, department=dept)
    context: dict[str, Any] = {
        "grid": grid,
        "plan": plan,
        "errors": post.errors if post else {},
        "upload": typed is not None and "file" in typed,
        "typed": typed if refused else {},
        "notice": (post.notice if post else "") or request.query_params.get("saved", ""),
    }
    status = post.status if post else 200
    return render(request, "measurements/grid.html", context, status_code=status, block="grid")


def _url(plan: Plan) -> str:
    return f"/plans/{quote(plan.slug)}/measurements"


def _and(query: str) -> str:
    return query + "&" if query else "?"


@router.get("/grid")
def grid_page(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, department: str = ""
) -> Response:
    plan = _readable_plan(session, user, slug)
    return _answer(request, session, user, plan, department)


@router.post("/grid")
def save_grid(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    fields: GridFields,
    note: Form_ = "",
    department: Form_ = "",
) -> Response:
    plan = _readable_plan(session, user, slug)
    with form_post(session) as post:
        result = measurement_batches.record_measurements(
            session=session, plan=plan, cells=grid_cells(fields, note), actor=actor_for(user)
        )
        post.notice = result.words()
    return _answer(request, session, user, plan, department, post, fields)


@router.post("/upload")
def upload(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    file: Annotated[UploadFile | None, File()] = None,
    department: Form_ = "",
) -> Response:
    plan = _readable_plan(session, user, slug)
    with form_post(session) as post:
        data = file.file.read(MAX_UPLOAD + 1) if file is not None else b""
        if not data or len(data) > MAX_UPLOAD:
            raise _file_refused(data)
        cells = measurement_files.read_file(file.filename or "", data)  # type: ignore[union-attr]
        result = measurement_batches.record_measurements(
            session=session, plan=plan, cells=cells, actor=actor_for(user)
        )
        post.notice = f"From {file.filename}: {result.words()}"  # type: ignore[union-attr]
    return _answer(request, session, user, plan, department, post, {"file": "1"})


def _file_refused(data: bytes) -> ValidationFailed:
    if not data:
        return ValidationFailed.one("file", "choose a CSV or XLSX file to upload")
    return ValidationFailed.one("file", f"the file is larger than {MAX_UPLOAD // 1024**2} MB")


def _template_period(session: Session, plan: Plan) -> tuple[list[Any], dt.date]:
    metrics = list(measurement_batches.plan_metrics(session, plan).values())
    today = organization_today(session, plan.organization_id)
    newest = today.replace(day=1)
    if metrics:
        newest = recordable_months(plan, metrics[0], today=today)[1]
    return metrics, newest


@router.get("/template.csv")
def template_csv(session: SessionDep, user: CurrentUser, slug: str) -> Response:
    plan = _readable_plan(session, user, slug)
    metrics, period = _template_period(session, plan)
    body = measurement_files.template_csv(plan, metrics, period)
    return Response(
        body.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{plan.slug}-measurements.csv"'},
    )


@router.get("/template.xlsx")
def template_xlsx(session: SessionDep, user: CurrentUser, slug: str) -> Response:
    plan = _readable_plan(session, user, slug)
    metrics, period = _template_period(session, plan)
    return Response(
        measurement_files.template_xlsx(plan, metrics, period),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{plan.slug}-measurements.xlsx"'},
    )
