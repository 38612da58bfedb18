"""A strategy's progress and status, and the rules that keep them from contradicting each other.

One rule set, used by the API and the pages alike (through the service functions that change a
strategy or its steps):
- "Not started" with progress above 0 is refused: the work has begun, or the figure is wrong.
- "Complete" below 100%, or with steps not done, is refused: finish (or archive) them first.
- 100% while not complete is refused: mark it complete as well (the page's form offers to), or
  enter less. Ticking the last open step is the same 100%: it can mark the strategy complete with
  it (`complete_strategy`), which needs the right to post its progress.
How progress is counted is stated per strategy (`progress_counting`): by its steps or by hand. A
first step switches a strategy counted by hand to its steps, and archiving its last step switches
it back; each switch is a recorded change whose note says what the progress was and is now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.models import HistoryAction, Plan, Strategy
from app.models.base import utcnow
from app.models.enums import ProgressCounting, StrategyStatus, SubjectType
from app.models.strategy import ProgressUpdateIn
from app.services.accounts.permissions import Action, require
from app.services.changes.editing import save_changes
from app.services.changes.history import Actor
from app.services.changes.update_requests import answer_requests
from app.services.errors import FieldProblem, ValidationFailed
from app.services.reading.plan_tree import step_counts
from app.services.rules import rollup

PROGRESS_FIELDS = ("status", "progress", "progress_counting", "narrative")
# The page offers "Save as Complete" beside this problem (see `offers_completion`).
COMPLETE_AT_100 = "100% means the work is done"


def strategy_label(plan: Plan, strategy: Strategy) -> str:
    return f"{plan.term('strategy')} {strategy.code}: {strategy.title}"


def save_strategy_changes(
    *,
    session: Session,
    strategy: Strategy,
    plan: Plan,
    version: int,
    changes: dict[str, object],
    actor: Actor,
    **recorded: object,
) -> None:
    """save_changes for a strategy: its history entry is filed under the strategy and its plan."""
    save_changes(
        session=session,
        item=strategy,
        expected_version=version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.strategy,
        label=strategy_label(plan, strategy),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        **recorded,  # type: ignore[arg-type]
    )


def plan_of(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    assert plan is not None
    return plan


@dataclass(frozen=True)
class ProgressFacts:
    """What the rules read: the owner's status, how progress is counted and from what."""

    status: str
    counting: str
    entered: int
    steps_total: int
    steps_done: int

    @property
    def progress(self) -> int:
        return rollup.strategy_progress(
            steps_total=self.steps_total,
            steps_done=self.steps_done,
            entered_progress=self.entered,
            counting=self.counting,
        )[0]

    @property
    def by_steps(self) -> bool:
        return self.counting == ProgressCounting.by_steps and self.steps_total > 0


def facts_of(session: Session, strategy: Strategy) -> ProgressFacts:
    total, done = step_counts(session, [strategy.id]).get(strategy.id, (0, 0))  # type: ignore[arg-type]
    return ProgressFacts(
        status=strategy.status,
        counting=strategy.progress_counting,
        entered=strategy.progress,
        steps_total=total,
        steps_done=done,
    )


def progress_problems(
    facts: ProgressFacts, *, steps: str = "steps", progress_field: str = "progress"
) -> list[FieldProblem]:
    """Why this status and progress contradict each other, each with what to do; none if not.
    `steps` is the plan's word for them ("workplan steps")."""
    progress = facts.progress
    if facts.status == StrategyStatus.not_started and progress > 0:
        undo = (
            f"or un-tick its done {steps}"
            if facts.by_steps
            else f"or set {progress_field} to 0 if no work has begun"
        )
        return [
            FieldProblem(
                "status",
                f"Not started cannot have {progress}% progress: choose the status the work is at "
                f"(On track, At risk, Off track or On hold), {undo}",
            )
        ]
    if facts.status == StrategyStatus.complete:
        if facts.by_steps and facts.steps_done < facts.steps_total:
            left = facts.steps_total - facts.steps_done
            return [
                FieldProblem(
                    "status",
                    f"Complete cannot have {steps} still open ({left} of {facts.steps_total} not "
                    f"done): tick them, or archive those no longer needed, first",
                )
            ]
        if progress < 100:
            return [
                FieldProblem(
                    "status",
                    f"Complete needs 100% progress (it is {progress}%): "
                    f"set {progress_field} to 100 as well",
                )
            ]
    elif progress >= 100:
        field = "status" if facts.by_steps else progress_field
        return [
            FieldProblem(
                field,
                f"{COMPLETE_AT_100}: mark it Complete as well, or "
                + ("leave a step open" if facts.by_steps else "enter less than 100"),
            )
        ]
    return []


