"""The import graph of the project's packages, read from the source with ``ast``.

Every ``import`` statement counts, wherever it is: at module level, inside a
function, under ``if TYPE_CHECKING:``, and so does a call
``importlib.import_module("name")`` with a literal name (relative names
resolved against ``__name__``/``__package__``, as the call would). A cycle
hidden behind a function-level ("lazy") import is still a cycle here. An edge goes to the module an import
names: ``from .node import make`` is an edge to ``node``; ``from . import
fold`` to the submodule ``fold``; ``from .. import x`` (``x`` not a
submodule) to the package's ``__init__``. The parent packages Python loads
first are not edges (every submodule would otherwise depend on its
package's ``__init__``, which imports it back by design).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

import numeric
import symgraph

ROOTS = {
    "symgraph": Path(symgraph.__file__).resolve().parent,
    "numeric": Path(numeric.__file__).resolve().parent,
}


@dataclass(frozen=True)
class Module:
    """One module of the project: dotted name, source file, whether a package."""

    name: str
    path: Path
    is_package: bool

    @property
    def relpath(self) -> str:
        """The path from the repository root, with forward slashes."""
        top = self.name.split(".")[0]
        return (Path(top) / self.path.relative_to(ROOTS[top])).as_posix()


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line`` (inside a function if nested)."""

    source: str
    target: str
    line: int
    nested: bool

    def __str__(self) -> str:
        where = "inside a function" if self.nested else "at module level"
        return f"{self.source} -> {self.target} (line {self.line}, {where})"


def project_modules() -> dict[str, Module]:
    """Every module of ``symgraph`` and ``numeric``, by dotted name."""
    out = {}
    for top, root in ROOTS.items():
        for path in sorted(root.rglob("*.py")):
            parts = [top, *path.relative_to(root).with_suffix("").parts]
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            out[".".join(parts)] = Module(".".join(parts), path, is_package)
    return out


def _dynamic_import(module: Module, node: ast.Call) -> str | None:
    """The absolute name ``importlib.import_module(...)`` loads, for a
    literal name (else None)."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name != "import_module" or not node.args:
        return None
    first = node.args[0]
    if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
        return None
    target = first.value
    if not target.startswith("."):
        return target
    # relative to the package argument (``__name__`` in a package's
    # __init__, ``__package__`` anywhere): the module's own package
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    level = len(target) - len(target.lstrip("."))
    base = package.split(".")
    base = base[: len(base) - (level - 1)]
    return ".".join(base + [target.lstrip(".")])


def _targets(module: Module, node: ast.AST, known: dict) -> list[str]:
    """The project modules one import statement (or import_module call) names."""
    if isinstance(node, ast.Call):
        target = _dynamic_import(module, node)
        return [target] if target in known else []
    if isinstance(node, ast.Import):
        out = []
        for alias in node.names:
            parts = alias.name.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                out.append(".".join(parts))
        return out
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = module.name.split(".")
        if not module.is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        name = ".".join(base + ([node.module] if node.module else []))
    else:
        name = node.module or ""
    if name not in known:
        return []
    out, attribute = [], False
    for alias in node.names:
        if f"{name}.{alias.name}" in known:
            out.append(f"{name}.{alias.name}")
        else:
            attribute = True
    if attribute:
        out.append(name)
    return out


def module_imports(module: Module, known: dict) -> list[Edge]:
    """The edges from ``module`` to other project modules, in source order."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"))
    top_level = {id(n) for n in tree.body}
    edges = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Call)):
            for target in _targets(module, node, known):
                if target != module.name:
                    nested = id(node) not in top_level
                    edges.append(Edge(module.name, target, node.lineno, nested))
    return sorted(edges, key=lambda e: (e.line, e.target))


@functools.cache
def import_graph() -> dict[str, list[Edge]]:
    """Every project module with its outgoing import edges (read once per
    session; callers must not change it)."""
    known = project_modules()
    return {name: module_imports(m, known) for name, m in known.items()}


def cycles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` with more than one
    module (Tarjan's algorithm, iterative): each is a set of modules that
    import one another in a cycle, sorted."""
    succ = {m: sorted({e.target for e in edges}) for m, edges in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(succ[start]))]
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def a_cycle(graph: dict[str, list[Edge]], component: list[str]) -> list[Edge]:
    """A shortest cycle through the first module of a strongly connected
    component (breadth-first, inside the component)."""
    members = set(component)
    start = component[0]
    came: dict[str, Edge] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for e in graph[v]:
                if e.target not in members:
                    continue
                if e.target == start:
                    path = [e]
                    while path[0].source != start:
                        path.insert(0, came[path[0].source])
                    return path
                if e.target not in came:
                    came[e.target] = e
                    nxt.append(e.target)
        frontier = nxt
    raise AssertionError(f"no cycle through {start}")  # a component has one


def line_count(module: Module) -> int:
    """Lines of the module's source (as ``wc -l`` counts them)."""
    return module.path.read_text(encoding="utf-8").count("\n")
