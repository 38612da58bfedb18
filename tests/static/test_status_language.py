"""The status language (issue 12): every status has its colour pair, its shape and its word, in
one place (app/static/app.css), and every colour pair is readable (WCAG AA, 4.5:1).

The palette is read from the CSS itself, so a colour changed there is checked here, and a status
added to the enums or to the roll-up's words without a style fails before it ships unstyled."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from app.models.enums import QuickWinStatus, StrategyStatus
from app.services.rules import rollup
from app.settings import ROOT

CSS = (ROOT / "app" / "static" / "app.css").read_text()
TEMPLATES = ROOT / "app" / "templates"
# Every status code a badge can show: the owner's statuses, the effective ones the roll-up adds
# (overdue, stale), the metric rule's (no data, no target) and the quick wins' scale.
CODES = sorted(
    {str(s) for s in StrategyStatus}
    | {str(s) for s in QuickWinStatus}
    | set(rollup.SEVERITY)
    | set(rollup.LABELS)
)


def _palette() -> dict[str, str]:
    pairs = re.finditer(r"--(st-[a-z_]+-(?:bg|fg)):\s*(#[0-9A-Fa-f]{6})", CSS)
    return {m[1]: m[2].upper() for m in pairs}


def _rule(selector: str) -> str:
    """The declarations of the rule whose selector is exactly `selector`."""
    found = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert found, f"no rule for {selector} in app.css"
    return " ".join(found[1].split())


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_matches_wcags_known_values() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_the_statuses_are_the_ones_the_app_shows() -> None:
    strategy = {"on_track", "at_risk", "off_track", "overdue", "stale", "not_started", "complete"}
    assert strategy <= set(CODES)
    assert {"no_data", "no_target", "on_hold", "planned", "in_progress"} <= set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_each_status_has_its_colours_its_shape_and_its_word(code: str) -> None:
    palette = _palette()
    assert f"st-{code}-bg" in palette and f"st-{code}-fg" in palette, code
    picks = f"--st-bg: var(--st-{code}-bg); --st-fg: var(--st-{code}-fg);"
    assert _rule(f".status-{code}") == picks
    shape = _rule(f".status-{code}::before")
    assert "currentColor" in shape, f"{code}'s shape is not drawn in its text colour"
    assert rollup.label(code) != code  # a word of its own, not the code


@pytest.mark.parametrize("code", CODES)
def test_each_status_text_reads_on_its_badge_at_wcag_aa(code: str) -> None:
    palette = _palette()
    ratio = contrast(palette[f"st-{code}-bg"], palette[f"st-{code}-fg"])
    assert ratio >= 4.5, f"{code}: {ratio:.2f}:1"


def test_no_two_statuses_share_a_colour_or_a_shape() -> None:
    palette = _palette()
    backgrounds = [palette[f"st-{code}-bg"] for code in CODES]
    assert len(set(backgrounds)) == len(CODES)
    shapes = [_rule(f".status-{code}::before") for code in CODES]
    assert len(set(shapes)) == len(CODES)


def test_the_old_confusions_are_gone() -> None:
    """Stale, not started and no data were one grey; overdue and off track near-identical reds;
    a quick win in progress wore on-track green."""
    palette = _palette()
    bg = {code: palette[f"st-{code}-bg"] for code in CODES}
    assert len({bg["stale"], bg["not_started"], bg["no_data"]}) == 3
    assert bg["overdue"] != bg["off_track"]
    assert bg["in_progress"] != bg["on_track"]


# Badges written by hand instead of through partials/macros.html status_badge. The scorecard's
# chart tables inline the macro's markup on purpose (a loop over every point of every chart).
HAND_WRITTEN_ALLOWED = {"partials/macros.html", "scorecard/_macros.html"}


def test_every_template_writes_a_status_badge_through_the_macro() -> None:
    by_hand = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if 'class="status status-' in path.read_text()
        and str(path.relative_to(TEMPLATES)) not in HAND_WRITTEN_ALLOWED
    ]
    assert by_hand == []


# Colour-vision deficiencies, simulated at full severity by Machado, Oliveira & Fernandes (2009)
# in linear RGB; colours compared by their CIE76 distance in CIELAB (about 2.3 is just noticeable).
SIMULATIONS = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def _linear(colour: str) -> tuple[float, ...]:
    values = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return tuple(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in values)


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = (min(1.0, max(0.0, v)) for v in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(colour: str, matrix: tuple[tuple[float, ...], ...]) -> tuple[float, float, float]:
    rgb = _linear(colour)
    return _lab(tuple(sum(m * c for m, c in zip(row, rgb, strict=True)) for row in matrix))


@pytest.mark.parametrize("deficiency", list(SIMULATIONS))
def test_the_statuses_stay_apart_for_colour_blind_readers(deficiency: str) -> None:
    palette = _palette()
    seen = {code: _seen(palette[f"st-{code}-bg"], SIMULATIONS[deficiency]) for code in CODES}
    close = [
        (a, b, round(math.dist(seen[a], seen[b]), 1))
        for a, b in itertools.combinations(CODES, 2)
        if math.dist(seen[a], seen[b]) < 8
    ]
    assert close == []
    for a, b in (("stale", "not_started"), ("stale", "no_data"), ("overdue", "off_track")):
        assert math.dist(seen[a], seen[b]) >= 30, (a, b)
    assert math.dist(seen["in_progress"], seen["on_track"]) >= 30