def offers_completion(problems: list[FieldProblem]) -> bool:
    """The only refusal a form can resolve for the user in one click: save it as complete."""
    return any(p.message.startswith(COMPLETE_AT_100) for p in problems)


def counting_statement(plan: Plan, before: ProgressFacts, after: ProgressFacts) -> str:
    """What a switch of counting did, in words: "progress now follows its 3 steps: 1 done; it
    was 40% by hand"."""
    steps = plan.term("steps").lower()
    if after.by_steps:
        noun = plan.term("step" if after.steps_total == 1 else "steps").lower()
        return (
            f"progress now follows its {after.steps_total} {noun}: {after.steps_done} done "
            f"({after.progress}%); it was {before.progress}% by hand"
        )
    if before.steps_total:
        was = f"{before.progress}% from its {steps}"
    else:
        was = f"counted by its {steps}, of which none is left"
    return f"progress is now entered by hand: {after.progress}%; it was {was}"


def counting_now(session: Session, strategy: Strategy) -> str:
    """How the strategy's progress is counted now, said as the switch to it was (for a page's
    notice after the first step made it follow its steps)."""
    plan = plan_of(session, strategy.plan_id)
    now = facts_of(session, strategy)
    other = (
        ProgressCounting.by_hand
        if now.counting == ProgressCounting.by_steps
        else ProgressCounting.by_steps
    )
    before = ProgressFacts(now.status, other, now.entered, 0, 0)
    return counting_statement(plan, before, now)


def _save_counting(
    session: Session,
    strategy: Strategy,
    plan: Plan,
    counting: ProgressCounting,
    actor: Actor,
    note: str,
) -> None:
    save_strategy_changes(
        session=session,
        strategy=strategy,
        plan=plan,
        version=strategy.version,
        changes={"progress_counting": counting},
        actor=actor,
        action=HistoryAction.progress,
        note=note,
    )


def follow_steps(session: Session, strategy: Strategy, actor: Actor, *, had_steps: bool) -> str:
    """After its steps changed (a step added, archived or restored): a strategy counted by hand
    that had no steps and now has some follows them (a lead who chose "by hand" with steps keeps
    it), one counted by steps that has none left goes back to hand. Returns the statement of the
    switch ("" when nothing switched), recorded as its note."""
    session.flush()
    plan = plan_of(session, strategy.plan_id)
    before = facts_of(session, strategy)
    if before.counting == ProgressCounting.by_hand and not had_steps and before.steps_total:
        target = ProgressCounting.by_steps
    elif before.counting == ProgressCounting.by_steps and before.steps_total == 0:
        target = ProgressCounting.by_hand
    else:
        return ""
    after = ProgressFacts(
        before.status, target, before.entered, before.steps_total, before.steps_done
    )
    statement = counting_statement(plan, before, after)
    _save_counting(session, strategy, plan, target, actor, statement[:1].upper() + statement[1:])
    return statement


