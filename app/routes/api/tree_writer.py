"""The answer of GET /api/v1/plans/{slug}/tree, written: plain dicts encoded once as JSON.

Apart from the models that document it (app.routes.api.tree_schemas) because the answer is ~0.5 MB
for a city's plan: building and validating ~2,000 pydantic objects per request would cost more
than the plan's load, so it is shaped here by hand, and tests/routes/api/test_plan_tree.py checks
that every object has exactly the fields its model documents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from app.services.reading import plan_nodes
from app.services.rules import metric_rule, rollup
from app.services.views.executive import Programme


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: dt.datetime | None) -> str | None:
    """As pydantic writes it: UTC as "Z"; SQLite's naive (UTC) moments as they are."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _status(status: rollup.EffectiveStatus | metric_rule.MetricStatus) -> dict[str, Any]:
    return {"code": status.code, "label": status.label, "reason": status.reason}


def _rollup(r: rollup.GroupRollup) -> dict[str, Any]:
    return {
        "distribution": r.distribution,
        "mean_progress": r.mean_progress,
        "headline": r.headline,
        "headline_label": rollup.LABELS.get(r.headline, r.headline),
        "why": r.why,
        "strategies": r.total,
    }


def _step(step: Any, subs: list[Any]) -> dict[str, Any]:
    return {
        "id": step.id,
        "version": step.version,
        "title": step.title,
        "completion_measure": step.completion_measure,
        "owner": step.owner,
        "due": _day(step.due),
        "done_on": _day(step.done_on),
        "sub_steps": [_step(sub, []) for sub in subs],
    }


def _strategy(node: plan_nodes.StrategyNode, internal: bool) -> dict[str, Any]:
    s = node.strategy
    return {
        "id": s.id,
        "version": s.version,
        "code": s.code,
        "title": s.title,
        "description": s.description,
        "term": s.term,
        "priority": s.priority,
        "department": node.department.code if node.department else None,
        "leads": list(s.leads or []),
        "phase": node.phase.code if node.phase else None,
        "goals": node.goal_codes,
        "planned_start": _day(s.planned_start),
        "planned_end": _day(s.planned_end),
        "status": s.status,
        "effective_status": _status(node.status),
        "progress": node.progress,
        "progress_source": node.progress_source,
        "progress_counting": s.progress_counting,
        "entered_progress": s.progress,
        "narrative": s.narrative if internal else None,
        "last_update_at": _moment(s.last_update_at),
        "steps": [_step(n.step, n.sub_steps) for n in node.steps],
    }


def _goal(g: Any) -> dict[str, Any]:
    return {
        "id": g.id,
        "code": g.code,
        "title": g.title,
        "description": g.description,
        "outcomes": list(g.outcomes or []),
    }


def _target(t: Any) -> dict[str, Any]:
    return {
        "value": t.value,
        "comparator": t.comparator,
        "label": t.label,
        "effective_from": _day(t.effective_from),
    }


def _metric(node: plan_nodes.MetricNode) -> dict[str, Any]:
    m = node.metric
    return {
        "id": m.id,
        "version": m.version,
        "code": m.code,
        "name": m.name,
        "description": m.description,
        "kind": m.kind,
        "measures": node.measures_label,
        "unit": m.unit,
        "direction": m.direction,
        "horizon": m.horizon,
        "frequency": m.frequency,
        "reporting_window_days": m.reporting_window_days,
        "department": node.department.code if node.department else None,
        "baseline_value": m.baseline_value,
        "baseline_date": _day(m.baseline_date),
        "targets": [_target(t) for t in node.targets],
        "target_in_force": _target(node.target_in_force) if node.target_in_force else None,
        "latest_period": _day(node.latest.period) if node.latest else None,
        "latest_value": node.latest.value if node.latest else None,
        "status": _status(node.status),
    }


