"""The YAML a plan file may be written in: bounded, unambiguous, and honest about its lines.

A plan file comes from people (and, with the plan builder, from anyone allowed to upload one), so
the reader refuses what could hurt the server or silently lose a section:
- aliases (`*name`): ten lines of nested aliases expand to billions of nodes ("billion laughs");
  a plan file never needs them, so the first one is refused with its line;
- more than `MAX_NODES` nodes, or more than `MAX_BYTES` of text (checked before parsing);
- a key written twice in one mapping (`metrics:` twice): YAML's own rule is last-wins, which
  drops the first section without a word; both lines are named.
It also reads a scalar the way the person wrote it where YAML 1.1 would change it: `4:22` (a wait
of four minutes twenty-two) stays the text "4:22" rather than the base-60 integer 262, and only
`true`/`false` are booleans (`no`, `off` and `yes` stay words).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_BYTES = 10 * 1024 * 1024
MAX_NODES = 500_000


class PlanYamlError(Exception):
    """The text was refused before it became data; `line` is 1-based when known."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# YAML 1.1's int and float forms as SafeLoader reads them, less the base-60 ones (`4:22`).
_INT = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
)
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
    r"|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class PlanYamlLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys, base-60 numbers or yes/no booleans."""

    # Our own copy of the implicit resolvers, so SafeLoader's are left as they are.
    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise PlanYamlError(
                event.start_mark.line + 1,
                f"an alias (*{event.anchor}) is not allowed in a plan file: write the value out",
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            event = self.peek_event()
            raise PlanYamlError(
                event.start_mark.line + 1,
                f"the file holds more than {MAX_NODES:,} values, more than any plan has",
            )
        node = super().compose_node(parent, index)  # type: ignore[arg-type]
        if isinstance(node, yaml.MappingNode):
            _refuse_duplicate_keys(node)
        return node


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    first_line: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        line = key_node.start_mark.line + 1
        key = str(key_node.value)
        if key in first_line:
            raise PlanYamlError(
                line,
                f"'{key}' is written twice in the same mapping (lines {first_line[key]} and "
                f"{line}); only one can be kept: merge them into one",
            )
        first_line[key] = line


for first_chars, tag, pattern in (
    ("tTfF", "tag:yaml.org,2002:bool", _BOOL),
    ("-+0123456789", "tag:yaml.org,2002:int", _INT),
    ("-+0123456789.", "tag:yaml.org,2002:float", _FLOAT),
):
    for char in first_chars:
        PlanYamlLoader.yaml_implicit_resolvers.setdefault(char, []).append((tag, pattern))
for char, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
    for tag, pattern in resolvers:
        if tag in (
            "tag:yaml.org,2002:null",
            "tag:yaml.org,2002:timestamp",
            "tag:yaml.org,2002:merge",
            "tag:yaml.org,2002:value",
        ):
            PlanYamlLoader.yaml_implicit_resolvers.setdefault(char, []).append((tag, pattern))


def compose_plan_yaml(text: str) -> yaml.Node | None:
    """The text's one document as a node tree, refused early if it is too large."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
        raise PlanYamlError(
            None, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB, more than any plan"
        )
    loader = PlanYamlLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def construct_plan_yaml(root: yaml.Node | None) -> Any:
    """Python values of a node tree made by `compose_plan_yaml`."""
    if root is None:
        return None
    loader = PlanYamlLoader("")
    try:
        return loader.construct_document(root)
    finally:
        loader.dispose()
