"""Progress and status that cannot contradict each other (changes.strategy_progress), through
the service functions the API and the pages call, on the real database."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.models import HistoryEntry, Plan, Strategy
from app.models.enums import SubjectType
from app.models.strategy import ProgressUpdateIn, StepCreate
from app.services.changes import strategies
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import ProgressFacts, facts_of, progress_problems
from app.services.errors import ValidationFailed
from tests.factories import make_tiny_plan

ACTOR = Actor(name="test")


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


def strategy(session: Session, code: str) -> Strategy:
    return session.exec(select(Strategy).where(Strategy.code == code)).one()


def post(session: Session, s: Strategy, **fields: object) -> Strategy:
    data = ProgressUpdateIn(version=s.version, **fields)  # type: ignore[arg-type]
    return strategies.record_strategy_progress(session=session, strategy=s, data=data, actor=ACTOR)


def refused(call: object, *args: object, **kwargs: object) -> tuple[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    problem = caught.value.problems[0]
    return problem.field, problem.message


def newest_note(session: Session, s: Strategy) -> str:
    entry = session.exec(
        select(HistoryEntry)
        .where(HistoryEntry.subject_type == SubjectType.strategy, HistoryEntry.subject_id == s.id)
        .order_by(col(HistoryEntry.id).desc())
    ).first()
    assert entry is not None
    return entry.note


class TestRules:
    """The rule set itself, on plain facts."""

    @pytest.mark.parametrize(
        ("facts", "field", "start"),
        [
            (ProgressFacts("not_started", "by_hand", 40, 0, 0), "status", "Not started cannot"),
            (ProgressFacts("complete", "by_hand", 60, 0, 0), "status", "Complete needs 100%"),
            (ProgressFacts("complete", "by_steps", 0, 3, 2), "status", "Complete cannot have"),
            (ProgressFacts("on_track", "by_hand", 100, 0, 0), "progress", "100% means"),
            (ProgressFacts("on_track", "by_steps", 0, 2, 2), "status", "100% means"),
        ],
    )
    def test_each_contradiction_is_refused_saying_what_to_do(
        self, facts: ProgressFacts, field: str, start: str
    ) -> None:
        problems = progress_problems(facts)
        assert [p.field for p in problems] == [field]
        assert problems[0].message.startswith(start)

    @pytest.mark.parametrize(
        "facts",
        [
            ProgressFacts("not_started", "by_hand", 0, 0, 0),
            ProgressFacts("on_track", "by_hand", 99, 0, 0),
            ProgressFacts("complete", "by_hand", 100, 0, 0),
            ProgressFacts("complete", "by_steps", 10, 2, 2),
            # Counted by hand, its steps do not count: 40% on track with every step done.
            ProgressFacts("on_track", "by_hand", 40, 2, 2),
        ],
    )
    def test_agreeing_status_and_progress_pass(self, facts: ProgressFacts) -> None:
        assert progress_problems(facts) == []


class TestProgressUpdates:
    def test_not_started_with_progress_is_refused_and_nothing_saved(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.2")  # no steps: counted by hand
        field, message = refused(post, session, s, progress=30)
        assert field == "status" and "set progress to 0" in message
        session.rollback()
        assert (strategy(session, "1.2").progress, strategy(session, "1.2").version) == (0, 1)

    def test_complete_below_100_by_hand_is_refused(self, session: Session, tiny: Plan) -> None:
        s = strategy(session, "1.2")
        post(session, s, status="on_track", progress=60)
        field, message = refused(post, session, s, status="complete")
        assert field == "status" and message.startswith("Complete needs 100% progress (it is 60%)")
        session.rollback()

    def test_complete_with_open_steps_is_refused(self, session: Session, tiny: Plan) -> None:
        field, message = refused(post, session, strategy(session, "1.1"), status="complete")
        assert field == "status" and "2 of 2 not done" in message
        session.rollback()

    def test_100_while_not_complete_is_refused_and_complete_at_100_accepted(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.2")
        field, message = refused(post, session, s, status="on_track", progress=100)
        assert field == "progress" and "mark it Complete as well" in message
        session.rollback()
        post(session, strategy(session, "1.2"), status="complete", progress=100)
        assert strategy(session, "1.2").status == "complete"

    def test_a_progress_left_out_is_unchanged_never_0(self, session: Session, tiny: Plan) -> None:
        s = strategy(session, "1.2")
        post(session, s, status="on_track", progress=40)
        post(session, s, progress=None, narrative="Still going.")
        assert (s.progress, s.narrative) == (40, "Still going.")

    def test_progress_cannot_be_entered_while_counted_by_steps(
        self, session: Session, tiny: Plan
    ) -> None:
        field, message = refused(post, session, strategy(session, "1.1"), progress=50)
        assert field == "progress" and "set progress_counting to by_hand" in message
        session.rollback()

    def test_switching_to_by_hand_keeps_steps_and_says_what_it_was(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.1")
        post(session, s, status="on_track", progress_counting="by_hand", progress=25)
        assert (s.progress_counting, s.progress) == ("by_hand", 25)
        assert newest_note(session, s).startswith(
            "Progress is now entered by hand: 25%; it was 0% from its workplan steps"
        )
        assert facts_of(session, s).progress == 25

    def test_by_steps_without_steps_is_refused(self, session: Session, tiny: Plan) -> None:
        field, message = refused(
            post, session, strategy(session, "1.2"), progress_counting="by_steps"
        )
        assert field == "progress_counting" and "no workplan steps to count" in message
        session.rollback()


class TestStepsAndCounting:
    def test_first_step_switches_to_steps_and_the_history_says_it_was_40_by_hand(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.2")
        post(session, s, status="on_track", progress=40)
        strategies.add_step(session=session, strategy=s, data=StepCreate(title="Fill"), actor=ACTOR)
        assert s.progress_counting == "by_steps" and s.progress == 40  # the 40 is kept
        assert facts_of(session, s).progress == 0
        assert newest_note(session, s) == (
            "Progress now follows its 1 workplan step: 0 done (0%); it was 40% by hand"
        )

    def test_a_lead_who_chose_by_hand_keeps_it_when_a_step_is_added(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.1")
        post(session, s, status="on_track", progress_counting="by_hand", progress=30)
        strategies.add_step(session=session, strategy=s, data=StepCreate(title="More"), actor=ACTOR)
        assert (s.progress_counting, facts_of(session, s).progress) == ("by_hand", 30)

    def test_ticking_the_only_step_is_refused_unless_it_marks_the_strategy_complete(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.2")
        post(session, s, status="on_track", progress=40)
        step = strategies.add_step(
            session=session, strategy=s, data=StepCreate(title="Only"), actor=ACTOR
        )
        session.commit()
        field, message = refused(
            strategies.set_step_done,
            session=session,
            step=step,
            version=step.version,
            done=True,
            actor=ACTOR,
        )
        assert field == "complete_strategy" and "would be 100% while On track" in message
        session.rollback()
        step = strategies.get_step(session=session, step_id=step.id)  # type: ignore[arg-type]
        strategies.set_step_done(
            session=session,
            step=step,
            version=step.version,
            done=True,
            actor=ACTOR,
            complete_strategy=True,
        )
        s = strategy(session, "1.2")
        assert (s.status, facts_of(session, s).progress) == ("complete", 100)

    def test_ticking_a_step_of_a_not_started_strategy_is_refused(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.1")
        step = session.get(strategies.WorkplanStep, 1)
        assert step is not None and step.strategy_id == s.id
        field, message = refused(
            strategies.set_step_done,
            session=session,
            step=step,
            version=step.version,
            done=True,
            actor=ACTOR,
        )
        assert field == "complete_strategy" and "is Not started: post a progress update" in message
        session.rollback()

    def test_a_complete_strategy_takes_no_new_open_step(self, session: Session, tiny: Plan) -> None:
        s = strategy(session, "1.2")
        post(session, s, status="complete", progress=100)
        field, message = refused(
            strategies.add_step,
            session=session,
            strategy=s,
            data=StepCreate(title="Late"),
            actor=ACTOR,
        )
        assert field == "status" and "is marked Complete" in message
        session.rollback()
        assert strategy(session, "1.2").progress_counting == "by_hand"

    def test_archiving_the_last_step_goes_back_to_by_hand(
        self, session: Session, tiny: Plan
    ) -> None:
        s = strategy(session, "1.2")
        post(session, s, status="on_track", progress=40)
        step = strategies.add_step(
            session=session, strategy=s, data=StepCreate(title="Only"), actor=ACTOR
        )
        strategies.set_archived(
            session=session, item=step, version=step.version, archived=True, actor=ACTOR
        )
        assert s.progress_counting == "by_hand" and facts_of(session, s).progress == 40
        assert newest_note(session, s).startswith("Progress is now entered by hand: 40%")
