"""The layers of HallDesk, written once, and the import graph of ``app/`` and ``ui/``.

``tests/test_architecture.py`` checks the graph against :data:`LAYERS` (no circle, no
import from a lower layer to a higher one); ``docs/make_architecture.py`` draws the same
graph and layers into ``docs/architecture.md``. Change the layers here and both follow.

The graph is read from the source with :mod:`ast`, never by importing it: every ``import``
statement counts, wherever it stands (at module level, inside a function, under
``if TYPE_CHECKING:``), each edge keeping where it stood so a message can say so. A
function-level import is still a dependency (it runs, only later), and a type-only import
still ties the two modules' meaning: the three circles of issue 14 (the pending-items
collector and its providers, handover ⇄ handover documents ⇄ hall day, ``ui/app`` ⇄
``ui/main_window``) were each closed by an import inside a function, and the domain's
penalty ⇄ arrears one by an import under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

ROOT: Final = Path(__file__).resolve().parent.parent

#: The source trees whose modules make the graph.
TREES: Final = ("app", "ui")

#: Longer than this, a file holds several responsibilities: split it along them.
MAX_LINES: Final = 600


@dataclass(frozen=True, slots=True)
class Layer:
    name: str
    #: The packages and modules it holds: each with everything below it, except the bare
    #: root ``app``, which is only ``app/__init__.py`` (the version).
    members: tuple[str, ...]


#: Bottom to top. A module may import modules of its own layer and of the layers below,
#: never of a layer above; within a layer, any direction without a circle.
LAYERS: Final[tuple[Layer, ...]] = (
    Layer("foundation", ("app", "app.i18n", "app.paths", "app.settings", "app.logs")),
    Layer("domain", ("app.domain",)),
    Layer("store", ("app.store", "app.documents")),
    Layer("services", ("app.services",)),
    Layer("sync", ("app.sync", "app.devices", "app.demo")),
    Layer("programs", ("app.centre", "app.bootstrap", "app.selftest")),
    Layer("ui", ("ui",)),
    # The ``halldesk`` command starts every program, the workbench included (importing
    # ``ui.app`` inside the command that runs it, so the other commands never load Qt):
    # nothing imports it.
    Layer("command", ("app.cli",)),
)

#: Members that are only the module of that name, not the modules below it.
_ONLY_ITSELF: Final = frozenset({"app"})

Where = Literal["module", "function", "type"]


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str
    line: int
    #: ``module``: at module level; ``function``: inside a function (runs when called);
    #: ``type``: under ``if TYPE_CHECKING:`` (read by the type checker only).
    where: Where

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported} ({self.where} level)"


@dataclass(frozen=True, slots=True)
class Graph:
    #: Dotted name (a package by its own name) → its file.
    modules: Mapping[str, Path]
    imports: tuple[Import, ...]

    def edges(self) -> dict[str, set[str]]:
        """Importer → the modules of this graph it imports (any kind of import)."""
        out: dict[str, set[str]] = {name: set() for name in self.modules}
        for imp in self.imports:
            out[imp.importer].add(imp.imported)
        return out


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for tree in TREES for p in (root / tree).rglob("*.py"))


def read_graph(root: Path = ROOT) -> Graph:
    """The modules under :data:`TREES` of ``root`` and every import between them."""
    modules = {module_name(root, p): p for p in source_files(root)}
    imports: list[Import] = []
    for name, path in modules.items():
        visitor = _ImportVisitor(name, path.name == "__init__.py", modules)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        imports.extend(visitor.found)
    return Graph(modules, tuple(imports))


class _ImportVisitor(ast.NodeVisitor):
    """Collects the imports of one module that name a module of the graph."""

    def __init__(self, name: str, is_package: bool, modules: Mapping[str, Path]) -> None:
        self.name = name
        self.package = name if is_package else name.rpartition(".")[0]
        self.modules = modules
        self.functions = 0
        self.type_only = 0
        self.found: list[Import] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions += 1
        self.generic_visit(node)
        self.functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            self.type_only += 1
            for child in node.body:
                self.visit(child)
            self.type_only -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            module = ".".join([*base, node.module] if node.module else base)
        else:
            module = node.module or ""
        for alias in node.names:
            # ``from app.sync import pending`` imports the module app.sync.pending.
            submodule = f"{module}.{alias.name}"
            self._add(submodule if submodule in self.modules else module, node.lineno)

    def _add(self, name: str, line: int) -> None:
        while name and name not in self.modules:
            name = name.rpartition(".")[0]  # an attribute of a module, or outside the graph
        if not name or name == self.name:
            return
        where: Where = "type" if self.type_only else "function" if self.functions else "module"
        found = Import(self.name, name, line, where)
        if found not in self.found:  # ``from m import a, b`` is one import of m
            self.found.append(found)


def layer_of(module: str, layers: Iterable[Layer] = LAYERS) -> int | None:
    """The index in ``layers`` of the layer holding ``module`` (the longest member that
    names it or a package above it), or None when no layer does."""
    best: tuple[int, int] | None = None
    for index, layer in enumerate(layers):
        for member in layer.members:
            holds = module == member or (
                member not in _ONLY_ITSELF and module.startswith(member + ".")
            )
            if holds and (best is None or len(member) > best[1]):
                best = (index, len(member))
    return None if best is None else best[0]


def unplaced(graph: Graph, layers: tuple[Layer, ...] = LAYERS) -> list[str]:
    return sorted(m for m in graph.modules if layer_of(m, layers) is None)


def upward_imports(graph: Graph, layers: tuple[Layer, ...] = LAYERS) -> list[Import]:
    """Every import from a module to a module of a higher layer."""
    out: list[Import] = []
    for imp in graph.imports:
        low, high = layer_of(imp.importer, layers), layer_of(imp.imported, layers)
        if low is not None and high is not None and high > low:
            out.append(imp)
    return out


def circles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One circle per knot of ``edges`` (a strongly connected set of more than one module),
    as a path ``[a, b, …, a]`` through its first module; sorted, so a message is stable."""
    adjacency = {node: sorted(set(targets)) for node, targets in edges.items()}
    for targets in list(adjacency.values()):
        for target in targets:
            adjacency.setdefault(target, [])
    found: list[list[str]] = []
    for knot in _knots(adjacency):
        start = min(knot)
        found.append(_shortest_circle(adjacency, start, set(knot)))
    return sorted(found)


