"""/my-work: a department's own work across its organisation's plans, updated inline.

One template, app/templates/my_work/index.html, holds the page and a block per item (strategy,
metric, quick_win). Every form posts to a route here with both `action=` and `hx-post=`:
- htmx gets the item's block back, with the new values and a confirmation; a validation error
  (422) or a stale edit (409) comes back as the same block with the message beside the field,
  the typed values kept and, for a conflict, the newer value and who saved it;
- a plain post gets a 303 back to /my-work#item (the page that holds the item), or that page
  with the message in place.
The page shows a page of items at a time (`?page=N`): plain previous / next links, and with htmx
the next page appended in place from the same route's fragment, on click or scroll.
Routes only load, check permission, call the editing services and render.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import pydantic as pd
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, actor_for
from app.deps import SessionDep
from app.models import Metric, Plan, QuickWin, Strategy, User
from app.models.enums import Comparator, Role
from app.models.metric import MeasurementIn
from app.models.quick_win import QuickWinProgressIn
from app.models.strategy import ProgressUpdateIn, StepCreate
from app.routes.item_ids import ItemId
from app.services import metrics, my_work, quick_wins, strategies
from app.services.errors import Conflict, ValidationFailed
from app.services.permissions import Action, require, require_read_plan
from app.services.rollup import LABELS, format_value
from app.templating import is_htmx, render

router = APIRouter(prefix="/my-work", include_in_schema=False)
TEMPLATE = "my_work/index.html"
ITEM_KEY = re.compile(r"^(strategy|metric|quick-win)-\d+$")
COMPARATOR_WORDS = {
    Comparator.at_least: "at least",
    Comparator.at_most: "at most",
    Comparator.exactly: "exactly",
    Comparator.above: "above",
    Comparator.below: "below",
}
FIELD_NAMES = {
    "status": "Status",
    "progress": "Progress",
    "narrative": "Narrative",
    "note": "Note",
    "done_on": "Step",
    "period": "Period",
    "value": "Value",
}

Form_ = Annotated[str, Form()]


@dataclass
class FormState:
    """What one form of an item's block shows after a post: typed values, errors, a conflict."""

    form: str = ""  # which form of the block: "progress", "step", "sub-<id>", "done-<id>"…
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    conflict: Conflict | None = None
    notice: str = ""
    # A measurement for a period that already has one (not a stale correction).
    existing: bool = False


BLANK = FormState()


# --- presentation helpers (passed to the template) -----------------------------------------------


def when(value: str | dt.datetime | None) -> str:
    """A saved-at time as people read it: "2025-06-01 14:03 UTC"."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def describe(name: str, value: Any, unit: str | None = None) -> str:
    """A field's value in a conflict message, as the page shows it elsewhere."""
    if name == "status":
        return LABELS.get(value) or my_work.QUICK_WIN_LABELS.get(value, str(value))
    if name == "progress":
        return f"{value}%"
    if name == "done_on":
        return f"done on {value}" if value else "not done"
    if name == "value" and isinstance(value, int | float):
        return format_value(value, unit)
    if name == "period" and value:
        return month_label(dt.date.fromisoformat(str(value)))
    return str(value) if value not in (None, "") else "(empty)"


def month_label(day: dt.date) -> str:
    return day.strftime("%B %Y")


def plain(number: float | None) -> str:
    """A stored value as an input's value: no thousands separators, no float noise."""
    if number is None:
        return ""
    return f"{number:.6f}".rstrip("0").rstrip(".")


@dataclass
class Correction:
    """The stored value a correction form replaces: its period and the version it is based on."""

    period: dt.date
    version: str
    value: float | None = None
    note: str = ""


def correction_target(state: FormState, latest: Any) -> Correction | None:
    """Which value the "correct" form offers: the one a conflict named, the one the user was
    correcting (on the version their form had, so a stale correction is still caught), or the
    latest value."""
    if state.conflict is not None:
        cur = state.conflict.current
        try:
            period = dt.date.fromisoformat(str(cur.get("period")))
        except ValueError:
            return None
        return Correction(
            period, str(cur.get("version", "")), cur.get("value"), cur.get("note") or ""
        )
    if state.form == "correct" and state.values.get("version"):
        try:
            period = dt.date.fromisoformat(state.values.get("period", ""))
        except ValueError:
            period = None
        if period is not None:
            same = latest is not None and latest.period == period
            return Correction(
                period,
                state.values["version"],
                latest.value if same else None,
                latest.note if same else "",
            )
    if latest is None:
        return None
    return Correction(latest.period, str(latest.version), latest.value, latest.note)


