"""The YAML loader for plan files: YAML 1.1's scalars, except base-60 numbers.

PyYAML's safe loader follows YAML 1.1, where an unquoted `4:22` is the base-60 integer 262 and
`3:00` is 180 (STACK.md pitfall 9): "average wait 4:22 against 3:00" imported silently as 262
against 180. Plan files write waits that way, so this loader reads such scalars as text, which
the plan-file schema turns into minutes or seconds by the metric's unit (or refuses).
"""

from __future__ import annotations

import re

import yaml

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
# PyYAML's own patterns for ints and floats, without their base-60 alternatives.
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class PlanFileLoader(yaml.SafeLoader):
    """yaml.SafeLoader reading `4:22` as the text "4:22"."""


PlanFileLoader.yaml_implicit_resolvers = {
    first: [
        (tag, _INT if tag == _INT_TAG else _FLOAT if tag == _FLOAT_TAG else pattern)
        for tag, pattern in resolvers
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
