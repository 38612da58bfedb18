"""Reading a plan file: YAML → validated `PlanFile`, with errors that name file, line and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.services.plan_file.plan_yaml import (
    MAX_BYTES,
    PlanYamlError,
    compose_plan_yaml,
    construct_plan_yaml,
)
from app.services.plan_file.schema import PlanFile

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
        root = compose_plan_yaml(text)
        data = construct_plan_yaml(root)
    except PlanYamlError as exc:
        raise PlanFileError(source, [PlanFileProblem("", exc.line, exc.message)]) from exc
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


def read_plan_text(path: Path) -> str:
    """A plan file's text, refused before reading when larger than any plan could be."""
    try:
        if path.stat().st_size > MAX_BYTES:
            # A 50 MB file would otherwise be held in memory (twice) before being refused.
            problem = f"the file is larger than {MAX_BYTES // 2**20} MB, more than any plan"
            raise PlanFileError(str(path), [PlanFileProblem("", None, problem)])
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanFileError(
            str(path), [PlanFileProblem("", None, exc.strerror or str(exc))]
        ) from exc
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte {exc.start + 1} cannot be read): save it as UTF-8"
        raise PlanFileError(str(path), [PlanFileProblem("", None, problem)]) from exc


def read_plan_file(path: Path) -> tuple[PlanFile, LineIndex]:
    return parse_plan_text(read_plan_text(path), source=str(path))