def target_text(target: Any, unit: str) -> str:
    if target is None:
        return ""
    if target.label:
        return str(target.label)
    words = COMPARATOR_WORDS.get(target.comparator, str(target.comparator).replace("_", " "))
    return f"{words} {format_value(target.value, unit)}"


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "strategy_statuses": my_work.STRATEGY_STATUSES,
        "quick_win_statuses": my_work.QUICK_WIN_STATUSES,
        "quick_win_labels": my_work.QUICK_WIN_LABELS,
        "fmt": format_value,
        "when": when,
        "describe": describe,
        "month_label": month_label,
        "target_text": target_text,
        "plain": plain,
        "correction_target": correction_target,
        "field_names": FIELD_NAMES,
        "blank": BLANK,
        "states": {},
        "this_month": dt.date.today().strftime("%Y-%m"),
        **extra,
    }


# --- form input ----------------------------------------------------------------------------------


def _message(err: Any) -> str:
    """pydantic's error, in the words of a form."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "This is required."
    if kind == "string_too_long":
        return f"At most {ctx.get('max_length')} characters."
    if kind in ("less_than_equal", "less_than"):
        return f"Must be {ctx.get('le', ctx.get('lt'))} or less."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Must be {ctx.get('ge', ctx.get('gt'))} or more."
    if kind.startswith("int_"):
        return "Enter a whole number."
    if kind.startswith("float_") or kind == "finite_number":
        return "Enter a number."
    if kind.startswith("date_"):
        return "Enter a date as YYYY-MM-DD."
    if kind == "enum":
        return "Choose one of the listed values."
    return str(err.get("msg", "Not valid."))


def pydantic_errors(exc: pd.ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc") or ("form",)
        out.setdefault(str(loc[0]), _message(err))
    if "version" in out:  # a hidden field: the user cannot fix it, only reload
        out["form"] = "This form is missing the version it was made from; reload the page."
    return out


def service_errors(exc: ValidationFailed) -> dict[str, str]:
    out: dict[str, str] = {}
    for problem in exc.problems:
        out.setdefault(problem.field, problem.message[:1].upper() + problem.message[1:] + ".")
    return out


def _blank_to_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def parse_period(text: str) -> str | dt.date:
    """A month input sends "2025-06" (the period's first day); a date input "2025-06-15".
    Anything else goes to the schema as typed, which names the problem."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        try:
            return dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            return text
    return text


# --- answers -------------------------------------------------------------------------------------


def _department_query(user: User, department_id: int | None, session: Session) -> str:
    """A coordinator or administrator comes back to the department they were looking at."""
    if user.role == Role.lead or department_id is None:
        return ""
    dept = my_work.owning_department(session=session, department_id=department_id)
    return f"department={quote(dept.code)}" if dept else ""


def _answer(
    request: Request,
    session: Session,
    user: User,
    *,
    block: str,
    key: str,
    department_id: int | None,
    item: Callable[[], Any],
    state: FormState,
    status: int = 200,
) -> Response:
    """htmx: the item's block. A plain post: 303 back to the item, or the page with the message."""
    if is_htmx(request):
        return render(
            request,
            TEMPLATE,
            _context(item=item(), states={key: state}),
            block=block,
            status_code=status,
        )
    if status < 400:
        query = "&".join(
            q for q in (f"saved={key}", _department_query(user, department_id, session)) if q
        )
        return RedirectResponse(f"/my-work?{query}#{key}", status_code=303)
    dept = my_work.owning_department(session=session, department_id=department_id)
    if dept is None:  # an item of no department is not on this page: say so plainly
        return render(
            request,
            "error.html",
            {"title": "Please check the form", "message": "; ".join(state.errors.values())},
            status_code=status,
        )
    return _page(request, session, user, dept, states={key: state}, status_code=status, focus=key)


def _failed(session: Session) -> None:
    """Nothing half-saved: drop whatever the refused change may have started."""
    session.rollback()


def page_number(text: str) -> int:
    """`?page=` as asked; anything but a positive whole number is the first page."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < len(text) < 7 and int(text) > 0 else 1


def _page(
    request: Request,
    session: Session,
    user: User,
    department: Any,
    *,
    states: dict[str, FormState] | None = None,
    status_code: int = 200,
    page: int = 1,
    focus: str = "",
) -> Response:
    """The page of `department`'s work that holds item `focus` if it has it, else page `page`."""
    work = my_work.load_department_work(
        session=session, department=department, user=user, page=page, focus=focus
    )
    choices = (
        my_work.choosable_departments(session=session, user=user)
        if user.role in (Role.coordinator, Role.admin)
        else []
    )
    # Another page of the same department: a coordinator's choice (and organisation) kept.
    kept = [] if user.role == Role.lead else [("department", department.code)]
    organization = request.query_params.get("organization", "")
    if organization and user.role != Role.lead:
        kept.append(("organization", organization))

    def page_url(number: int) -> str:
        query = urlencode([*kept, ("page", str(number))] if number > 1 else kept)
        return f"/my-work?{query}" if query else "/my-work"

    context = _context(
        work=work,
        department=department,
        choices=choices,
        states=states or {},
        page_url=page_url,
        # The pager asked for the next page to append it: count from the first page on screen.
        appended=request.headers.get("HX-Target") == "my-work-more",
    )
    return render(request, TEMPLATE, context, block="content", status_code=status_code)


# --- the page ------------------------------------------------------------------------------------


@router.get("")
def my_work_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    department: str = "",
    organization: str = "",
    saved: str = "",
    page: str = "",
) -> Response:
    if user is None:
        return RedirectResponse("/login?next=" + quote("/my-work"), status_code=303)
    dept = my_work.resolve_department(
        session=session,
        user=user,
        code=department.strip() or None,
        organization=organization or None,
    )
    if dept is None:  # a coordinator or administrator who has not chosen a department yet
        context = _context(
            work=None,
            department=None,
            choices=my_work.choosable_departments(session=session, user=user),
        )
        return render(request, TEMPLATE, context, block="content")
    states = {saved: FormState(notice="Saved.")} if ITEM_KEY.match(saved) else {}
    # Back from a plain post: the page that holds the saved item, unless a page is asked for.
    focus = saved if states and not page else ""
    return _page(request, session, user, dept, states=states, page=page_number(page), focus=focus)


