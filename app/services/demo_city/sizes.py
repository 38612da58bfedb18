"""How big the demo city is: what scale 1 holds, and how a count is shared out among its parts."""

from __future__ import annotations

from collections.abc import Sequence

# What scale 1 holds (the "city of about 40 departments").
BASE = {
    "departments": 40,
    "plans": 8,
    "focus_areas": 60,
    "strategies": 600,
    "steps": 5_000,
    "metrics": 1_200,
    "quick_wins": 120,
    "progress_updates": 20_000,
    "coordinators": 6,
    "viewers": 10,
}
MONTHS_OF_MEASUREMENTS = 36
HISTORY_DAYS = 3 * 365
FLAGSHIP_SHARE = 0.25  # the city-wide plan's share of focus areas (and so of everything below)


def scaled(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def apportion(total: int, weights: Sequence[float], *, minimum: int = 0) -> list[int]:
    """Split `total` into len(weights) whole parts proportional to `weights` (largest remainder),
    each at least `minimum` when the total allows it."""
    n = len(weights)
    if n == 0:
        return []
    floor = minimum if total >= minimum * n else 0
    rest = total - floor * n
    whole = sum(weights) or 1.0
    exact = [rest * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + floor for p in parts]
