"""The layers of DESIGN.md §4 hold in the code: the kernel imports no app (not even inside a
function), and its modules import one another without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]


def _core_modules() -> dict[str, Path]:
    modules = {}
    for path in CORE.rglob("*.py"):
        relative = path.relative_to(CORE.parent.parent)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    return modules


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (module level or in a function)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_core_imports_no_other_edureg_app():
    offending = sorted(
        f"{module} imports {name}"
        for module, path in _core_modules().items()
        for name in _imports(path)
        if name.split(".")[0] == "edureg"
        and name != "edureg"
        and not (name == "edureg.core" or name.startswith("edureg.core."))
    )
    assert offending == []


def test_core_modules_import_each_other_without_a_cycle():
    modules = _core_modules()
    graph = {
        module: {name for name in _imports(path) if name in modules and name != module}
        for module, path in modules.items()
    }
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str], done: set[str]) -> None:
        for imported in sorted(graph[module]):
            if imported in path:
                cycles.append([*path[path.index(imported) :], imported])
            elif imported not in done:
                visit(imported, [*path, imported], done)
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        visit(module, [module], done)
    assert cycles == []