def tree_document(tree: plan_nodes.PlanTree, *, internal: bool) -> dict[str, Any]:
    """The answer as plain JSON values, shaped as `PlanTreeOut`; narratives null unless
    `internal` (the reader may see internal narratives: `permissions.can_read_internal`)."""
    if tree.outline:
        raise ValueError("the tree API answers with the whole plan, not an outline")
    p = tree.plan
    depts = tree.departments
    fa_ids = {n.focus_area.id for n in tree.focus_areas}
    return {
        "id": p.id,
        "version": p.version,
        "slug": p.slug,
        "title": p.title,
        "subtitle": p.subtitle,
        "organization": tree.organization.name,
        "owning_department": tree.owning_department.code if tree.owning_department else None,
        "status": p.status,
        "published": p.published,
        "period_start": _day(p.period_start),
        "period_end": _day(p.period_end),
        "adopted_on": _day(p.adopted_on),
        "mission": p.mission,
        "vision": p.vision,
        "mandate": p.mandate,
        "summary": p.summary,
        "terminology": {k: p.term(k) for k in p.terminology or {}},
        "as_of": tree.today.isoformat(),
        "rollup": _rollup(tree.rollup),
        "statements": [
            {
                "id": s.id,
                "kind": s.kind,
                "code": s.code,
                "title": s.title,
                "definition": s.definition,
            }
            for s in tree.statements
        ],
        "phases": [
            {
                "id": ph.id,
                "code": ph.code,
                "name": ph.name,
                "description": ph.description,
                "start": _day(ph.start),
                "end": _day(ph.end),
            }
            for ph in tree.phases
        ],
        # A goal whose focus area is archived is not lost: it is listed with the plan's own.
        "goals": [_goal(g) for g in tree.goals if g.focus_area_id not in fa_ids],
        "focus_areas": [
            {
                "id": n.focus_area.id,
                "version": n.focus_area.version,
                "code": n.focus_area.code,
                "title": n.focus_area.title,
                "description": n.focus_area.description,
                "category": n.focus_area.category,
                "active_from": _day(n.focus_area.active_from),
                "active_to": _day(n.focus_area.active_to),
                "narrative": n.focus_area.narrative if internal else None,
                "rollup": _rollup(n.rollup),
                "goals": [_goal(g) for g in n.goals],
                "strategies": [_strategy(s, internal) for s in n.strategies],
            }
            for n in tree.focus_areas
        ],
        "strategies": [_strategy(s, internal) for s in tree.unplaced],
        "metrics": [_metric(m) for m in tree.metrics],
        "quick_wins": [
            {
                "id": q.id,
                "version": q.version,
                "number": q.number,
                "service_areas": list(q.service_areas or []),
                "issue_category": q.issue_category,
                "customer_issue": q.customer_issue,
                "summary": q.summary,
                "category": q.category,
                "status": q.status,
                "department": depts[q.department_id].code if q.department_id in depts else None,
                "narrative": q.narrative if internal else None,
            }
            for q in tree.quick_wins
        ],
        "personas": [
            {
                "id": n.persona.id,
                "name": n.persona.name,
                "description": n.persona.description,
                "journeys": [{"title": j.title, "description": j.description} for j in n.journeys],
            }
            for n in tree.personas
        ],
    }


def programme_document(programme: Programme | None) -> dict[str, Any]:
    """The tree's additive programme fields: its member plans' roll-ups and the combined one."""
    if programme is None:
        return {"member_plans": [], "programme_rollup": None}
    return {
        "member_plans": [
            {
                "slug": m.plan.slug,
                "title": m.plan.title,
                "owning_department": m.owning_department.name if m.owning_department else None,
                "rollup": _rollup(m.rollup),
            }
            for m in programme.members
        ],
        "programme_rollup": _rollup(programme.combined),
    }


def programme_digest(programme: Programme) -> str:
    """A short digest of what programme_document says, for the tree's ETag."""
    text = json.dumps(programme_document(programme), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def tree_json(
    tree: plan_nodes.PlanTree, *, internal: bool, programme: Programme | None = None
) -> bytes:
    """The answer's body: compact UTF-8 JSON, as FastAPI would write it."""
    document = {**tree_document(tree, internal=internal), **programme_document(programme)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