def _knots(adjacency: Mapping[str, list[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components with more than one member, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    knots: list[set[str]] = []
    counter = 0
    for root in sorted(adjacency):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = adjacency[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                members: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    knots.append(members)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return knots


def _shortest_circle(adjacency: Mapping[str, list[str]], start: str, knot: set[str]) -> list[str]:
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in adjacency[node]:
                if target == start:
                    back = [node]  # node, the module before it, …, start
                    while back[-1] != start:
                        back.append(came_from[back[-1]])
                    return [*reversed(back), start]
                if target in knot and target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    raise AssertionError(f"no circle through {start}")  # a knot always has one


def is_generated(path: Path) -> bool:
    """Alembic migrations (``migrations/versions/``): written once, never split."""
    return path.parent.name == "versions" and path.parent.parent.name == "migrations"


def long_files(root: Path = ROOT, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for path in source_files(root):
        if is_generated(path):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            out.append((str(path.relative_to(root)), lines))
    return out


def declared_exports(
    init: Path, root: Path = ROOT
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """What an area package's ``__init__`` names: the (module, name) pairs imported under
    ``if TYPE_CHECKING:`` (for the type checker) and those given to ``lazy_exports`` (at
    run time). Both empty for a package without ``lazy_exports``."""
    package = ".".join(init.parent.relative_to(root).parts)
    typed: set[tuple[str, str]] = set()
    lazy: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.body:
                if not isinstance(child, ast.ImportFrom) or not child.module:
                    raise ValueError(f"{init}: {ast.unparse(child)} under TYPE_CHECKING")
                for alias in child.names:
                    if alias.asname != alias.name:
                        raise ValueError(f"{init}: re-export {alias.name} as itself")
                    typed.add((child.module, alias.name))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "lazy_exports":
            mapping = node.args[1]
            if not isinstance(mapping, ast.Dict):
                raise ValueError(f"{init}: lazy_exports takes a dict literal")
            for key, value in zip(mapping.keys, mapping.values, strict=True):
                module = ast.literal_eval(key) if key is not None else ""
                full = module if "." in module else f"{package}.{module}"
                lazy.update((full, name) for name in ast.literal_eval(value))
    return typed, lazy
