"""What demo mode adds to the San José seed so its walkthrough works, and says so in the history.

The source names no owning department for its recommendations, so the seed leaves them unowned
(nothing invented). A department lead can only update what their department owns, so for the
demo the SJ311 lead is given recommendation 3.1 ("full journey in-language", the theme of SJ311's
own language-access quick wins). The change is made through the normal service, so it is in the
history with a note saying it is a demo assignment.

The lead is also given 3.2 ("in-person resources"), planned from April 2026 and never updated, so
the demo shows what the reminders and the review say about work that owes an update: it is stale
on the review and overdue on My work and in the lead's reminder digest. The source gives no
dates; the note says this one is the demo's.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from app.models import Department, Plan, Strategy
from app.models.strategy import StrategyUpdate
from app.services.changes.history import Actor
from app.services.changes.strategies import update_strategy

DEMO_PLAN = "san-jose-customer-service"
DEMO_OWNERSHIP = {"3.1": "SJ311", "3.2": "SJ311"}
# What else the demo plans for a recommendation it assigns (the source gives no dates).
DEMO_PLANNED_START = {"3.2": dt.date(2026, 4, 1)}
NOTE = "Demo mode: assigned so the demo SJ311 lead can update it; the source names no owner."
PLANNED_NOTE = (
    "Demo mode: assigned to the demo SJ311 lead and planned from April 2026, so the demo shows "
    "an update that is owed; the source names no owner and gives no dates."
)


def assign_demo_ownership(*, session: Session, actor: Actor) -> list[str]:
    """Give the demo lead their recommendation, if it is still unowned. Returns what changed."""
    plan = session.exec(select(Plan).where(Plan.slug == DEMO_PLAN)).first()
    if plan is None:
        return []
    changed = []
    for code, dept_code in DEMO_OWNERSHIP.items():
        strategy = session.exec(
            select(Strategy).where(Strategy.plan_id == plan.id, Strategy.code == code)
        ).first()
        dept = session.exec(
            select(Department).where(
                Department.organization_id == plan.organization_id, Department.code == dept_code
            )
        ).first()
        if strategy is None or dept is None or strategy.department_id is not None:
            continue
        start = DEMO_PLANNED_START.get(code)
        update_strategy(
            session=session,
            strategy=strategy,
            actor=actor,
            note=PLANNED_NOTE if start else NOTE,
            data=StrategyUpdate(
                version=strategy.version,
                department_id=dept.id,
                **({"planned_start": start} if start else {}),
            ),
        )
        changed.append(f"{plan.term('strategy')} {code} → {dept_code}")
    return changed
