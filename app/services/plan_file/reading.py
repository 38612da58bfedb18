"""Reading a plan file: YAML → validated `PlanFile`, with errors that name file, line and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.services.plan_file.schema import PlanFile
from app.services.plan_file.yaml_scalars import PlanFileLoader

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class PlanFileProblem:
    path: str
    line: int | None
    message: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PlanFileError(Exception):
    """The file was refused; nothing was stored. `problems` lists every one found."""

    def __init__(self, source: str, problems: list[PlanFileProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


def format_loc(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class LineIndex:
    """Maps a field path (`("focus_areas", 2, "term")`) to the line where it is written."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._lines: dict[Loc, int] = {}
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, loc: Loc) -> None:
        self._lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = loc + (str(key_node.value),)
                self._lines[key] = key_node.start_mark.line + 1
                self._walk(value_node, key)
                self._lines[key] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, loc + (index,))

    def line_of(self, loc: Loc) -> int | None:
        for end in range(len(loc), -1, -1):
            line = self._lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected}"
    if kind == "literal_error":
        return f"must be {str(ctx.get('expected', '')).replace(chr(39), '')}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of this format (misspelt?)"
    if kind == "string_type":
        return 'must be text (quote codes that look like numbers, e.g. "3.1")'
    if kind == "string_pattern_mismatch":
        return f"'{error.get('input')}' does not have the expected form ({ctx.get('pattern')})"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _clean_loc(loc: Loc) -> Loc:
    # Pydantic adds the tag of a validator ("function-after[...]") to some locations.
    return tuple(part for part in loc if not (isinstance(part, str) and "[" in part))


def parse_plan_text(text: str, *, source: str = "<plan file>") -> tuple[PlanFile, LineIndex]:
    try:
        root = yaml.compose(text, Loader=PlanFileLoader)
        data = yaml.load(text, Loader=PlanFileLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = f"not valid YAML: {exc.problem or exc}"
        raise PlanFileError(source, [PlanFileProblem("", line, problem)]) from exc
    except yaml.YAMLError as exc:
        raise PlanFileError(source, [PlanFileProblem("", None, f"not valid YAML: {exc}")]) from exc
    lines = LineIndex(root)
    if not isinstance(data, dict):
        raise PlanFileError(source, [PlanFileProblem("", 1, "a plan file is a YAML mapping")])
    try:
        return PlanFile.model_validate(data), lines
    except ValidationError as exc:
        problems = [
            PlanFileProblem(
                format_loc(_clean_loc(err["loc"])),
                lines.line_of(_clean_loc(err["loc"])),
                _message(err),
            )
            for err in exc.errors()
        ]
        raise PlanFileError(source, problems) from exc


def read_plan_file(path: Path) -> tuple[PlanFile, LineIndex]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanFileError(
            str(path), [PlanFileProblem("", None, exc.strerror or str(exc))]
        ) from exc
    return parse_plan_text(text, source=str(path))
