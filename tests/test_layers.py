"""The layering of docs/architecture.md, kept true: a lower layer never imports a higher one.

models → services (rules → reading, accounts, changes → views; plan_file, operations,
demo_city beside) → routes → cli / main. Read from each module's own import statements (ast),
so a violation names the file and line that made it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

HTTP = ("fastapi", "starlette", "app.routes", "app.main", "app.auth", "app.deps", "app.templating")
SERVICE_PACKAGES = (
    "rules",
    "reading",
    "accounts",
    "changes",
    "views",
    "sessions",
    "exports",
    "publishing",
    "plan_file",
    "operations",
    "demo_city",
    "mail",
    "reminders",
)

# What each part of app/ may not import (a prefix of the imported module's dotted name).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "app/models": ("app.services", "app.routes", "app.cli", "app.main", "app.auth", "app.deps"),
    "app/services": (*HTTP, "app.cli"),
    # Rules on plain values: no database, and no other kind of service.
    "app/services/rules": (
        "sqlmodel",
        "sqlalchemy",
        "app.db",
        *(f"app.services.{p}" for p in SERVICE_PACKAGES if p != "rules"),
    ),
    # Reading the plan never writes, and knows nothing of the pages that use what it reads.
    "app/services/reading": tuple(
        f"app.services.{p}"
        for p in ("changes", "views", "sessions", "exports", "plan_file", "operations", "demo_city")
    ),
    "app/services/accounts": tuple(
        f"app.services.{p}"
        for p in ("views", "sessions", "exports", "plan_file", "operations", "demo_city")
    ),
    "app/services/changes": tuple(
        f"app.services.{p}" for p in ("views", "sessions", "exports", "operations", "demo_city")
    ),
    "app/services/views": tuple(
        f"app.services.{p}" for p in ("sessions", "exports", "plan_file", "operations", "demo_city")
    ),
    # Performance sessions write (through changes) and build their pack from the review's views.
    "app/services/sessions": tuple(
        f"app.services.{p}" for p in ("exports", "plan_file", "operations", "demo_city")
    ),
    # Exports lay out what a page's read model holds: they read, never write.
    "app/services/exports": tuple(
        f"app.services.{p}" for p in ("changes", "plan_file", "operations", "demo_city")
    ),
    # Publishing (issue 12) writes public updates through changes and reads the plan.
    "app/services/publishing": tuple(
        f"app.services.{p}"
        for p in ("views", "sessions", "exports", "plan_file", "operations", "demo_city")
    ),
    # Mail (issue 13) sends what others compose: it knows no page, no plan file, no session.
    "app/services/mail": tuple(
        f"app.services.{p}"
        for p in ("views", "sessions", "exports", "plan_file", "operations", "demo_city")
    ),
    # Reminders (issue 13) read what My work reads and hand digests to the mail.
    "app/services/reminders": tuple(
        f"app.services.{p}" for p in ("sessions", "exports", "plan_file", "operations", "demo_city")
    ),
    "app/routes": ("app.cli", "app.main"),
}
# A route may ask `permissions` what to show (`can…`, `require_read…`); deciding a write is the
# service's (its `require`), so a route that imports `require` decides twice, or alone.
ROUTE_FORBIDDEN_NAMES = {("app.services.accounts.permissions", "require")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module imported, names taken from it) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names = [a.name for a in node.names]
            yield node.lineno, module, names
            # `from app.services import views` imports the package app.services.views.
            for name in names:
                yield node.lineno, f"{module}.{name}", []


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_violations(root: Path = APP) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        rules = [
            prefix
            for part, prefixes in FORBIDDEN.items()
            if where.startswith(part + "/")
            for prefix in prefixes
        ]
        for line, module, names in _imports(path):
            for prefix in rules:
                if _under(module, prefix):
                    found.append(f"{where}:{line} imports {module}: not from this layer ({prefix})")
            if where.startswith("app/routes/"):
                for name in names:
                    if (module, name) in ROUTE_FORBIDDEN_NAMES:
                        found.append(f"{where}:{line} imports {module}.{name}: the service decides")
    return found


def test_no_lower_layer_imports_a_higher_one() -> None:
    assert layer_violations() == []


def test_every_service_module_is_in_a_package_that_says_its_job() -> None:
    """A new module goes in the folder of its job; none is left loose beside them."""
    loose = [
        p.name
        for p in (APP / "services").glob("*.py")
        if p.name not in ("__init__.py", "errors.py")
    ]
    assert loose == []
    packages = sorted(p.name for p in (APP / "services").iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(SERVICE_PACKAGES)


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("app/models/extra.py", "from app.services.rules import quarters\n", "app.services"),
        ("app/services/rules/extra.py", "from sqlmodel import select\n", "sqlmodel"),
        ("app/services/rules/extra.py", "from app.services import reading\n", "reading"),
        ("app/services/reading/extra.py", "from ..changes import history\n", "changes"),
        ("app/services/views/extra.py", "import fastapi\n", "fastapi"),
        (
            "app/routes/pages/extra.py",
            "from app.services.accounts.permissions import Action, require\n",
            "the service decides",
        ),
        ("app/routes/api/extra.py", "from app.cli import main\n", "app.cli"),
    ],
)
def test_a_violation_is_caught_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, source: str, expected: str
) -> None:
    """The check itself: a planted import of a higher layer is reported with its file."""
    fake_root = tmp_path
    target = fake_root / where
    target.parent.mkdir(parents=True)
    target.write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    found = layer_violations(fake_root / "app")
    assert len(found) >= 1 and all(where in f for f in found)
    assert any(expected in f for f in found)


def test_a_permitted_import_is_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "app/routes/pages/extra.py"
    target.parent.mkdir(parents=True)
    target.write_text(
        "from app.services.accounts.permissions import can, require_read_plan\n"
        "from app.services.changes import strategies\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert layer_violations(tmp_path / "app") == []


def _page_post_handlers() -> Iterator[tuple[str, ast.FunctionDef]]:
    for path in sorted((APP / "routes" / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "post"
                for d in node.decorator_list
            ):
                yield path.name, node


def test_a_page_form_post_reads_like_the_apis_load_call_answer() -> None:
    """A refusal reaches the form through form_posts.form_post, never a handler's own `except`
    ladder; so a handler stays short enough to read at a glance."""
    handlers = list(_page_post_handlers())
    assert len(handlers) >= 10  # the check sees the handlers it is about
    long_or_catching = [
        f"{name}:{node.name} ({node.end_lineno - node.body[0].lineno + 1} lines)"  # type: ignore[operator]
        for name, node in handlers
        if any(isinstance(n, ast.Try) for n in ast.walk(node))
        or node.end_lineno - node.body[0].lineno + 1 > 25  # type: ignore[operator]
    ]
    assert long_or_catching == []
