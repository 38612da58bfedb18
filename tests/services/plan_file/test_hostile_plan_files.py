"""Plan files that could hurt the server or lose a section are refused, naming the line."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from app.models import Metric, Plan
from app.services.plan_file import plan_yaml
from app.services.plan_file.importing import import_plan_path, import_plan_text
from app.services.plan_file.reading import PlanFileError, parse_plan_text
from tests.factories import TINY_PLAN

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
plan: [*i]
"""


def _refusal(text: str) -> PlanFileError:
    with pytest.raises(PlanFileError) as refused:
        parse_plan_text(text, source="plan.yaml")
    return refused.value


def _plans(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Plan)).scalar_one()


def test_billion_laughs_is_refused_at_its_first_alias_without_growing_memory() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = _refusal(BILLION_LAUGHS)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    [problem] = error.problems
    assert problem.line == 2 and "alias (*a)" in problem.message
    assert str(error).startswith("plan.yaml:2: ")
    # Expanded, the file is 9^9 strings (gigabytes); refused, it costs next to nothing.
    assert grown_kib < 50 * 1024


def test_an_alias_anywhere_in_a_real_plan_is_refused_and_nothing_is_stored(
    session: Session,
) -> None:
    text = TINY_PLAN.replace(
        "goals:\n  - {code: G1", "goals:\n  - {code: G1, outcomes_copy: &o [x]}\n  - {code: G2"
    ).replace("outcomes: [Residents wait less]", "outcomes: *o")
    with pytest.raises(PlanFileError) as refused:
        import_plan_text(session=session, text=text, source="plan.yaml")
    assert "alias (*o)" in str(refused.value)
    assert _plans(session) == 0


def test_a_section_written_twice_is_refused_naming_both_lines() -> None:
    text = TINY_PLAN + "metrics:\n  - {code: X, name: X, unit: count, direction: higher}\n"
    first = TINY_PLAN.splitlines().index("metrics:") + 1
    second = len(TINY_PLAN.splitlines()) + 1
    [problem] = _refusal(text).problems
    assert problem.line == second
    assert "'metrics' is written twice" in problem.message
    assert f"lines {first} and {second}" in problem.message


def test_a_key_written_twice_inside_an_item_is_refused() -> None:
    text = TINY_PLAN.replace("    unit: percent\n", "    unit: percent\n    unit: count\n")
    [problem] = _refusal(text).problems
    assert "'unit' is written twice" in problem.message


def test_python_tags_are_refused_with_their_line() -> None:
    text = TINY_PLAN.replace(
        "  title: Testville Customer Service Plan",
        "  title: !!python/object/apply:os.system ['echo hacked']",
    )
    [problem] = _refusal(text).problems
    assert (
        problem.line == TINY_PLAN.splitlines().index("  title: Testville Customer Service Plan") + 1
    )
    assert "python/object" in problem.message


def test_a_file_larger_than_any_plan_is_refused_before_it_is_read(
    session: Session, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("w") as out:
        out.write(TINY_PLAN)
        out.write("# " + "x" * 1000 + "\n")
        out.seek(plan_yaml.MAX_BYTES + 1)  # sparse: 10 MB without writing it
        out.write("\n")
    with pytest.raises(PlanFileError) as refused:
        import_plan_path(session=session, path=huge)
    assert "larger than 10 MB" in str(refused.value)
    assert _plans(session) == 0
    with pytest.raises(PlanFileError, match="larger than 10 MB"):
        parse_plan_text("x" * (plan_yaml.MAX_BYTES + 1))


def test_too_many_values_are_refused_with_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_yaml, "MAX_NODES", 50)
    [problem] = _refusal(TINY_PLAN).problems
    assert problem.line is not None and "more than 50 values" in problem.message


def test_a_file_that_is_not_utf8_is_refused_not_crashed(session: Session, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(TINY_PLAN.replace("Testville", "Montréal").encode("latin-1"))
    with pytest.raises(PlanFileError, match="not UTF-8"):
        import_plan_path(session=session, path=latin1)


def test_scalars_read_as_written_not_as_yaml_1_1_would_change_them(session: Session) -> None:
    # Unquoted, YAML 1.1 reads 4:22 as the base-60 integer 262 and `no` as false.
    text = TINY_PLAN.replace("  - code: FCR\n", "  - code: FCR\n    description: no\n")
    text = text.replace("    name: First call resolution", "    name: 4:22")
    plan = import_plan_text(session=session, text=text, source="plan.yaml")
    metric = session.exec(select(Metric).where(Metric.plan_id == plan.id)).scalars().one()
    assert metric.name == "4:22"
    assert metric.description == "no"
    # What stays a number or a boolean still is one.
    assert plan.published is True


def test_the_seed_plans_still_read() -> None:
    for seed in sorted(Path("seeds").glob("*.yaml")):
        parse_plan_text(seed.read_text(encoding="utf-8"), source=seed.name)


def test_plantrack_import_refuses_the_billion_laughs_and_a_duplicate_key_naming_the_line(
    database_url: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from app.cli.main import app

    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(BILLION_LAUGHS)
    refused = CliRunner().invoke(app, ["import", str(laughs)])
    assert refused.exit_code == 1
    assert f"{laughs}:2: an alias (*a) is not allowed" in refused.output

    twice = tmp_path / "twice.yaml"
    twice.write_text(TINY_PLAN.replace("plan:\n", "plan: {}\nplan:\n", 1))
    refused = CliRunner().invoke(app, ["import", str(twice)])
    assert refused.exit_code == 1 and "'plan' is written twice" in refused.output
    assert "nothing was imported" in refused.output
