"""views.my_work.page and whose_work: what a department owns across its organisation's plans,
loaded in bulk, and whose work a user may open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app.models import Department, Metric, Plan, User
from app.services.errors import NotAuthenticated, NotFound, PermissionDenied
from app.services.views.my_work import departments as department_work
from app.services.views.my_work import page as my_work
from app.services.views.my_work import whose_work
from tests.factories import TINY_PLAN, make_person, make_tiny_plan


def dept(session: Session, code: str) -> Department:
    return session.exec(select(Department).where(Department.code == code)).one()


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def second_plan(strategies: int, *, slug: str = "testville-roads") -> str:
    """Another plan of the same organisation with `strategies` CC strategies, each with a step,
    under two focus areas, plus CC quick wins and metrics."""
    items = "\n".join(
        f"""      - code: "{i}"
        title: Strategy number {i}
        department: CC
        steps:
          - {{title: Step of {i}, completion_measure: done}}"""
        for i in range(1, strategies + 1)
    )
    quick = "\n".join(
        f"  - {{number: {i}, issue_category: Topic {i}, department: CC}}"
        for i in range(1, strategies + 1)
    )
    metrics = "\n".join(
        f"""  - code: M{i}
    name: Measure {i}
    unit: count
    direction: higher
    department: CC
    targets: [{{value: 10, comparator: at_least}}]
    measurements: [{{period: 2024-0{1 + i % 9}-01, value: {i}}}]"""
        for i in range(1, strategies + 1)
    )
    return f"""\
format: plantrack/1
organization: {{name: City of Testville, slug: testville}}
departments:
  - {{code: CC, name: Contact Centre}}
plan:
  slug: {slug}
  title: Roads Plan {slug}
  published: true
  terminology:
    {{strategy: Initiative, strategies: Initiatives, focus_area: Key area, focus_areas: Key areas}}
focus_areas:
  - code: B
    title: Second area
    strategies:
{items}
  - code: A
    title: First area
