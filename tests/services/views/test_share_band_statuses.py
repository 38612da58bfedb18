"""A metric whose at-risk band is a share of its target is judged by that share everywhere its
status is shown: the scorecard's counts and series, its card's reasons, the plan tree and the
review's off-target metrics."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.models import Plan
from app.services.plan_file.importing import import_plan_text
from app.services.reading.plan_tree import load_plan_tree
from app.services.reading.zones import organization_today
from app.services.views import scorecard
from app.services.views.review.metrics import metric_statuses, worded
from tests.factories import TINY_PLAN

ANCHOR = "    direction: higher\n    department: CC\n"


def _plan(session: Session, kind: str) -> Plan:
    # FCR's latest value is 83 against "at least 85": 2 short. A band of 2 points covers it;
    # 2% of 85 (1.7) does not.
    band = f"    tolerance: 2\n    tolerance_kind: {kind}\n"
    plan = import_plan_text(
        session=session, text=TINY_PLAN.replace(ANCHOR, ANCHOR + band), source="x"
    )
    session.commit()
    return plan


@pytest.mark.parametrize(("kind", "code"), [("absolute", "at_risk"), ("share", "off_track")])
def test_every_view_judges_by_the_kind(session: Session, kind: str, code: str) -> None:
    plan = _plan(session, kind)
    card = scorecard.load_scorecard(session=session, plan=plan)
    assert card.counts == {code: 1}
    assert card.metrics[0].points[-1].status.code == code
    one = scorecard.load_metric_card(session=session, plan=plan, code="FCR")
    assert one.points[-1].status.code == code
    tree = load_plan_tree(session=session, plan=plan, internal=True)
    assert [m.status.code for m in tree.metrics] == [code]
    today = organization_today(session, plan.organization_id)
    (judged,) = metric_statuses(session, [plan.id], today=today)  # type: ignore[list-item]
    assert judged[3] == code
    (review,) = worded([judged], today=today)
    assert review.status.code == code
    expected = "within the tolerance of 2 points" if kind == "absolute" else "beyond the tolerance"
    assert expected in review.status.reason
