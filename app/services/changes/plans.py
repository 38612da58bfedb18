"""A plan's lifecycle in the app (the plan builder, issue 10): make a new plan, change its
settings, adopt it.

Administrators and coordinators of the plan's organisation build (`Action.build`); an
installation administrator builds in any organisation. A new plan is a `draft`: only its
organisation's people (and installation administrators) see it (permissions.can_read_plan)
until it is adopted. Every write is versioned (409 with the newer value when stale, through
`save_changes`) and goes to the history with its before and after. Uploading a plan file is in
plan_uploads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import true
from sqlmodel import Session, col, select

from app.models import DEFAULT_TERMINOLOGY, HistoryAction, Organization, Plan
from app.models.enums import PlanStatus, ScheduleStyle, SubjectType
from app.models.plan_settings import PlanAdopt, PlanCreate, PlanSettingsUpdate
from app.services.accounts.permissions import Action, Ownership, decide, enforce, require
from app.services.changes.editing import save_changes, stale_edit
from app.services.changes.history import Actor, record_change
from app.services.changes.programmes import resolve_programme
from app.services.errors import FieldProblem, ValidationFailed
from app.services.reading.zones import organization_today

# Addresses of pages under /plans that a plan's slug must not take.
RESERVED_SLUGS = frozenset({"new"})


def require_build_in(actor: Actor, organization: Organization) -> None:
    """401/403 unless `actor` may build plans in `organization`."""
    owner = Ownership(organization.id, None, "plan")  # type: ignore[arg-type]
    enforce(actor, decide(actor.user, Action.build, owner))


def slug_problem(session: Session, slug: str, plan_id: int | None = None) -> FieldProblem | None:
    if slug in RESERVED_SLUGS:
        return FieldProblem("slug", f"'{slug}' is reserved for a page; choose another")
    clash = session.exec(
        select(Plan.id).where(
            Plan.slug == slug, col(Plan.id) != plan_id if plan_id is not None else true()
        )
    ).first()
    if clash is not None:
        return FieldProblem("slug", f"a plan '{slug}' already exists (archived plans included)")
    return None


def _settings_problems(values: dict[str, Any]) -> list[FieldProblem]:
    """The rules between fields: the period in order, a relative schedule's origin."""
    problems: list[FieldProblem] = []
    start, end = values.get("period_start"), values.get("period_end")
    if start is not None and end is not None and end < start:
        problems.append(FieldProblem("period_end", f"{end} is before the period's start {start}"))
    if values.get("schedule") == ScheduleStyle.relative and values.get("schedule_origin") is None:
        problems.append(
            FieldProblem("schedule_origin", "is required when the schedule counts plan years")
        )
    return problems


def _terminology(given: dict[str, str]) -> dict[str, str]:
    return {**DEFAULT_TERMINOLOGY, **given}


def create_plan(
    *, session: Session, organization: Organization, data: PlanCreate, actor: Actor
) -> Plan:
    """A new draft plan of `organization`, unpublished, with no parts yet."""
    require_build_in(actor, organization)
    problems = _settings_problems(data.model_dump())
    clash = slug_problem(session, data.slug)
    if clash is not None:
        problems.insert(0, clash)
    if problems:
        raise ValidationFailed(problems)
    plan = Plan(
        organization_id=organization.id,  # type: ignore[arg-type]
        slug=data.slug,
        title=data.title,
        subtitle=data.subtitle,
        status=PlanStatus.draft,
        period_start=data.period_start,
        period_end=data.period_end,
        schedule=data.schedule,
        schedule_origin=data.schedule_origin,
        terminology=_terminology(data.terminology.given()),
        status_words=data.status_words.words(),
    )
    session.add(plan)
    session.flush()
    assert plan.id is not None
    shown = ("slug", "title", "subtitle", "status", "period_start", "period_end", "schedule")
    changes = {k: (None, getattr(plan, k)) for k in shown if getattr(plan, k) not in (None, "")}
    if plan.schedule_origin is not None:
        changes["schedule_origin"] = (None, plan.schedule_origin)
    if data.terminology.given():
        changes["terminology"] = (None, plan.terminology)
    if plan.status_words:
        changes["status_words"] = (None, plan.status_words)
    record_change(
        session=session,
        actor=actor,
        subject_type=SubjectType.plan,
        subject_id=plan.id,
        action=HistoryAction.create,
        changes=changes,
        label=plan.title,
        plan_id=plan.id,
        organization_id=organization.id,
        version_after=plan.version,
    )
    return plan


def update_settings(
    *, session: Session, plan: Plan, data: PlanSettingsUpdate, actor: Actor, note: str = ""
) -> Plan:
    """Change the settings `data` sets, if `plan` is still at `data.version`."""
    require(session, actor, Action.build, plan, kind="plan")
    changes = data.model_dump(
        exclude_unset=True, exclude={"version", "terminology", "status_words", "programme"}
    )
    if data.terminology is not None:
        changes["terminology"] = _terminology(data.terminology.given())
    if data.status_words is not None:
        changes["status_words"] = data.status_words.words()
    fields = ("period_start", "period_end", "schedule", "schedule_origin")
    merged = {name: changes.get(name, getattr(plan, name)) for name in fields}
    problems = _settings_problems(merged)
    if "programme" in data.model_fields_set:
        programme_id, problem = resolve_programme(
            session, plan=plan, organization_id=plan.organization_id, slug=data.programme
        )
        if problem is not None:
            problems.append(problem)
        changes["programme_id"] = programme_id
    if problems:
        raise ValidationFailed(problems)
    save_changes(
        session=session,
        item=plan,
        expected_version=data.version,
        changes=changes,
        actor=actor,
        subject_type=SubjectType.plan,
        label=plan.title,
        plan_id=plan.id,
        organization_id=plan.organization_id,
        note=note,
    )
    return plan


def adopt_plan(
    *, session: Session, plan: Plan, data: PlanAdopt, actor: Actor, today: dt.date | None = None
) -> Plan:
    """Draft → adopted, on `data.adopted_on` (today when not given)."""
    require(session, actor, Action.build, plan, kind="plan")
    if plan.status != PlanStatus.draft:
        if plan.version != data.version:  # adopted by someone else meanwhile: say who
            raise stale_edit(
                session,
                plan,
                expected_version=data.version,
                subject_type=SubjectType.plan,
                fields=["status", "adopted_on"],
            )
        raise ValidationFailed.one("status", f"the plan is {plan.status}, not a draft")
    adopted_on = data.adopted_on or today or organization_today(session, plan.organization_id)
    if plan.period_end is not None and adopted_on > plan.period_end:
        raise ValidationFailed.one("adopted_on", f"{adopted_on} is after the plan's period ends")
    save_changes(
        session=session,
        item=plan,
        expected_version=data.version,
        changes={"status": PlanStatus.adopted.value, "adopted_on": adopted_on},
        actor=actor,
        subject_type=SubjectType.plan,
        label=plan.title,
        plan_id=plan.id,
        organization_id=plan.organization_id,
        note="adopted",
    )
    return plan
