"""The dependency rules of STYLE.md, read from the source with `ast`.

(a) The apps depend one way, hdsready <- scopes <- evidence <- contracts <- sovereignty
    <- guarantees <- audits <- dossiers
    <- accessreviews:
    no module of a lower app imports a higher app, not even inside a function (migrations
    included).
(b) No import cycle between modules at module level (imports inside functions run late and
    are the way to break one; those under `if TYPE_CHECKING:` never run).
(c) No services module imports a tasks module, even inside a function: a service enqueues a
    task by name (hdsready.queue.enqueue), because the tasks modules import the services.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = (
    "hdsready",
    "scopes",
    "evidence",
    "contracts",
    "sovereignty",
    "guarantees",
    "audits",
    "dossiers",
    "accessreviews",
)
RANK = {app: rank for rank, app in enumerate(LAYERS)}

# (importing module, imported module) pairs allowed for now, each with its reason: none left.
SERVICES_IMPORTING_TASKS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    target: str  # the imported module, or for `from m import name`, m.name when it is a module
    line: int
    top_level: bool  # runs when the module is imported (not inside a function)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, *, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of a relative import (`from ..x import y` in `module`)."""
    if level == 0:
        return name or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, name] if name else base)


def imports_of(source: str, *, module: str, is_package: bool, known: set[str]) -> list[Import]:
    """Every import of a module's source, with whether it runs at import time."""
    found: list[Import] = []

    def visit(node: ast.AST, *, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, top_level=False)
            elif isinstance(child, ast.If) and _is_type_checking(child):
                for statement in child.body:
                    visit_statement(statement, top_level=False)
                for statement in child.orelse:
                    visit_statement(statement, top_level=top_level)
            else:
                visit_statement(child, top_level=top_level, recurse=False)
                visit(child, top_level=top_level)

    def visit_statement(node: ast.AST, *, top_level: bool, recurse: bool = True) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(alias.name, node.lineno, top_level))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package=is_package, level=node.level, name=node.module)
            found.append(Import(base, node.lineno, top_level))
            for alias in node.names:
                if f"{base}.{alias.name}" in known:  # `from package import submodule`
                    found.append(Import(f"{base}.{alias.name}", node.lineno, top_level))
        elif recurse:
            visit(node, top_level=top_level)

    visit(ast.parse(source), top_level=True)
    return found


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing
    itself (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph.get(node, ()):
                        cycles.append(sorted(component))
    return cycles


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    imports: list[Import]

    @property
    def app(self) -> str:
        return self.name.split(".")[0]


def _sources(root: Path) -> Iterator[Path]:
    for app in LAYERS:
        if (root / app).is_dir():
            yield from sorted((root / app).rglob("*.py"))


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    paths = list(_sources(ROOT))
    known = {module_name(path, ROOT) for path in paths}
    result = {}
    for path in paths:
        name = module_name(path, ROOT)
        result[name] = Module(
            name=name,
            path=path,
            imports=imports_of(
                path.read_text(encoding="utf-8"),
                module=name,
                is_package=path.name == "__init__.py",
                known=known,
            ),
        )
    return result


def _where(module: Module, imported: Import) -> str:
    return f"{module.path.relative_to(ROOT)}:{imported.line} imports {imported.target}"


# --- the rules on the code ------------------------------------------------------------------


def test_the_code_is_read(modules: dict[str, Module]) -> None:
    # Guards the walk itself: an empty or partial reading would pass every rule below.
    assert {"hdsready", "scopes", "evidence", "audits"} <= {m.app for m in modules.values()}
    assert "audits.migrations.0003_notification_to_core" in modules
    assert any(
        i.target == "audits.services.auditors" and not i.top_level
        for i in modules["audits.apps"].imports
    )


def test_apps_depend_one_way(modules: dict[str, Module]) -> None:
    upward = [
        _where(module, imported)
        for module in modules.values()
        for imported in module.imports
        if RANK.get(imported.target.split(".")[0], -1) > RANK[module.app]
    ]
    assert upward == [], "A lower app imports a higher one:\n" + "\n".join(upward)


def test_no_import_cycle_at_module_level(modules: dict[str, Module]) -> None:
    graph = {
        module.name: {
            imported.target
            for imported in module.imports
            if imported.top_level and imported.target in modules
        }
        for module in modules.values()
    }
    cycles = find_cycles(graph)
    assert cycles == [], "Import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_service_imports_a_tasks_module(modules: dict[str, Module]) -> None:
    found = {
        (module.name, imported.target): _where(module, imported)
        for module in modules.values()
        if "services" in module.name.split(".")
        for imported in module.imports
        if "tasks" in imported.target.split(".")
    }
    unexpected = [where for pair, where in found.items() if pair not in SERVICES_IMPORTING_TASKS]
    assert unexpected == [], "Services import tasks modules:\n" + "\n".join(unexpected)
    stale = SERVICES_IMPORTING_TASKS - found.keys()
    assert not stale, f"These exceptions are fixed: remove them from the list: {stale}"


# --- the reading itself, on small sources -----------------------------------------------------


def test_imports_of_sees_function_level_relative_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import audits.models\n"
        "from . import tasks\n"
        "from ..views import page\n"
        "if TYPE_CHECKING:\n"
        "    from scopes.models import Scope\n"
        "class A:\n"
        "    from evidence import models\n"
        "def f():\n"
        "    from audits.tasks import sweep\n"
    )
    found = imports_of(
        source,
        module="audits.services.cycle",
        is_package=False,
        known={"audits.services.tasks", "audits.views.page", "evidence.models"},
    )
    assert {(i.target, i.top_level) for i in found} == {
        ("typing", True),
        ("audits.models", True),
        ("audits.services", True),
        ("audits.services.tasks", True),
        ("audits.views", True),
        ("audits.views.page", True),
        ("scopes.models", False),
        ("evidence", True),
        ("evidence.models", True),
        ("audits.tasks", False),
    }


def test_find_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert sorted(find_cycles(graph)) == [["a", "b", "c"], ["e"]]
    assert find_cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
