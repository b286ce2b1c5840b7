"""The package's shape: no import cycle among sucai's modules as they load, nor through the imports their functions
make as they run (ARCHITECTURE.md: one module per stage, each importing only the stages below it)."""

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


def _every_import(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements under ``node``, those inside its functions too (run when the function is), but not under
    ``if TYPE_CHECKING``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from (found for other in child.orelse for found in [*_every_import(other)])
        else:
            yield from _every_import(child)


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


def imports(name: str, path: Path, known: set[str], every: bool = False) -> set[str]:
    """The modules of ``known`` that loading module ``name`` loads first (``every``: that it may load at all, inside a
    function too — but a package's own modules, which the package stands over, as ``sucai.db`` over its ``migrate``):
    each it names with the packages it is in, but the packages ``name`` is in itself, which are loading already when
    it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    loaded = set()
    for statement in _every_import(tree) if every else _load_time_imports(tree.body):
        for target in _targets(name, path, statement, known) - {t for t in known if every and t.startswith(name + ".")}:
            parts = target.split(".")
            for prefix in (".".join(parts[:end]) for end in range(1, len(parts) + 1)):
                if prefix in known and prefix != name and (prefix == target or not name.startswith(prefix + ".")):
                    loaded.add(prefix)
    return loaded


def import_graph(every: bool = False) -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found), every) for name, path in found.items()}


@pytest.mark.parametrize("every", [False, True], ids=["as-they-load", "inside-functions-too"])
def test_no_module_of_sucai_imports_itself_again_through_others(every):
    """Not as they load, nor through an import a function makes when it runs (a heavy module loaded late): a module
    imports only what lies below it (tidy31: cli.common imported cli.progress's ``step`` inside a function, and
    progress imports common)."""
    try:
        TopologicalSorter(import_graph(every)).prepare()
    except CycleError as cycle:
        pytest.fail("模块导入成环（→：导入）：" + " → ".join(reversed(cycle.args[1])))


def test_the_import_graph_has_the_imports_a_module_loads_with_and_only_those():
    """What the cycle test reads, checked on imports read by hand from the modules."""
    graph = import_graph()
    assert {"sucai.store", "sucai.access", "sucai.config"} <= graph["sucai.library"]      # from .store import …
    assert graph["sucai.metadata.genres"] == {"sucai.analysis", "sucai.errors", "sucai.model", "sucai.metadata.issuers",
                                              "sucai.metadata.lines"}                      # from ..analysis, from .issuers
    assert "sucai.store" not in graph["sucai.access"]          # under ``if TYPE_CHECKING``
    assert "sucai.db.migrate" not in graph["sucai.db"]         # inside a function…
    every = import_graph(every=True)
    assert "sucai.db.migrate" not in every["sucai.db"]          # … its own module, even when every import counts
    assert "sucai.store" not in every["sucai.access"]          # under ``if TYPE_CHECKING`` still
    deferred = {"sucai.ingest", "sucai.index", "sucai.search"}   # imported by the library's methods alone
    assert deferred <= every["sucai.library"] and not deferred & graph["sucai.library"]
    assert "sucai.web" not in graph["sucai.web.account"]       # its own package, loading already
    assert {"sucai.web.app"} <= graph["sucai.web"]