# --- strategies and their workplan steps ---------------------------------------------------------


def _strategy_kind(plan: Plan) -> str:
    return plan.term("strategy").lower()


def _plan_of(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    assert plan is not None
    return plan


def _readable_item(session: Session, user: User | None, plan_id: int) -> None:
    """An item of a plan the user may not read is not found (404, as in the API), so a refusal
    never tells an outsider that an unpublished plan's item exists."""
    require_read_plan(user, _plan_of(session, plan_id))


def _strategy_answer(
    request: Request,
    session: Session,
    user: User,
    strategy: Strategy,
    state: FormState,
    status: int = 200,
) -> Response:
    return _answer(
        request,
        session,
        user,
        block="strategy",
        key=f"strategy-{strategy.id}",
        department_id=strategy.department_id,
        state=state,
        status=status,
        item=lambda: my_work.load_strategy_work(session=session, strategy=strategy, user=user),
    )


@router.post("/strategies/{strategy_id}/progress")
def strategy_progress(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    strategy_id: ItemId,
    version: Form_ = "",
    status: Form_ = "",
    progress: Annotated[str | None, Form()] = None,
    narrative: Form_ = "",
    note: Form_ = "",
) -> Response:
    strategy = strategies.get_strategy(session=session, strategy_id=strategy_id)
    _readable_item(session, user, strategy.plan_id)
    actor = actor_for(user)
    require(
        session,
        actor,
        Action.progress,
        strategy,
        kind=_strategy_kind(_plan_of(session, strategy.plan_id)),
    )
    assert user is not None  # require() refuses anonymous requests
    typed = {"status": status, "narrative": narrative, "note": note, "version": version}
    if progress is not None:
        typed["progress"] = progress
    form = "progress"
    try:
        data = ProgressUpdateIn(
            version=version,
            status=_blank_to_none(status),
            progress=_blank_to_none(progress),  # type: ignore[arg-type]
            narrative=narrative,
            note=note,
        )
        strategies.record_strategy_progress(
            session=session, strategy=strategy, data=data, actor=actor
        )
    except pd.ValidationError as exc:
        _failed(session)
        state = FormState(form, typed, pydantic_errors(exc))
        return _strategy_answer(request, session, user, strategy, state, 422)
    except ValidationFailed as exc:
        _failed(session)
        state = FormState(form, typed, service_errors(exc))
        return _strategy_answer(request, session, user, strategy, state, 422)
    except Conflict as exc:
        _failed(session)
        typed.pop("version")  # the form is offered again on the newer version
        return _strategy_answer(
            request, session, user, strategy, FormState(form, typed, conflict=exc), 409
        )
    return _strategy_answer(
        request, session, user, strategy, FormState(form, notice="Progress update saved.")
    )


@router.post("/strategies/{strategy_id}/steps")
def add_step(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    strategy_id: ItemId,
    title: Form_ = "",
    completion_measure: Form_ = "",
    owner: Form_ = "",
    due: Form_ = "",
    parent_id: Form_ = "",
) -> Response:
    strategy = strategies.get_strategy(session=session, strategy_id=strategy_id)
    _readable_item(session, user, strategy.plan_id)
    plan = _plan_of(session, strategy.plan_id)
    actor = actor_for(user)
    require(session, actor, Action.edit, strategy, kind=_strategy_kind(plan))
    assert user is not None
    typed = {"title": title, "completion_measure": completion_measure, "owner": owner, "due": due}
    form = f"sub-{parent_id}" if parent_id else "step"
    try:
        data = StepCreate(
            title=title.strip(),
            completion_measure=completion_measure.strip(),
            owner=owner.strip(),
            due=_blank_to_none(due),
            parent_id=_blank_to_none(parent_id),  # type: ignore[arg-type]
        )
        step = strategies.add_step(session=session, strategy=strategy, data=data, actor=actor)
    except pd.ValidationError as exc:
        _failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, typed, pydantic_errors(exc)), 422
        )
    except ValidationFailed as exc:
        _failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, typed, service_errors(exc)), 422
        )
    noun = plan.term("step")
    return _strategy_answer(
        request, session, user, strategy, FormState(form, notice=f"{noun} “{step.title}” added.")
    )


