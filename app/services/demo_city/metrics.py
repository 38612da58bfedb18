"""The demo city's metrics: each with its targets and a measurement for every month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.models import Measurement, Metric, MetricTarget
from app.services.demo_city.calendar import add_months, moment, month_start
from app.services.demo_city.draft import CityDraft
from app.services.demo_city.sizes import MONTHS_OF_MEASUREMENTS, apportion
from app.services.demo_city.vocabulary import FREQUENCIES, HORIZONS, METRICS


def add_metrics(
    city: CityDraft,
    plans: list[dict[str, Any]],
    focus_areas: list[dict[str, Any]],
    strategies: list[dict[str, Any]],
    departments: list[dict[str, Any]],
    users: dict[str, Any],
    total: int,
) -> None:
    rng, today = city.rng, city.today
    strategies_of: dict[int, list[dict[str, Any]]] = {}
    for s in strategies:
        strategies_of.setdefault(s["plan_id"], []).append(s)
    fas_of: dict[int, list[dict[str, Any]]] = {}
    for fa in focus_areas:
        fas_of.setdefault(fa["plan_id"], []).append(fa)
    per_plan = apportion(total, [len(strategies_of.get(p["id"], [])) for p in plans], minimum=1)
    last_period = add_months(month_start(today), -1)
    periods = [add_months(last_period, -k) for k in range(MONTHS_OF_MEASUREMENTS - 1, -1, -1)]
    for plan, count in zip(plans, per_plan, strict=True):
        own_strategies = strategies_of.get(plan["id"], [])
        own_fas = fas_of.get(plan["id"], [])
        for pos in range(count):
            name, unit, direction, (low, high), improve = rng.choice(METRICS)
            refs: dict[str, Any] = {
                "statement_id": None,
                "goal_id": None,
                "strategy_id": None,
                "focus_area_id": None,
            }
            pick = rng.random()
            dept = rng.choice(departments)
            if pick < 0.15:
                refs["statement_id"] = rng.choice(plan["_statements"])
            elif pick < 0.3 and own_fas:
                refs["goal_id"] = rng.choice(rng.choice(own_fas)["_goals"])
            elif pick < 0.5 and own_fas:
                refs["focus_area_id"] = rng.choice(own_fas)["id"]
            elif pick < 0.95 and own_strategies:
                s = rng.choice(own_strategies)
                refs["strategy_id"], dept = s["id"], s["_dept"]
            baseline = round(rng.uniform(low, high), 1)
            metric_id = city.add(
                Metric,
                plan_id=plan["id"],
                department_id=dept["id"],
                internal=False,
                code=f"M{pos + 1:04d}",
                position=pos,
                name=f"{name} ({dept['name']})"[:300],
                description=f"{name}, reported by {dept['name']}.",
                kind="Performance measure",
                unit=unit,
                direction=direction,
                horizon=rng.choice(HORIZONS),
                frequency=rng.choice(FREQUENCIES),
                data_source=f"{dept['name']} records",
                tolerance=round(abs(baseline) * 0.05, 2) if direction == "hold" else None,
                tolerance_kind="absolute",
                baseline_value=baseline,
                baseline_date=periods[0],
                baseline_note="",
                **refs,
            )
            _add_targets(city, metric_id, unit, direction, baseline, improve, periods)  # type: ignore[arg-type]
            entered_by = users["lead_of"][dept["id"]][0]
            value = baseline
            drift = (baseline * improve) / MONTHS_OF_MEASUREMENTS * rng.uniform(0.5, 1.6)
            noise = max(abs(baseline) * 0.03, 0.05)
            for period in periods:
                value = value + drift + rng.gauss(0, noise)
                if unit == "percent":
                    value = min(100.0, max(0.0, value)) if direction != "hold" else value
                elif unit != "percent" and direction != "hold":
                    value = max(0.0, value)
                entered_on = add_months(period, 1) + dt.timedelta(days=rng.randint(0, 9))
                entered = moment(entered_on, rng)
                city.add(
                    Measurement,
                    metric_id=metric_id,
                    period=period,
                    value=round(value, 2),
                    note="",
                    void_reason="",
                    entered_by_id=entered_by,
                    created_at=entered,
                )


def _add_targets(
    city: CityDraft,
    metric_id: int,
    unit: str,
    direction: str,
    baseline: float,
    improve: float,
    periods: list[dt.date],
) -> None:
    rng = city.rng
    if direction == "higher":
        comparator = rng.choice(("at_least", "at_least", "above"))
        value = baseline * (1 + abs(improve))
    elif direction == "lower":
        comparator = rng.choice(("at_most", "at_most", "below"))
        value = baseline * (1 - abs(improve))
    else:
        comparator, value = "exactly", 0.0
    if unit == "percent":
        value = min(value, 100.0)
    value = round(value, 1)
    city.add(
        MetricTarget,
        metric_id=metric_id,
        value=value,
        comparator=comparator,
        label=f"{comparator.replace('_', ' ')} {value:g}",
        effective_from=None,
    )
    if direction != "hold" and rng.random() < 0.2:  # a revised, more ambitious target
        revised = round(value * (1.05 if direction == "higher" else 0.95), 1)
        if unit == "percent":
            revised = min(revised, 100.0)
        city.add(
            MetricTarget,
            metric_id=metric_id,
            value=revised,
            comparator=comparator,
            label=f"revised: {comparator.replace('_', ' ')} {revised:g}",
            effective_from=rng.choice(periods[12:]),
        )