def check_steps_change(
    session: Session, strategy: Strategy, *, field: str, complete_strategy: bool = False
) -> bool:
    """After a step change (flushed, not committed): refuse it if status and progress now
    contradict each other. Returns whether the strategy should be marked complete with it (the
    last open step ticked with `complete_strategy`)."""
    session.flush()
    plan = plan_of(session, strategy.plan_id)
    facts = facts_of(session, strategy)
    if complete_strategy and facts.progress >= 100:
        return strategy.status != StrategyStatus.complete
    problems = progress_problems(facts, steps=plan.term("steps").lower())
    if not problems:
        return False
    noun = plan.term("strategy")
    if facts.progress >= 100 and facts.status != StrategyStatus.complete:
        message = (
            f"this leaves no {plan.term('steps').lower()} open, so {noun} {strategy.code} would "
            f"be 100% while {rollup.label(facts.status)}: mark it complete with this change "
            "(complete_strategy), or add the step still to do first"
        )
    elif facts.status == StrategyStatus.complete:
        message = (
            f"{noun} {strategy.code} is marked Complete: post a progress update with the status "
            "it is at now before opening a step"
        )
    elif facts.status == StrategyStatus.not_started:
        message = (
            f"{noun} {strategy.code} is Not started: post a progress update with the status the "
            "work is at (On track, At risk, Off track or On hold) before ticking its steps"
        )
    else:
        message = problems[0].message
    raise ValidationFailed.one(field, message)


def record_strategy_progress(
    *, session: Session, strategy: Strategy, data: ProgressUpdateIn, actor: Actor
) -> Strategy:
    """A progress update by the owner (or a coordinator): status, % progress (or how it is
    counted), narrative, note, judged by the rules above as it would stand after the update.

    Always recorded, even when nothing changed: "still on track" is news and resets staleness.
    A progress left out (or blank on a page) is unchanged, never 0.
    """
    plan = plan_of(session, strategy.plan_id)
    require(session, actor, Action.progress, strategy, kind=plan.term("strategy").lower())
    changes = data.model_dump(exclude_unset=True, include=set(PROGRESS_FIELDS))
    changes = {k: v for k, v in changes.items() if v is not None}
    now = facts_of(session, strategy)
    counting = changes.get("progress_counting", now.counting)
    steps = plan.term("steps").lower()
    if counting == ProgressCounting.by_steps and not now.steps_total:
        raise ValidationFailed.one(
            "progress_counting", f"it has no {steps} to count: add one first"
        )
    if "progress" in changes and counting == ProgressCounting.by_steps:
        raise ValidationFailed.one(
            "progress",
            f"progress follows its {steps} ({now.steps_done} of {now.steps_total} done); tick "
            f"{steps} instead, or set progress_counting to by_hand to enter it yourself",
        )
    after = ProgressFacts(
        status=changes.get("status", now.status),
        counting=counting,
        entered=changes.get("progress", now.entered),
        steps_total=now.steps_total,
        steps_done=now.steps_done,
    )
    problems = progress_problems(after, steps=steps)
    if problems:
        raise ValidationFailed(problems)
    note = data.note
    if counting != now.counting:
        said = counting_statement(plan, now, after)
        note = f"{said[:1].upper()}{said[1:]}. {note}".strip()
    save_strategy_changes(
        session=session,
        strategy=strategy,
        plan=plan,
        version=data.version,
        changes=changes,
        actor=actor,
        action=HistoryAction.progress,
        note=note,
        always_record=True,
        extra_values={"last_update_at": utcnow()},
    )
    answer_requests(
        session=session,
        kind="strategy",
        item_ids=[strategy.id],  # type: ignore[list-item]
        actor=actor,
        answered_with="a progress update",
    )
    return strategy


def mark_complete_with_last_step(
    session: Session, strategy: Strategy, actor: Actor, note: str = ""
) -> None:
    """The last open step ticked (or archived) with `complete_strategy`: the strategy is
    complete with it."""
    plan = plan_of(session, strategy.plan_id)
    require(session, actor, Action.progress, strategy, kind=plan.term("strategy").lower())
    save_changes(
        session=session,
        item=strategy,
        expected_version=strategy.version,
        changes={"status": StrategyStatus.complete},
        actor=actor,
        subject_type=SubjectType.strategy,
        label=strategy_label(plan, strategy),
        plan_id=plan.id,
        organization_id=plan.organization_id,
        action=HistoryAction.progress,
        note=note or f"No {plan.term('step').lower()} of it is left open",
        extra_values={"last_update_at": utcnow()},
    )