@router.post("/steps/{step_id}/done")
def step_done(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    step_id: ItemId,
    version: Form_ = "",
    done: Form_ = "1",
) -> Response:
    step = strategies.get_step(session=session, step_id=step_id)
    strategy = strategies.get_strategy(session=session, strategy_id=step.strategy_id)
    _readable_item(session, user, strategy.plan_id)
    plan = _plan_of(session, strategy.plan_id)
    actor = actor_for(user)
    require(session, actor, Action.edit, step, kind=plan.term("step").lower())
    assert user is not None
    form = f"done-{step.id}"
    ticked = done not in ("0", "false", "")
    try:
        expected = pd.TypeAdapter(int).validate_python(version)
        strategies.set_step_done(
            session=session, step=step, version=expected, done=ticked, actor=actor
        )
    except pd.ValidationError:
        _failed(session)
        errors = {"form": "This form is missing the version it was made from; reload the page."}
        return _strategy_answer(
            request, session, user, strategy, FormState(form, errors=errors), 422
        )
    except ValidationFailed as exc:
        _failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, errors=service_errors(exc)), 422
        )
    except Conflict as exc:
        _failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, conflict=exc), 409
        )
    said = "marked done" if ticked else "marked not done"
    return _strategy_answer(
        request, session, user, strategy, FormState(form, notice=f"“{step.title}” {said}.")
    )


# --- metrics -------------------------------------------------------------------------------------


