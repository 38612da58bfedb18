"""The report's SVG chart geometry (app.services.views.svg_chart): points in the plot, the value
axis on round numbers, and the target in force as one dashed run per target."""

from __future__ import annotations

from app.services.views.svg_chart import build_chart, nice_ticks


def chart(values: list[float], targets: list[float | None]):  # type: ignore[no-untyped-def]
    periods = [f"2025-{m:02d}" for m in range(1, len(values) + 1)]
    return build_chart(
        title="Calls answered",
        periods=periods,
        values=values,
        targets=targets,
        value_text=[f"{v:g} %" for v in values],
        target_label="Target (80 %)",
    )


def test_ticks_are_round_and_cover_the_values() -> None:
    assert nice_ticks(3.7, 18.2) == [0, 5, 10, 15, 20]
    assert nice_ticks(78, 85) == [78, 80, 82, 84, 86]
    assert nice_ticks(5, 5)[0] < 5 < nice_ticks(5, 5)[-1]  # one value: still an axis


def test_points_fall_inside_the_plot_higher_values_higher_up() -> None:
    c = chart([10, 50, 90], [None, None, None])
    assert len(c.points) == 3
    for p in c.points:
        assert c.left <= p.x <= c.right and c.top <= p.y <= c.bottom
    assert c.points[0].y > c.points[1].y > c.points[2].y  # SVG's y grows downwards
    assert c.points[0].x < c.points[1].x < c.points[2].x
    assert c.points[1].label == "2025-02: 50 %"
    assert c.line.count(",") == 3
    assert not c.has_target


def test_the_target_is_one_run_per_target_in_force() -> None:
    c = chart([70, 75, 82, 86, 88], [80, 80, 85, 85, None])
    assert c.target_path.count("M ") == 2  # 80 for two periods, then 85 for two, then none
    first, second = c.target_path.split("M ")[1:]
    y80, y85 = float(first.split()[1]), float(second.split()[1])
    assert y85 < y80  # the higher target is drawn higher
    # A run spans its periods: from the first period's left edge to the last one's right edge.
    assert float(first.split("H ")[1]) < float(second.split()[0]) + 1


def test_no_values_no_chart_geometry() -> None:
    c = chart([], [])
    assert c.points == [] and c.line == "" and c.target_path == ""


def test_the_time_axis_names_months_short_and_the_points_in_full() -> None:
    c = build_chart(
        title="Calls",
        periods=["December 2023", "January 2024", "2024 Q1", "2024"],
        values=[1, 2, 3, 4],
        targets=[None] * 4,
        value_text=["1", "2", "3", "4"],
    )
    assert [t.label for t in c.x_ticks] == ["Dec 2023", "Jan 2024", "2024 Q1", "2024"]
    assert c.points[0].label == "December 2023: 1"
