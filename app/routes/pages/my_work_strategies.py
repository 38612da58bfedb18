"""/my-work's posts for a strategy: its progress update, a new workplan step, a step ticked done.

Each answers with the strategy's block (htmx) or back to /my-work, through my_work.answer().
"""

from __future__ import annotations

from typing import Annotated

import pydantic as pd
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import CurrentUser, actor_for
from app.deps import SessionDep
from app.models import Plan, Strategy, User
from app.models.enums import StrategyStatus
from app.models.strategy import ProgressUpdateIn, StepCreate
from app.routes.item_ids import ItemId
from app.routes.pages.form_input import Form_, blank_to_none, pydantic_errors, service_errors
from app.routes.pages.my_work import answer, failed, plan_of, readable_item
from app.routes.pages.my_work_presentation import FormState
from app.services import strategies, work_items
from app.services import strategy_progress as progress_rules
from app.services.errors import Conflict, ValidationFailed
from app.services.permissions import Action, require

router = APIRouter(prefix="/my-work", include_in_schema=False)


def _strategy_kind(plan: Plan) -> str:
    return plan.term("strategy").lower()


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


@router.post("/strategies/{strategy_id}/progress")
def strategy_progress(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    strategy_id: ItemId,
    version: Form_ = "",
    status: Form_ = "",
    progress: Annotated[str | None, Form()] = None,
    progress_counting: Form_ = "",
    narrative: Form_ = "",
    note: Form_ = "",
    mark_complete: Form_ = "",
) -> Response:
    strategy = strategies.get_strategy(session=session, strategy_id=strategy_id)
    readable_item(session, user, strategy.plan_id)
    actor = actor_for(user)
    require(
        session,
        actor,
        Action.progress,
        strategy,
        kind=_strategy_kind(plan_of(session, strategy.plan_id)),
    )
    assert user is not None  # require() refuses anonymous requests
    if mark_complete:  # "Save as Complete", offered beside a refused 100%
        status = StrategyStatus.complete
    typed = {"status": status, "narrative": narrative, "note": note, "version": version}
    if progress is not None:
        typed["progress"] = progress
    if progress_counting:
        typed["progress_counting"] = progress_counting
    form = "progress"
    try:
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
            session=session, strategy=strategy, data=data, actor=actor
        )
    except pd.ValidationError as exc:
        failed(session)
        state = FormState(form, typed, pydantic_errors(exc))
        return _strategy_answer(request, session, user, strategy, state, 422)
    except ValidationFailed as exc:
        failed(session)
        if progress_rules.offers_completion(exc.problems):
            typed["offer_complete"] = "1"
        state = FormState(form, typed, service_errors(exc))
        return _strategy_answer(request, session, user, strategy, state, 422)
    except Conflict as exc:
        failed(session)
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
    readable_item(session, user, strategy.plan_id)
    plan = plan_of(session, strategy.plan_id)
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
            due=blank_to_none(due),
            parent_id=blank_to_none(parent_id),  # type: ignore[arg-type]
        )
        counting = strategy.progress_counting
        step = strategies.add_step(session=session, strategy=strategy, data=data, actor=actor)
    except pd.ValidationError as exc:
        failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, typed, pydantic_errors(exc)), 422
        )
    except ValidationFailed as exc:
        failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, typed, service_errors(exc)), 422
        )
    notice = f"{plan.term('step')} “{step.title}” added."
    if strategy.progress_counting != counting:  # its first step: say what became of progress
        said = progress_rules.counting_now(session, strategy)
        notice += f" {said[:1].upper()}{said[1:]}."
    return _strategy_answer(request, session, user, strategy, FormState(form, notice=notice))


@router.post("/steps/{step_id}/done")
def step_done(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    step_id: ItemId,
    version: Form_ = "",
    done: Form_ = "1",
    complete_strategy: Form_ = "",
) -> Response:
    step = strategies.get_step(session=session, step_id=step_id)
    strategy = strategies.get_strategy(session=session, strategy_id=step.strategy_id)
    readable_item(session, user, strategy.plan_id)
    plan = plan_of(session, strategy.plan_id)
    actor = actor_for(user)
    require(session, actor, Action.edit, step, kind=plan.term("step").lower())
    assert user is not None
    form = f"done-{step.id}"
    ticked = done not in ("0", "false", "")
    try:
        expected = pd.TypeAdapter(int).validate_python(version)
        strategies.set_step_done(
            session=session,
            step=step,
            version=expected,
            done=ticked,
            actor=actor,
            complete_strategy=bool(complete_strategy),
        )
    except pd.ValidationError:
        failed(session)
        errors = {"form": "This form is missing the version it was made from; reload the page."}
        return _strategy_answer(
            request, session, user, strategy, FormState(form, errors=errors), 422
        )
    except ValidationFailed as exc:
        failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, errors=service_errors(exc)), 422
        )
    except Conflict as exc:
        failed(session)
        return _strategy_answer(
            request, session, user, strategy, FormState(form, conflict=exc), 409
        )
    said = "marked done" if ticked else "marked not done"
    if complete_strategy and ticked and strategy.status == StrategyStatus.complete:
        said += f", and {plan.term('strategy').lower()} {strategy.code} marked complete"
    return _strategy_answer(
        request, session, user, strategy, FormState(form, notice=f"“{step.title}” {said}.")
    )