def _metric_answer(
    request: Request,
    session: Session,
    user: User,
    metric: Metric,
    state: FormState,
    status: int = 200,
) -> Response:
    return _answer(
        request,
        session,
        user,
        block="metric",
        key=f"metric-{metric.id}",
        department_id=metric.department_id,
        state=state,
        status=status,
        item=lambda: my_work.load_metric_work(session=session, metric=metric, user=user),
    )


@router.post("/metrics/{metric_id}/measurements")
def record_measurement(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    metric_id: ItemId,
    period: Form_ = "",
    value: Form_ = "",
    note: Form_ = "",
    version: Form_ = "",
) -> Response:
    metric = metrics.get_metric(session=session, metric_id=metric_id)
    _readable_item(session, user, metric.plan_id)
    actor = actor_for(user)
    require(session, actor, Action.record_measurement, metric, kind=metrics.KIND)
    assert user is not None
    typed = {"period": period, "value": value, "note": note}
    # A correction names the version of the value it corrects; a new value names none.
    form = "correct" if version else "measurement"
    try:
        data = MeasurementIn(
            period=parse_period(period),
            value=value.replace(",", "").strip() or None,  # type: ignore[arg-type]
            note=note,
            version=_blank_to_none(version),  # type: ignore[arg-type]
        )
        saved = metrics.record_measurement(session=session, metric=metric, data=data, actor=actor)
    except pd.ValidationError as exc:
        _failed(session)
        return _metric_answer(
            request,
            session,
            user,
            metric,
            FormState(form, {**typed, "version": version}, pydantic_errors(exc)),
            422,
        )
    except ValidationFailed as exc:
        _failed(session)
        return _metric_answer(
            request,
            session,
            user,
            metric,
            FormState(form, {**typed, "version": version}, service_errors(exc)),
            422,
        )
    except Conflict as exc:
        _failed(session)
        # Offered as a correction of the value now stored for that period, on its version.
        state = FormState("correct", typed, conflict=exc, existing=not version)
        return _metric_answer(request, session, user, metric, state, 409)
    notice = f"{format_value(saved.value, metric.unit)} recorded for {month_label(saved.period)}."
    return _metric_answer(request, session, user, metric, FormState(form, notice=notice))


# --- quick wins ----------------------------------------------------------------------------------


def _quick_win_answer(
    request: Request,
    session: Session,
    user: User,
    quick_win: QuickWin,
    state: FormState,
    status: int = 200,
) -> Response:
    return _answer(
        request,
        session,
        user,
        block="quick_win",
        key=f"quick-win-{quick_win.id}",
        department_id=quick_win.department_id,
        state=state,
        status=status,
        item=lambda: my_work.load_quick_win_work(session=session, quick_win=quick_win, user=user),
    )


@router.post("/quick-wins/{quick_win_id}/progress")
def quick_win_progress(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    quick_win_id: ItemId,
    version: Form_ = "",
    status: Form_ = "",
    narrative: Form_ = "",
    note: Form_ = "",
) -> Response:
    quick_win = quick_wins.get_quick_win(session=session, quick_win_id=quick_win_id)
    _readable_item(session, user, quick_win.plan_id)
    actor = actor_for(user)
    require(session, actor, Action.progress, quick_win, kind=quick_wins.KIND)
    assert user is not None
    typed = {"status": status, "narrative": narrative, "note": note, "version": version}
    form = "progress"
    try:
        data = QuickWinProgressIn(
            version=version,
            status=_blank_to_none(status),
            narrative=narrative,
            note=note,  # type: ignore[arg-type]
        )
        quick_wins.record_quick_win_progress(
            session=session, quick_win=quick_win, data=data, actor=actor
        )
    except pd.ValidationError as exc:
        _failed(session)
        return _quick_win_answer(
            request, session, user, quick_win, FormState(form, typed, pydantic_errors(exc)), 422
        )
    except ValidationFailed as exc:
        _failed(session)
        return _quick_win_answer(
            request, session, user, quick_win, FormState(form, typed, service_errors(exc)), 422
        )
    except Conflict as exc:
        _failed(session)
        typed.pop("version")
        return _quick_win_answer(
            request, session, user, quick_win, FormState(form, typed, conflict=exc), 409
        )
    return _quick_win_answer(
        request, session, user, quick_win, FormState(form, notice="Quick win update saved.")
    )