metrics:
{metrics}
quick_wins:
{quick}
"""


@pytest.fixture
def tiny(session: Session) -> Plan:
    return make_tiny_plan(session)


@pytest.fixture
def cc_lead(session: Session, tiny: Plan) -> User:
    return make_person(session, "cc-lead", "lead", department="CC")


class TestLoadDepartmentWork:
    def test_only_the_departments_own_items(self, session: Session, cc_lead: User) -> None:
        work = my_work.load_department_work(
            session=session, department=dept(session, "CC"), user=cc_lead
        )
        assert work.department.code == "CC"
        assert [pw.plan.slug for pw in work.plans] == ["testville-service"]
        (pw,) = work.plans
        assert [s.node.strategy.code for s in pw.strategies] == ["1.1"]
        assert [q.quick_win.number for q in pw.quick_wins] == [1]
        assert [m.node.metric.code for m in pw.metrics] == ["FCR"]
        (group,) = pw.focus_areas
        assert group.focus_area is not None and group.focus_area.title == "Access"
        node = pw.strategies[0].node
        assert (node.steps_total, node.steps_done, node.progress_source) == (2, 0, "steps")
        assert pw.metrics[0].node.latest is not None and pw.metrics[0].node.latest.value == 83
        assert (work.strategy_count, work.quick_win_count, work.metric_count) == (1, 1, 1)

    def test_grouped_by_plan_and_focus_area_in_the_plans_order(
        self, session: Session, cc_lead: User
    ) -> None:
        from app.services.plan_file.importing import import_plan_text

        import_plan_text(session=session, text=second_plan(3), source="roads.yaml")
        session.commit()
        work = my_work.load_department_work(
            session=session, department=dept(session, "CC"), user=cc_lead
        )
        assert [pw.plan.title for pw in work.plans] == [
            "Roads Plan testville-roads",
            "Testville Customer Service Plan",
        ]
        roads = work.plans[0]
        assert [g.focus_area.code for g in roads.focus_areas if g.focus_area] == ["B"]
        assert [s.node.strategy.code for s in roads.strategies] == ["1", "2", "3"]
        assert roads.plan.term("strategy") == "Initiative"

    def test_the_permission_flags_follow_the_permission_service(
        self, session: Session, cc_lead: User
    ) -> None:
        cc = dept(session, "CC")
        mine = my_work.load_department_work(session=session, department=cc, user=cc_lead)
        s, q, m = mine.plans[0].strategies[0], mine.plans[0].quick_wins[0], mine.plans[0].metrics[0]
        assert (s.can_progress, s.can_edit, q.can_progress, m.can_record) == (
            True,
            True,
            True,
            True,
        )
        coordinator = make_person(session, "coord", "coordinator")
        theirs = my_work.load_department_work(session=session, department=cc, user=coordinator)
        s, q, m = (
            theirs.plans[0].strategies[0],
            theirs.plans[0].quick_wins[0],
            theirs.plans[0].metrics[0],
        )
        # The strategy office keeps every department's work (issue 10).
        assert (s.can_progress, s.can_edit, q.can_progress, m.can_record) == (
            True,
            True,
            True,
            True,
        )
        pw_lead = make_person(session, "pw-lead", "lead", department="PW")
        other = my_work.load_department_work(session=session, department=cc, user=pw_lead)
        s = other.plans[0].strategies[0]
        assert (s.can_progress, s.can_edit, other.plans[0].metrics[0].can_record) == (
            False,
            False,
            False,
        )

    def test_unpublished_plans_of_another_organisation_stay_hidden(
        self, session: Session, tiny: Plan
    ) -> None:
        session.exec(select(Plan)).one().published = False
        session.commit()
        # An installation administrator sees all; a stranger (an organisation admin included) not.
        outsider = User(username="outsider", role="admin", is_installation_admin=True)
        cc = dept(session, "CC")
        assert my_work.load_department_work(session=session, department=cc, user=outsider).plans
        stranger = User(username="stranger", role="coordinator", organization_id=None)
        assert (
            my_work.load_department_work(session=session, department=cc, user=stranger).plans == []
        )
        other_admin = User(username="other-admin", role="admin", organization_id=999)
        assert (
            my_work.load_department_work(session=session, department=cc, user=other_admin).plans
            == []
        )

    def test_a_constant_number_of_queries_however_much_the_department_owns(
        self, session: Session, cc_lead: User
    ) -> None:
        from app.services.plan_file.importing import import_plan_text

        cc = dept(session, "CC")
        with counted(session) as small:
            my_work.load_department_work(session=session, department=cc, user=cc_lead)
        import_plan_text(session=session, text=second_plan(25), source="roads.yaml")
        import_plan_text(
            session=session, text=second_plan(25, slug="testville-parks"), source="parks.yaml"
        )
        session.commit()
        session.expire_all()
        session.refresh(cc)
        session.refresh(cc_lead)  # a request's user is already loaded (and detached)
        with counted(session) as big:
            work = my_work.load_department_work(session=session, department=cc, user=cc_lead)
        assert work.strategy_count == 51 and work.metric_count == 51
        assert len(big) == len(small), (len(small), len(big))
        # BEGIN and one query per table the page shows; issue 13: the due list reads each quick
        # win's newest update and each metric's newest value, and the open update requests
        assert len(big) <= 18


class TestResolveDepartment:
    def test_a_lead_gets_their_own_department(self, session: Session, cc_lead: User) -> None:
        found = whose_work.resolve_department(session=session, user=cc_lead, code=None)
        assert found is not None and found.code == "CC"
        assert whose_work.resolve_department(session=session, user=cc_lead, code="CC").code == "CC"  # type: ignore[union-attr]

    def test_a_lead_may_not_open_another_department(self, session: Session, cc_lead: User) -> None:
        with pytest.raises(PermissionDenied, match="your own department"):
            whose_work.resolve_department(session=session, user=cc_lead, code="PW")

    def test_viewers_and_anonymous_are_refused(self, session: Session, tiny: Plan) -> None:
        with pytest.raises(PermissionDenied, match="Viewers can read the plans"):
            whose_work.resolve_department(
                session=session, user=make_person(session, "v", "viewer"), code=None
            )
        with pytest.raises(NotAuthenticated):
            whose_work.resolve_department(session=session, user=None, code=None)

    def test_a_lead_without_a_department_is_told_why(self, session: Session, tiny: Plan) -> None:
        with pytest.raises(PermissionDenied, match="names no department"):
            whose_work.resolve_department(
                session=session, user=make_person(session, "x", "lead"), code=None
            )

    def test_coordinators_choose_within_their_organisation(
        self, session: Session, tiny: Plan
    ) -> None:
        coordinator = make_person(session, "coord", "coordinator")
        assert whose_work.resolve_department(session=session, user=coordinator, code=None) is None
        assert (
            whose_work.resolve_department(session=session, user=coordinator, code="PW").code == "PW"
        )  # type: ignore[union-attr]
        with pytest.raises(NotFound):
            whose_work.resolve_department(session=session, user=coordinator, code="NOPE")
        codes = [
            d.code for _, d in whose_work.choosable_departments(session=session, user=coordinator)
        ]
        assert codes == ["CC", "PW"]

    def test_only_an_installation_admin_of_no_organisation_chooses_anywhere(
        self, session: Session, tiny: Plan
    ) -> None:
        for loose in (
            User(username="loose-admin", role="admin"),
            User(username="loose-coordinator", role="coordinator"),
        ):
            assert whose_work.choosable_departments(session=session, user=loose) == []
            with pytest.raises(NotFound):
                whose_work.resolve_department(session=session, user=loose, code="PW")
        root = User(username="root", role="admin", is_installation_admin=True)
        assert [
            d.code for _, d in whose_work.choosable_departments(session=session, user=root)
        ] == [
            "CC",
            "PW",
        ]
        assert whose_work.resolve_department(session=session, user=root, code="PW") is not None


def test_tiny_plan_is_what_these_tests_assume() -> None:
    assert "department: CC" in TINY_PLAN and "department: PW" in TINY_PLAN


def test_pages_in_reading_order_with_every_item_counted(session: Session, cc_lead: User) -> None:
    from app.services.plan_file.importing import import_plan_text

    import_plan_text(session=session, text=second_plan(4), source="roads.yaml")
    session.commit()
    cc = dept(session, "CC")

    def codes(work: department_work.DepartmentWork) -> list[str]:
        out: list[str] = []
        for pw in work.plans:
            out += [s.node.strategy.code for s in pw.strategies]
            out += [f"QW{q.quick_win.number}" for q in pw.quick_wins]
            out += [m.node.metric.code for m in pw.metrics]
        return out

    # Roads (by title, first): 4 initiatives, 4 quick wins, 4 metrics; then the tiny plan's 3.
    pages = [
        my_work.load_department_work(
            session=session, department=cc, user=cc_lead, page=n, per_page=5
        )
        for n in (1, 2, 3, 4)
    ]
    assert [codes(w) for w in pages] == [
        ["1", "2", "3", "4", "QW1"],
        ["QW2", "QW3", "QW4", "M1", "M2"],
        ["M3", "M4", "1.1", "QW1", "FCR"],
        ["M3", "M4", "1.1", "QW1", "FCR"],  # past the last: the last
    ]
    first, second, third = pages[:3]
    assert (first.item_count, first.pages, first.strategy_count, first.metric_count) == (
        15,
        3,
        5,
        5,
    )
    assert first.plans[0].counts == (4, 4, 4)
    assert [(p.slug, n) for p, n in first.plan_pages] == [
        ("testville-roads", 1),
        ("testville-service", 3),
    ]
    roads = second.plans[0]
    assert (roads.continued, roads.quick_wins_continued, roads.metrics_continued) == (
        True,
        True,
        False,
    )
    assert roads.focus_areas == []
    roads, tiny = third.plans
    assert (roads.continued, roads.metrics_continued, tiny.continued) == (True, True, False)
    assert [g.continued for g in tiny.focus_areas] == [False]
    # An item's page, wherever it is asked from; an item of another department: the page asked.
    fcr = session.exec(select(Metric).where(Metric.code == "FCR")).one()
    found = my_work.load_department_work(
        session=session, department=cc, user=cc_lead, per_page=5, focus=f"metric-{fcr.id}"
    )
    assert found.page == 3 and codes(found)[-1] == "FCR"
    other = my_work.load_department_work(
        session=session, department=cc, user=cc_lead, page=2, per_page=5, focus="metric-999999"
    )
    assert other.page == 2
