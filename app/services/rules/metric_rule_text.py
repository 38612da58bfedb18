"""A metric's rule read back as one sentence: what counts as on track, at risk and off track.

"On track at 75% or more; at risk from 71.25%; off track below." It reads the same rule that
services.rules.metric_rule applies (the at-risk band is the metric's own tolerance, in its unit —
points for a percentage — or as a share of the target when its kind says so, else 5% of the
target), so the page and the API say exactly what the status will be, edges included. The
edges are written as people write values (at most two decimals, "4:45" for minutes), never
"71.24999%". A band that reaches the metric's bounds (a
percentage is 0 to 100) leaves nothing off track on that side, and the sentence says so.

When the metric has a reporting window, a second sentence says when its values are due:
"Reported monthly, due within 30 days of each month's end; stale when a value is late."

The status words are the plan's own where it has them (Plan.status_words, e.g. Durham's "On
Target … Close to Target … Needs Improvement"), looked up by rollup.label, else ours.

Apart from metric_rule so that module stays the rule alone; pure, tested with plain values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

from app.models.enums import Comparator, Direction, ToleranceKind
from app.services.rules.measurement_rules import Bounds, bounds_of
from app.services.rules.metric_rule import _EPS, allowed_band
from app.services.rules.reporting_periods import FREQUENCY_WORDS, is_regular
from app.services.rules.rollup import label
from app.services.rules.value_text import format_value

# Our words as the sentence writes them, each replaced by the plan's word for its status.
_PHRASES = (("On track", "on_track"), ("at risk", "at_risk"), ("off track", "off_track"))

NOT_JUDGED = "No target set: not judged."


def _reaches(edge: float, bound: float | None, *, below: bool) -> bool:
    """Whether the band's edge is at or past the bound on its side (nothing lies beyond it)."""
    if bound is None:
        return False
    if math.isclose(edge, bound, rel_tol=_EPS, abs_tol=_EPS):
        return True
    return edge < bound if below else edge > bound


def _higher_is_met(target: str, band: float, reach: bool, strict: bool, on: str) -> str:
    """The sentence when values under the target fall short (at least, above, exactly-higher).
    `reach`: the band reaches the lowest value a measurement may have."""
    if strict:  # "above": the target itself is not met, so it is at risk (a gap of 0)
        if reach:
            return f"{on}; at risk at {target} or below."
        if band == 0:
            return f"{on}; at risk at {target}; off track below."
        return f"{on}; at risk from {{lo}} to {target}; off track below."
    if band == 0:
        return f"{on}; off track below."
    if reach:
        return f"{on}; at risk below."
    return f"{on}; at risk from {{lo}}; off track below."


def _lower_is_met(target: str, band: float, reach: bool, strict: bool, on: str) -> str:
    """The mirror of `_higher_is_met`, for at most, below and exactly-lower."""
    if strict:
        if reach:
            return f"{on}; at risk at {target} or above."
        if band == 0:
            return f"{on}; at risk at {target}; off track above."
        return f"{on}; at risk from {target} to {{hi}}; off track above."
    if band == 0:
        return f"{on}; off track above."
    if reach:
        return f"{on}; at risk above."
    return f"{on}; at risk up to {{hi}}; off track above."


def _exactly(target: str, band: float, reach_low: bool, reach_high: bool) -> str:
    on = f"On track at exactly {target}"
    if band == 0:
        return f"{on}; off track otherwise."
    if reach_low and reach_high:
        return f"{on}; at risk otherwise."
    if reach_low:
        return f"{on}; at risk up to {{hi}}; off track above."
    if reach_high:
        return f"{on}; at risk from {{lo}}; off track below."
    return f"{on}; at risk from {{lo}} to {{hi}}; off track outside that."


def rule_sentence(
    *,
    target_value: float | None,
    comparator: str | None,
    direction: str,
    tolerance: float | None,
    unit: str | None = None,
    bounds: Bounds = Bounds(None, None),
    tolerance_kind: str | None = ToleranceKind.absolute,
    words: Mapping[str, str] | None = None,
) -> str:
    """The metric rule for this target as one sentence (see the module docstring), in the
    plan's status `words` where it has them."""
    if target_value is None or comparator is None:
        return NOT_JUDGED
    return in_words(
        _sentence(target_value, comparator, direction, tolerance, unit, bounds, tolerance_kind),
        words,
    )


