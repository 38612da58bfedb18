"""/my-work's posts for a strategy: its progress update, a new workplan step, a step ticked done.

Each answers with the strategy's block (htmx) or back to /my-work, through my_work.answer().
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import Strategy, User, WorkplanStep
from app.models.enums import StrategyStatus
from app.models.strategy import ProgressUpdateIn, StepCreate
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, blank_to_none, form_version
from app.routes.pages.form_posts import form_post
from app.routes.pages.my_work import answer, plan_of, readable_item
from app.routes.pages.my_work_presentation import FormState
from app.services.changes import strategies
from app.services.changes import strategy_progress as progress_rules
from app.services.views.my_work import items as work_items

router = APIRouter(prefix="/my-work", include_in_schema=False)


def _strategy_answer(
    request: Request,
    session: Session,
    user: User,
    strategy: Strategy,
    state: FormState,
    status: int = 200,
) -> Response:
    return answer(
        request,
        session,
        user,
        strategy,
        state=state,
        status=status,
        item=lambda: work_items.load_strategy_work(session=session, strategy=strategy, user=user),
    )


def _readable_strategy(session: Session, user: User, strategy_id: int) -> Strategy:
    strategy = strategies.get_strategy(session=session, strategy_id=strategy_id)
    readable_item(session, user, strategy.plan_id)
    return strategy


def _step_added(
    session: Session, strategy: Strategy, step: WorkplanStep, counting_before: str
) -> str:
    plan = plan_of(session, strategy.plan_id)
    notice = f"{plan.term('step')} “{step.title}” added."
    if strategy.progress_counting != counting_before:  # its first step: say what became of it
        said = progress_rules.counting_now(session, strategy)
        notice += f" {said[:1].upper()}{said[1:]}."
    return notice


def _step_ticked(
    session: Session, strategy: Strategy, step: WorkplanStep, ticked: bool, complete: bool
) -> str:
    said = "marked done" if ticked else "marked not done"
    if complete and ticked and strategy.status == StrategyStatus.complete:
        plan = plan_of(session, strategy.plan_id)
        said += f", and {plan.term('strategy').lower()} {strategy.code} marked complete"
    return f"“{step.title}” {said}."


@router.post("/strategies/{strategy_id}/progress")
def strategy_progress(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    strategy_id: ItemId,
    version: Form_ = "",
    status: Form_ = "",
    progress: Annotated[str | None, Form()] = None,
    progress_counting: Form_ = "",
    narrative: Form_ = "",
    note: Form_ = "",
    mark_complete: Form_ = "",
) -> Response:
    strategy = _readable_strategy(session, user, strategy_id)
    if mark_complete:  # "Save as Complete", offered beside a refused 100%
        status = StrategyStatus.complete
    typed = {"status": status, "narrative": narrative, "note": note, "version": version}
    typed |= {"progress": progress} if progress is not None else {}
    typed |= {"progress_counting": progress_counting} if progress_counting else {}
    with form_post(session) as post:
        data = ProgressUpdateIn(
            version=version,
            status=blank_to_none(status),
            # A blank (or only spaces) box is "unchanged", never 0.
            progress=blank_to_none((progress or "").strip()),  # type: ignore[arg-type]
            progress_counting=blank_to_none(progress_counting),  # type: ignore[arg-type]
            narrative=narrative,
            note=note,
        )
        progress_rules.record_strategy_progress(
            session=session, strategy=strategy, data=data, actor=actor_for(user)
        )
        post.notice = "Progress update saved."
    if progress_rules.offers_completion(post.problems):
        typed["offer_complete"] = "1"
    state = FormState.after(post, "progress", typed)
    return _strategy_answer(request, session, user, strategy, state, post.status)


@router.post("/strategies/{strategy_id}/steps")
def add_step(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    strategy_id: ItemId,
    title: Form_ = "",
    completion_measure: Form_ = "",
    owner: Form_ = "",
    due: Form_ = "",
    parent_id: Form_ = "",
) -> Response:
    strategy = _readable_strategy(session, user, strategy_id)
    typed = {"title": title, "completion_measure": completion_measure, "owner": owner, "due": due}
    with form_post(session) as post:
        data = StepCreate(
            title=title.strip(),
            completion_measure=completion_measure.strip(),
            owner=owner.strip(),
            due=blank_to_none(due),
            parent_id=blank_to_none(parent_id),  # type: ignore[arg-type]
        )
        counting = strategy.progress_counting
        step = strategies.add_step(
            session=session, strategy=strategy, data=data, actor=actor_for(user)
        )
        post.notice = _step_added(session, strategy, step, counting)
    state = FormState.after(post, f"sub-{parent_id}" if parent_id else "step", typed)
    return _strategy_answer(request, session, user, strategy, state, post.status)


@router.post("/steps/{step_id}/done")
def step_done(
    request: Request,
    session: SessionDep,
    user: RequiredUser,
    step_id: ItemId,
    version: Form_ = "",
    done: Form_ = "1",
    complete_strategy: Form_ = "",
) -> Response:
    step = strategies.get_step(session=session, step_id=step_id)
    strategy = _readable_strategy(session, user, step.strategy_id)
    ticked = done not in ("0", "false", "")
    with form_post(session) as post:
        strategies.set_step_done(
            session=session,
            step=step,
            version=form_version(version),
            done=ticked,
            actor=actor_for(user),
            complete_strategy=bool(complete_strategy),
        )
        post.notice = _step_ticked(session, strategy, step, ticked, bool(complete_strategy))
    state = FormState.after(post, f"done-{step.id}", {})
    return _strategy_answer(request, session, user, strategy, state, post.status)
