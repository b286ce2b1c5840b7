"""The package's shape: no import cycle among sucai's modules as they load (ARCHITECTURE.md: one module per
stage, each importing only the stages below it)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import sucai

PACKAGE = Path(sucai.__file__).parent


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its ``__init__.py``); the migrations are
    Alembic's scripts, which no module imports."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" not in parts:
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _load_time_imports(statements: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements run as a module loads: at its top level, in ``if`` and ``try`` blocks, not under
    ``if TYPE_CHECKING`` nor in a function."""
    for statement in statements:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        elif isinstance(statement, ast.If) and "TYPE_CHECKING" not in ast.unparse(statement.test):
            yield from _load_time_imports(statement.body + statement.orelse)
        elif isinstance(statement, ast.Try):
            yield from _load_time_imports(statement.body + [s for h in statement.handlers for s in h.body]
                                          + statement.orelse + statement.finalbody)


def _targets(name: str, path: Path, statement: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The modules ``statement`` of module ``name`` names: for ``from p import x``, ``p.x`` when it is a module,
    else ``p`` itself (a relative ``p`` resolved from ``name``'s package)."""
    if isinstance(statement, ast.Import):
        return {alias.name for alias in statement.names}
    base = statement.module or ""
    if statement.level:
        package = name.split(".")[: None if path.name == "__init__.py" else -1]
        base = ".".join(package[: len(package) - statement.level + 1] + ([base] if base else []))
    named = {f"{base}.{alias.name}" for alias in statement.names}
    return {module for module in named if module in known} | ({base} if named - known else set())


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that loading module ``name`` loads first: each it names with the packages it is in,
    but the packages ``name`` is in itself, which are loading already when it runs."""
    loaded = set()
    for statement in _load_time_imports(ast.parse(path.read_text(encoding="utf-8")).body):
        for target in _targets(name, path, statement, known):
            parts = target.split(".")
            for prefix in (".".join(parts[:end]) for end in range(1, len(parts) + 1)):
                if prefix in known and prefix != name and (prefix == target or not name.startswith(prefix + ".")):
                    loaded.add(prefix)
    return loaded


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_no_module_of_sucai_imports_itself_again_through_others():
    try:
        TopologicalSorter(import_graph()).prepare()
    except CycleError as cycle:
        pytest.fail("模块导入成环（→：导入）：" + " → ".join(reversed(cycle.args[1])))


def test_the_import_graph_has_the_imports_a_module_loads_with_and_only_those():
    """What the cycle test reads, checked on imports read by hand from the modules."""
    graph = import_graph()
    assert {"sucai.store", "sucai.access", "sucai.config"} <= graph["sucai.library"]      # from .store import …
    assert graph["sucai.metadata.genres"] == {"sucai.analysis", "sucai.errors", "sucai.model", "sucai.metadata.issuers",
                                              "sucai.metadata.lines"}                      # from ..analysis, from .issuers
    assert "sucai.store" not in graph["sucai.access"]          # under ``if TYPE_CHECKING``
    assert "sucai.db.migrate" not in graph["sucai.db"]         # inside a function
    assert "sucai.web" not in graph["sucai.web.account"]       # its own package, loading already
    assert {"sucai.web.app"} <= graph["sucai.web"]