def in_words(sentence: str, words: Mapping[str, str] | None) -> str:
    """`sentence` with our status words replaced by the plan's own (rollup.label): "On track"
    opens a sentence, the others are lower case within it; a plan's word is kept as written."""
    if not words:
        return sentence
    for n, (ours, _) in enumerate(_PHRASES):
        sentence = sentence.replace(ours, f"\x00{n}\x00")
    for n, (_, code) in enumerate(_PHRASES):
        sentence = sentence.replace(f"\x00{n}\x00", label(code, words))
    return sentence


def _sentence(
    target_value: float,
    comparator: str,
    direction: str,
    tolerance: float | None,
    unit: str | None,
    bounds: Bounds,
    tolerance_kind: str | None,
) -> str:
    band = allowed_band(
        tolerance=tolerance, tolerance_kind=tolerance_kind, target_value=target_value
    )
    if math.isclose(band, 0, abs_tol=_EPS):
        band = 0.0
    lo, hi = target_value - band, target_value + band
    reach_low = _reaches(lo, bounds.low, below=True)
    reach_high = _reaches(hi, bounds.high, below=False)
    target = format_value(target_value, unit)
    comparing = Comparator(comparator)
    going = Direction(direction)
    if comparing == Comparator.exactly and going == Direction.higher:
        comparing = Comparator.at_least  # a miss on the higher side is met (metric_rule)
    elif comparing == Comparator.exactly and going == Direction.lower:
        comparing = Comparator.at_most
    if comparing == Comparator.at_least and _reaches(target_value, bounds.low, below=True):
        return f"On track at {target} or more."  # nothing can fall short
    if comparing == Comparator.at_most and _reaches(target_value, bounds.high, below=False):
        return f"On track at {target} or less."
    match comparing:
        case Comparator.at_least:
            text = _higher_is_met(target, band, reach_low, False, f"On track at {target} or more")
        case Comparator.above:
            text = _higher_is_met(target, band, reach_low, True, f"On track above {target}")
        case Comparator.at_most:
            text = _lower_is_met(target, band, reach_high, False, f"On track at {target} or less")
        case Comparator.below:
            text = _lower_is_met(target, band, reach_high, True, f"On track below {target}")
        case _:
            text = _exactly(target, band, reach_low, reach_high)
    return text.format(lo=format_value(lo, unit), hi=format_value(hi, unit))


def reporting_sentence(
    frequency: str | None, window_days: int | None, words: Mapping[str, str] | None = None
) -> str:
    """When values are due, as metric_rule.Reporting judges it ("" when no window is set)."""
    if window_days is None:
        return ""
    if not is_regular(frequency):
        return (
            f"A reporting window of {_days(window_days)} is set, but with no regular "
            "frequency no value is ever late."
        )
    every, noun = FREQUENCY_WORDS[frequency]  # type: ignore[index]
    due = (
        f"due by each {noun}'s end"
        if window_days == 0
        else f"due within {_days(window_days)} of each {noun}'s end"
    )
    stale = label("stale", words) if words and words.get("stale") else "stale"
    return f"Reported {every}, {due}; {stale} when a value is late."


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


class MetricLike(Protocol):
    unit: str
    direction: str
    tolerance: float | None
    bound_min: float | None
    bound_max: float | None


class TargetValue(Protocol):
    value: float
    comparator: str


def metric_rule_text(
    metric: MetricLike, target: TargetValue | None, words: Mapping[str, str] | None = None
) -> str:
    """The sentences for `metric` judged against `target` (the one in force), within its
    bounds, and when its values are due; in the plan's status `words`."""
    judged = rule_sentence(
        target_value=target.value if target is not None else None,
        comparator=target.comparator if target is not None else None,
        direction=metric.direction,
        tolerance=metric.tolerance,
        unit=metric.unit,
        bounds=bounds_of(metric),  # type: ignore[arg-type]
        # A metric without a kind (read before it existed) means an absolute band.
        tolerance_kind=getattr(metric, "tolerance_kind", ToleranceKind.absolute),
        words=words,
    )
    due = reporting_sentence(
        getattr(metric, "frequency", None), getattr(metric, "reporting_window_days", None), words
    )
    return f"{judged} {due}" if due else judged
