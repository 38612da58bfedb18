"""/plans/{slug}/build: the plan builder's pages, for coordinators and administrators of the
plan's organisation (others: 403; nobody: the sign-in page).

One set of routes serves every kind of part, named by its path (statements, phases,
focus-areas, goals, personas, journeys, departments; services.views.plan_builder.PATHS):

    GET  /plans/{slug}/build                          the outline (template build/index.html)
    GET  /plans/{slug}/build/{kind}/new               a form to add one (build/form.html)
    POST /plans/{slug}/build/{kind}/new               add it
    GET  /plans/{slug}/build/{kind}/{part_id}         a form to change one
    POST /plans/{slug}/build/{kind}/{part_id}         change it (with the version it was made from)
    POST /plans/{slug}/build/{kind}/{part_id}/archive
    POST /plans/{slug}/build/{kind}/{part_id}/restore (administrators)
    POST /plans/{slug}/build/{kind}/{part_id}/move    direction=up|down among its siblings
    POST /plans/{slug}/build/{kind}/{part_id}/order   ids=every sibling in order (a drag)

A post that succeeds answers a plain form with a 303 back to the outline and a notice; htmx
gets the outline's `outline` block (archive, restore, move) or, from a form page, an
HX-Redirect to the outline. A refused form is shown again with the message beside its field
(422) or the conflict and the newer value (409), and nothing saved.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.auth import CurrentUser, RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, User
from app.models.building import Reorder
from app.routes.item_ids import ItemId
from app.routes.pages import build_forms
from app.routes.pages.form_input import Form_, form_version, item_id
from app.routes.pages.form_posts import FormPost, form_post
from app.services.accounts.permissions import require_read_plan
from app.services.changes import plan_moves, plan_parts
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import reading_zone
from app.services.views import plan_builder as builder
from app.templating import is_htmx, render

router = APIRouter(prefix="/plans/{slug}/build", include_in_schema=False)
PAGE = "build/index.html"
FORM = "build/form.html"


async def _typed(request: Request) -> dict[str, str]:
    form = await request.form()  # cached: the CSRF check read the same form
    return {k: v for k, v in form.items() if isinstance(v, str)}


Typed = Annotated[dict[str, str], Depends(_typed)]


def _plan(session: Session, user: User | None, slug: str) -> Plan:
    plan = get_plan(session=session, slug=slug)
    require_read_plan(user, plan)
    return plan


def _url(plan: Plan) -> str:
    return f"/plans/{quote(plan.slug)}/build"


def _anchor(kind: str, item: Any) -> str:
    return f"{kind}-{item.id}"


# --- the outline ---------------------------------------------------------------------------------


def _outline(
    request: Request,
    session: Session,
    user: User | None,
    plan: Plan,
    post: FormPost | None = None,
    anchor: str = "",
) -> Response:
    """The outline; after a post: a 303 back to it (plain), or its block (htmx, or refused)."""
    if post is not None and not post.refused and not is_htmx(request):
        where = f"#{anchor}" if anchor else ""
        return RedirectResponse(f"{_url(plan)}?saved={quote(post.notice)}{where}", 303)
    context = {
        "plan": plan,
        "b": builder.load_builder(session, plan, user),
        "title_of": builder.title_of,
        "notice": post.notice if post else request.query_params.get("saved", "")[:300],
        "problem": (post.conflict.message if post.conflict else post.message) if post else "",
    }
    status = post.status if post else 200
    return render(request, PAGE, context, block="outline", status_code=status)


@router.get("")
def builder_page(request: Request, session: SessionDep, user: CurrentUser, slug: str) -> Response:
    return _outline(request, session, user, _plan(session, user, slug))


# --- the forms -----------------------------------------------------------------------------------


def _form(
    request: Request,
    session: Session,
    plan: Plan,
    kind: str,
    item: Any,
    *,
    values: dict[str, str],
    post: FormPost | None = None,
) -> Response:
    """A part's form: blank or as typed (after a refusal), or the stored part's values."""
    noun = builder.noun(kind, plan)
    areas = builder.focus_areas(session, plan) if kind == "goals" else []
    personas = builder.personas(session, plan) if kind == "journeys" else []
    context = {
        "plan": plan,
        "kind": kind,
        "noun": noun,
        "item": item,
        "fields": build_forms.FORMS[kind].fields,
        "values": values,
        "errors": post.errors if post else {},
        "conflict": post.conflict if post else None,
        "focus_area_choices": [(str(a.id), f"{a.code} {a.title}") for a in areas],
        "persona_choices": [(str(p.id), p.name) for p in personas],
        "title_of": builder.title_of,
        "action": f"{_url(plan)}/{kind}/{item.id if item is not None else 'new'}",
        "reading_zone": reading_zone(session, None, plan),
    }
    status = post.status if post else 200
    return render(request, FORM, context, block="part_form", status_code=status)


def _form_answer(
    request: Request,
    session: Session,
    plan: Plan,
    kind: str,
    item: Any,
    post: FormPost,
    typed: dict[str, str],
) -> Response:
    """Saved: back to the outline (303; htmx: HX-Redirect). Refused: the form again, as typed
    (after a conflict: on the newer version, which the item now holds)."""
    if not post.refused:
        url = f"{_url(plan)}?saved={quote(post.notice)}#{_anchor(kind, item)}"
        if is_htmx(request):
            return Response(status_code=200, headers={"HX-Redirect": url})
        return RedirectResponse(url, 303)
    dropped = ("csrf_token", "version") if post.conflict else ("csrf_token",)
    kept = {k: v for k, v in typed.items() if k not in dropped}
    return _form(request, session, plan, kind, item, values=kept, post=post)


@router.get("/{kind}/new")
def new_part_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    slug: str,
    kind: str,
    focus_area_id: str = "",
    persona_id: str = "",
) -> Response:
    plan = _plan(session, user, slug)
    builder.model_of(kind)
    builder.require_build(session, user, plan)
    values = {"focus_area_id": focus_area_id, "persona_id": persona_id}
    return _form(request, session, plan, kind, None, values=values)


@router.post("/{kind}/new")
def add_part(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    kind: str,
    typed: Typed,
) -> Response:
    plan = _plan(session, user, slug)
    model = builder.model_of(kind)
    item = None
    with form_post(session) as post:
        data = build_forms.create_data(kind, typed)
        parent = builder.parent_for(session, plan, kind, item_id(typed.get("persona_id", "")))
        item = plan_parts.create_part(
            session=session, model=model, parent=parent, data=data, actor=actor_for(user)
        )
        post.notice = f"Added {builder.noun(kind, plan)} {builder.title_of(item)}."
    return _form_answer(request, session, plan, kind, item, post, typed)


@router.get("/{kind}/{part_id}")
def part_page(
    request: Request, session: SessionDep, user: CurrentUser, slug: str, kind: str, part_id: ItemId
) -> Response:
    plan = _plan(session, user, slug)
    item = builder.get_part(session, plan, kind, part_id)
    builder.require_build(session, user, plan)
    return _form(request, session, plan, kind, item, values=build_forms.shown(kind, item))


@router.post("/{kind}/{part_id}")
def change_part(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    kind: str,
    part_id: ItemId,
    typed: Typed,
) -> Response:
    plan = _plan(session, user, slug)
    item = builder.get_part(session, plan, kind, part_id)
    with form_post(session) as post:
        data = build_forms.change_data(kind, typed)
        plan_parts.update_part(session=session, item=item, data=data, actor=actor_for(user))
        post.notice = f"Saved {builder.noun(kind, plan)} {builder.title_of(item)}."
    return _form_answer(request, session, plan, kind, item, post, typed)


# --- archive, restore, move (from the outline) ---------------------------------------------------


@router.post("/{kind}/{part_id}/archive")
def archive_part(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    kind: str,
    part_id: ItemId,
    version: Form_ = "",
) -> Response:
    plan = _plan(session, user, slug)
    item = builder.get_part(session, plan, kind, part_id)
    title = builder.title_of(item)
    with form_post(session) as post:
        plan_parts.set_part_archived(
            session=session,
            item=item,
            version=form_version(version),
            archived=True,
            actor=actor_for(user),
        )
        post.notice = f"Archived {builder.noun(kind, plan)} {title}."
    return _outline(request, session, user, plan, post, "archived")


@router.post("/{kind}/{part_id}/restore")
def restore_part(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    kind: str,
    part_id: ItemId,
    version: Form_ = "",
) -> Response:
    plan = _plan(session, user, slug)
    item = builder.get_part(session, plan, kind, part_id, live=False)
    with form_post(session) as post:
        plan_parts.set_part_archived(
            session=session,
            item=item,
            version=form_version(version),
            archived=False,
            actor=actor_for(user),
        )
        post.notice = f"Restored {builder.noun(kind, plan)} {builder.title_of(item)}."
    return _outline(request, session, user, plan, post, _anchor(kind, item))


@router.post("/{kind}/{part_id}/move")
def move_part(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    kind: str,
    part_id: ItemId,
    direction: Form_ = "",
) -> Response:
    plan = _plan(session, user, slug)
    item = builder.get_part(session, plan, kind, part_id)
    with form_post(session) as post:
        plan_moves.move_part(session=session, item=item, direction=direction, actor=actor_for(user))
        post.notice = f"Moved {builder.title_of(item)} {'up' if direction == 'up' else 'down'}."
    return _outline(request, session, user, plan, post, _anchor(kind, item))


@router.post("/{kind}/{part_id}/order")
def order_parts(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    slug: str,
    kind: str,
    part_id: ItemId,
    ids: Form_ = "",
) -> Response:
    """A drag on the outline (app/static/build.js): `ids`, comma-separated, is every sibling of
    this part in the new order. Without JavaScript, Move up and Move down do the same."""
    plan = _plan(session, user, slug)
    item = builder.get_part(session, plan, kind, part_id)
    with form_post(session) as post:
        order = Reorder(ids=[i for i in ids.split(",") if i.strip()])  # type: ignore[arg-type]
        plan_moves.reorder_siblings(
            session=session, item=item, ids=order.ids, actor=actor_for(user)
        )
        post.notice = f"Put {builder.title_of(item)} and its neighbours in the new order."
    return _outline(request, session, user, plan, post, _anchor(kind, item))
