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
Routes only load, call the editing services (which decide who may) and render; a refusal
comes back through form_posts.form_post().
"""

# The posts that update an item are in my_work_strategies.py, my_work_metrics.py and
# my_work_quick_wins.py; they answer through answer() here.

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser
from app.deps import SessionDep
from app.models import Metric, Plan, QuickWin, Strategy, User
from app.models.enums import Role
from app.routes.cached_pages import cached_page
from app.routes.pages.form_input import page_number
from app.routes.pages.my_work_presentation import FormState, template_context
from app.services.accounts.permissions import require_read_plan
from app.services.reading.zones import reading_zone
from app.services.sessions import reading as session_reading
from app.services.views.my_work import page as my_work
from app.services.views.my_work import whose_work
from app.templating import is_htmx, render

router = APIRouter(prefix="/my-work", include_in_schema=False)
TEMPLATE = "my_work/index.html"
ITEM_KEY = re.compile(r"^(strategy|metric|quick-win)-\d+$")


# --- answers -------------------------------------------------------------------------------------


def _department_query(user: User, department_id: int | None, session: Session) -> str:
    """A coordinator or administrator comes back to the department they were looking at."""
    if user.role == Role.lead or department_id is None:
        return ""
    dept = whose_work.owning_department(session=session, department_id=department_id)
    return f"department={quote(dept.code)}" if dept else ""


# The template block that renders each kind of item.
ITEM_BLOCKS: dict[type, str] = {Strategy: "strategy", QuickWin: "quick_win", Metric: "metric"}


def answer(
    request: Request,
    session: Session,
    user: User,
    edited: Strategy | QuickWin | Metric,
    *,
    item: Callable[[], Any],
    state: FormState,
    status: int = 200,
) -> Response:
    """htmx: the item's block. A plain post: 303 back to the item, or the page with the message."""
    key = my_work.item_key(edited)
    if is_htmx(request):
        return render(
            request,
            TEMPLATE,
            template_context(
                item=item(), states={key: state}, reading_zone=reading_zone(session, user)
            ),
            block=ITEM_BLOCKS[type(edited)],
            status_code=status,
        )
    if status < 400:
        query = "&".join(
            q for q in (f"saved={key}", _department_query(user, edited.department_id, session)) if q
        )
        return RedirectResponse(f"/my-work?{query}#{key}", status_code=303)
    dept = whose_work.owning_department(session=session, department_id=edited.department_id)
    if dept is None:  # an item of no department is not on this page: say so plainly
        return render(
            request,
            "error.html",
            {"title": "Please check the form", "message": "; ".join(state.errors.values())},
            status_code=status,
        )
    return _page(request, session, user, dept, states={key: state}, status_code=status, focus=key)


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
        whose_work.choosable_departments(session=session, user=user)
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

    context = template_context(
        reading_zone=reading_zone(session, user),
        work=work,
        department=department,
        choices=choices,
        states=states or {},
        page_url=page_url,
        # The pager asked for the next page to append it: count from the first page on screen.
        appended=request.headers.get("HX-Target") == "my-work-more",
        # Action items of performance sessions the department still owes (issue 11).
        action_items=session_reading.department_action_items(session, [department.id]),
    )
    return render(request, TEMPLATE, context, block="content", status_code=status_code)


# --- the item a post names -----------------------------------------------------------------------


def plan_of(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    assert plan is not None
    return plan


def readable_item(session: Session, user: User | None, plan_id: int) -> None:
    """An item of a plan the user may not read is not found (404, as in the API), so a refusal
    never tells an outsider that an unpublished plan's item exists."""
    require_read_plan(user, plan_of(session, plan_id))


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
    item: str = "",
) -> Response:
    if user is None:
        # A reminder's link (?item=strategy-12) leads back to its item after signing in.
        wanted = "/my-work" + (f"?item={item}#{item}" if ITEM_KEY.match(item) else "")
        return RedirectResponse("/login?next=" + quote(wanted), status_code=303)
    dept = whose_work.resolve_department(
        session=session,
        user=user,
        code=department.strip() or None,
        organization=organization or None,
    )
    if dept is None:  # a coordinator or administrator who has not chosen a department yet
        context = template_context(
            reading_zone=reading_zone(session, user),
            work=None,
            department=None,
            choices=whose_work.choosable_departments(session=session, user=user),
        )
        return render(request, TEMPLATE, context, block="content")
    states = {saved: FormState(notice="Saved.")} if ITEM_KEY.match(saved) else {}
    # Back from a plain post: the page that holds the saved item, unless a page is asked for;
    # likewise the item a reminder links to (?item=strategy-12).
    focus = saved if states and not page else ""
    if not focus and not page and ITEM_KEY.match(item):
        focus = item

    def made() -> Response:
        return _page(
            request, session, user, dept, states=states, page=page_number(page), focus=focus
        )

    # Kept per person (the key holds the reader), unless it shows the one-time "Saved." or
    # lists departments of more than the one organisation whose stamp it is kept under.
    if states or user.organization_id != dept.organization_id:
        return made()
    return cached_page(
        request, session, user, organization_id=dept.organization_id, internal=True, render=made
    )
