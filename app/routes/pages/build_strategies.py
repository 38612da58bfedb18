"""The plan builder's strategy pages: a new strategy, its edit page (details, moving it to another
focus area, its place among its focus area's strategies, its workplan steps and sub-steps),
archive and restore.

- GET/POST /plans/{slug}/strategies/new (`?focus_area_id=` preselects the focus area);
- GET/POST /strategies/{id}/edit; POST /strategies/{id}/archive, /restore, /move;
- POST /strategies/{id}/steps (a step, or a sub-step with `parent_id`); POST /steps/{id}/edit,
  /steps/{id}/archive.

Every form posts to its own URL with both `action=` and `hx-post=`; htmx gets the `editor`
block back, swapped in as the inner HTML of #editor.
The schemas (StrategyCreate, StrategyUpdate, StepCreate, StepUpdate) and the services hold every
rule; build_item_forms turns their answer into the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Plan, Strategy, User
from app.models.strategy import StepCreate, StepUpdate, StrategyCreate, StrategyUpdate
from app.routes.item_ids import ItemId
from app.routes.pages.build_item_forms import (
    changed_only,
    lines,
    number,
    state_after,
)
from app.routes.pages.build_item_pages import ItemPages
from app.routes.pages.form_input import Form_, blank_to_none, form_version, item_id
from app.routes.pages.form_posts import form_post
from app.services.changes import strategies, strategy_order
from app.services.changes.history import Actor
from app.services.views import build_items
from app.services.views.build_items import Choices

router = APIRouter(include_in_schema=False)


@dataclass
class StrategyForm:
    """The strategy form as typed (shown again when refused) and read for the schemas."""

    typed: dict[str, Any]

    def values(self) -> dict[str, Any]:
        t = self.typed
        return {
            "title": t["title"].strip(),
            "description": t["description"].strip(),
            **{k: blank_to_none(t[k]) for k in ("focus_area_id", "department_id", "phase_id")},
            "term": blank_to_none(t["term"]),
            "priority": number(t["priority"]),
            "leads": lines(t["leads"]),
            "planned_start": blank_to_none(t["planned_start"]),
            "planned_end": blank_to_none(t["planned_end"]),
            "update_cadence_days": number(t["update_cadence_days"]),
        }

    def goals(self) -> list[str] | None:
        """The goals ticked; None when the form had no goal list (the plan has no goals)."""
        sent = self.typed["goal_ids"]
        return None if sent is None else [g for g in sent if g]

    def create(self) -> StrategyCreate:
        given = {k: v for k, v in self.values().items() if v is not None}
        goals = self.goals() or []
        return StrategyCreate(code=self.typed["code"].strip(), goal_ids=goals, **given)

    def update(self, strategy: Strategy, goal_ids: list[int]) -> StrategyUpdate:
        """The change; `goal_ids`: the goals it supports now, so an unchanged list is left out."""
        goals = self.goals()
        sent = {} if goals is None else {"goal_ids": goals}
        full = StrategyUpdate(version=form_version(self.typed["version"]), **self.values(), **sent)

        def current(item: Strategy, name: str) -> Any:
            return goal_ids if name == "goal_ids" else getattr(item, name)

        return changed_only(StrategyUpdate, full, strategy, current)


def strategy_form(
    code: Form_ = "",
    title: Form_ = "",
    description: Form_ = "",
    focus_area_id: Form_ = "",
    department_id: Form_ = "",
    phase_id: Form_ = "",
    term: Form_ = "",
    priority: Form_ = "",
    leads: Form_ = "",
    planned_start: Form_ = "",
    planned_end: Form_ = "",
    update_cadence_days: Form_ = "30",
    version: Form_ = "",
    goal_ids: Annotated[list[str] | None, Form()] = None,
) -> StrategyForm:
    return StrategyForm(dict(locals()))


StrategyFormDep = Annotated[StrategyForm, Depends(strategy_form)]


def _kind(plan: Plan) -> str:
    return plan.term("strategy").lower()


def _context(
    session: Session, user: User, plan: Plan, strategy: Strategy | None, found: Choices
) -> dict[str, Any]:
    edit = strategy and build_items.strategy_edit(session=session, strategy=strategy, user=user)
    return {"edit": edit, "choices": found, "options": build_items.options_of(found)}


def _archive(session: Session, item: Strategy, version: int, archived: bool, actor: Actor) -> None:
    strategies.set_archived(
        session=session, item=item, version=version, archived=archived, actor=actor
    )


PAGES = ItemPages(
    model=Strategy,
    path="/strategies",
    load=lambda session, item_id: strategies.get_strategy(
        session=session, strategy_id=item_id, include_archived=True
    ),
    kind=_kind,
    template="build/items/strategy.html",
    context=_context,
    creates=strategies.create_strategy,
    archive=_archive,
)


def _new_typed(user: User, focus_area_id: str) -> dict[str, str]:
    area = item_id(focus_area_id)
    return {
        "focus_area_id": str(area) if area else "",
        "update_cadence_days": "30",
        "department_id": str(user.department_id or ""),
    }


@router.get("/plans/{slug}/strategies/new")
def new_strategy_page(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, focus_area_id: str = ""
) -> Response:
    typed = _new_typed(user, focus_area_id)
    return PAGES.new_page(request, session, user, slug, lambda _plan: typed)


@router.post("/plans/{slug}/strategies/new")
def create_strategy(
    request: Request, session: SessionDep, user: RequiredUser, slug: str, form: StrategyFormDep
) -> Response:
    return PAGES.create(request, session, user, slug, form)


@router.get("/strategies/{strategy_id}/edit")
def edit_strategy_page(
    request: Request, session: SessionDep, user: RequiredUser, strategy_id: ItemId, saved: str = ""
) -> Response:
    return PAGES.edit_page_after(request, session, user, strategy_id, saved)


@router.post("/strategies/{strategy_id}/edit")
def update_strategy(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    strategy_id: ItemId,
    form: StrategyFormDep,
) -> Response:
    def save(strategy: Strategy) -> str:
        data = form.update(strategy, strategies.goal_ids_of(session, strategy))
        strategies.update_strategy(
            session=session, strategy=strategy, data=data, actor=actor_for(user)
        )
        moved = "focus_area_id" in data.model_fields_set
        return "Saved." + (" Moved to its new focus area." if moved else "")

    return PAGES.change(request, session, user, strategy_id, form.typed, save)


@router.post("/strategies/{strategy_id}/archive")
@router.post("/strategies/{strategy_id}/restore")
def archive_strategy(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    strategy_id: ItemId,
    version: Form_ = "",
) -> Response:
    return PAGES.archive_or_restore(request, session, user, strategy_id, version)


@router.post("/strategies/{strategy_id}/move")
def move_strategy(
    request: Request, session: SessionDep, user: RequiredUser, strategy_id: ItemId, to: Form_ = ""
) -> Response:
    plan, strategy = PAGES.editable(session, user, strategy_id)
    with form_post(session) as post:
        strategy_order.move_strategy(
            session=session, strategy=strategy, to=to, actor=actor_for(user)
        )
        post.notice = "Moved up." if to == "up" else "Moved down."
    state = state_after(post, "order", {})
    return PAGES.answer(request, session, user, plan, strategy, state, post.status, "moved")


@router.post("/strategies/{strategy_id}/steps")
def add_step(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    strategy_id: ItemId,
    title: Form_ = "",
    due: Form_ = "",
    owner: Form_ = "",
    completion_measure: Form_ = "",
    parent_id: Form_ = "",
) -> Response:
    plan, strategy = PAGES.editable(session, user, strategy_id)
    typed = {"title": title, "due": due, "owner": owner, "completion_measure": completion_measure}
    with form_post(session) as post:
        data = StepCreate(
            title=title.strip(),
            due=blank_to_none(due),
            owner=owner.strip(),
            completion_measure=completion_measure.strip(),
            parent_id=blank_to_none(parent_id),  # type: ignore[arg-type]
        )
        strategies.add_step(session=session, strategy=strategy, data=data, actor=actor_for(user))
        post.notice = f"{plan.term('step')} “{data.title}” added."
    state = state_after(post, f"sub-{parent_id}" if parent_id else "step", typed)
    return PAGES.answer(request, session, user, plan, strategy, state, post.status, "step")


@router.post("/steps/{step_id}/edit")
def update_step(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    step_id: ItemId,
    version: Form_ = "",
    title: Form_ = "",
    due: Form_ = "",
) -> Response:
    step = strategies.get_step(session=session, step_id=step_id)
    plan, strategy = PAGES.editable(session, user, step.strategy_id)
    typed = {"title": title, "due": due, "version": version}
    with form_post(session) as post:
        full = StepUpdate(
            version=form_version(version), title=title.strip(), due=blank_to_none(due)
        )
        data = changed_only(StepUpdate, full, step)
        strategies.update_step(session=session, step=step, data=data, actor=actor_for(user))
        post.notice = f"“{step.title}” saved."
    state = state_after(post, f"step-{step.id}", typed)
    return PAGES.answer(request, session, user, plan, strategy, state, post.status, "step-saved")


@router.post("/steps/{step_id}/archive")
def archive_step(
    request: Request, session: SessionDep, user: RequiredUser, step_id: ItemId, version: Form_ = ""
) -> Response:
    step = strategies.get_step(session=session, step_id=step_id)
    plan, strategy = PAGES.editable(session, user, step.strategy_id)
    with form_post(session) as post:
        strategies.set_archived(
            session=session,
            item=step,
            version=form_version(version),
            archived=True,
            actor=actor_for(user),
        )
        post.notice = f"“{step.title}” archived."
    state = state_after(post, f"step-{step.id}", {})
    return PAGES.answer(request, session, user, plan, strategy, state, post.status, "step-archived")
