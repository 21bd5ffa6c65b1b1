"""Regenerate the pictures of docs/architecture.md and the services' import paths in
docs/automation.md from the code (no network, nothing imported from app/ or ui/).

Usage: python docs/make_architecture.py [--check]

It reads the import graph and the layers the architecture test checks
(``tests/import_graph.py``) and writes, between the ``generated`` markers of each page:

* ``layers``: the layers, bottom to top, each with its packages (a Mermaid flowchart);
* ``areas``: the areas of the counter (the service packages and the tab packages, with
  the hall's sync and devices) and which imports which;
* ``exports`` (docs/automation.md): what each area package names in its ``__init__``.

The pictures name packages, never count modules, so they change only when an area or a
dependency between areas appears or goes. ``--check`` writes nothing and exits 1 when a
page is not up to date (``tests/docs/test_architecture_page.py`` does the same check).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the layers live beside the architecture test

from tests.import_graph import (  # noqa: E402
    LAYERS,
    Graph,
    declared_exports,
    layer_of,
    read_graph,
)

ARCHITECTURE = ROOT / "docs" / "architecture.md"
AUTOMATION = ROOT / "docs" / "automation.md"

#: The packages drawn as one box each, with their subpackages inside: the rest of app/
#: is one box per package or module below ``app``, and ``app.services`` / ``ui`` are one
#: box per area package plus one for their own shared modules.
SPLIT: tuple[str, ...] = ("app.services", "ui")

#: The boxes of the areas picture: the packages of these prefixes.
AREA_PREFIXES: tuple[str, ...] = ("app.services.", "ui.", "app.sync", "app.devices")


def box_of(module: str, packages: set[str]) -> str:
    """The box a module is drawn in: its area package for app.services and ui (the shared
    modules of each in a box named after the package), else its package below ``app``."""
    for split in SPLIT:
        if module == split or module.startswith(split + "."):
            rest = module[len(split) + 1 :].split(".") if module != split else []
            area = f"{split}.{rest[0]}" if rest else split
            return area if area in packages else split
    parts = module.split(".")
    return ".".join(parts[:2])


def label(box: str) -> str:
    if box == "app":
        return "app (the version)"
    if box in SPLIT:
        return {"app.services": "services (shared: base, listeners, pending)"}.get(
            box, "ui (window, shared widgets)"
        )
    return box.removeprefix("app.").replace(".", "/")


def node_id(box: str) -> str:
    return re.sub(r"\W", "_", box)


def _packages(graph: Graph) -> set[str]:
    return {name for name, path in graph.modules.items() if path.name == "__init__.py"}


def _box_edges(graph: Graph) -> dict[str, set[str]]:
    packages = _packages(graph)
    edges: dict[str, set[str]] = {}
    for imp in graph.imports:
        a, b = box_of(imp.importer, packages), box_of(imp.imported, packages)
        if a != b:
            edges.setdefault(a, set()).add(b)
    return edges


def layers_diagram(graph: Graph) -> str:
    """Each layer a band of its boxes, top to bottom; an arrow from a layer to the one below
    where it imports it (a layer may import any lower layer; the picture keeps to the next)."""
    packages = _packages(graph)
    boxes: dict[int, set[str]] = {}
    for module in graph.modules:
        index = layer_of(module)
        if index is not None:
            boxes.setdefault(index, set()).add(box_of(module, packages))
    below: set[tuple[int, int]] = set()
    for imp in graph.imports:
        high, low = layer_of(imp.importer), layer_of(imp.imported)
        if high is not None and low is not None and high == low + 1:
            below.add((high, low))
    lines = ["flowchart TB"]
    for index in sorted(boxes, reverse=True):
        layer = LAYERS[index]
        lines.append(f'  subgraph L{index}["{layer.name}"]')
        lines.append("    direction LR")
        lines.extend(f'    {node_id(b)}["{label(b)}"]' for b in sorted(boxes[index]))
        lines.append("  end")
    lines.extend(f"  L{high} --> L{low}" for high, low in sorted(below, reverse=True))
    return "\n".join(lines)


def _drawn(box: str) -> bool:
    return box not in SPLIT and box.startswith(AREA_PREFIXES)


def areas_diagram(graph: Graph) -> str:
    """The area packages of ui and app.services, with sync and devices, and their imports
    between each other. Left out: the shared modules of ui and of app.services (every area
    uses them) and the tabs' imports of each other (listed under the picture instead, see
    :func:`tab_ties`): with them the picture is a tangle."""
    packages = _packages(graph)
    edges = _box_edges(graph)
    shown = sorted(b for b in {box_of(m, packages) for m in graph.modules} if _drawn(b))
    groups = {
        "ui": [b for b in shown if b.startswith("ui.")],
        "sync": [b for b in shown if not b.startswith(("ui.", "app.services."))],
        "services": [b for b in shown if b.startswith("app.services.")],
    }
    titles = {"ui": "ui: the tabs", "sync": "the hall's sync and devices", "services": "services"}
    lines = ["flowchart TB"]
    for group, members in groups.items():
        if members:
            lines.append(f'  subgraph group_{group}["{titles[group]}"]')
            lines.extend(f'    {node_id(b)}["{label(b)}"]' for b in members)
            lines.append("  end")
    for a in shown:
        lines.extend(
            f"  {node_id(a)} --> {node_id(b)}"
            for b in sorted(edges.get(a, ()))
            if _drawn(b) and not (a.startswith("ui.") and b.startswith("ui."))
        )
    return "\n".join(lines)


def tab_ties(graph: Graph) -> str:
    """One line: which tab packages import another tab's package."""
    edges = _box_edges(graph)
    ties = [
        f"{label(a)} → {label(b)}"
        for a in sorted(edges)
        if a.startswith("ui.") and _drawn(a)
        for b in sorted(edges[a])
        if b.startswith("ui.") and _drawn(b)
    ]
    return "Tabs that import another tab's package: " + ("; ".join(ties) or "none") + "."


def exports_table(root: Path = ROOT) -> str:
    """The public names of each area package (its ``lazy_exports``), one row per package."""
    rows = ["| import from | names |", "| --- | --- |"]
    for path in sorted((root / "app" / "services").glob("*/__init__.py")):
        _typed, lazy = declared_exports(path, root)
        if not lazy:
            continue
        package = ".".join(path.parent.relative_to(root).parts)
        names = ", ".join(f"`{name}`" for name in sorted({name for _m, name in lazy}))
        rows.append(f"| `{package}` | {names} |")
    return "\n".join(rows)


def _mermaid(diagram: str) -> str:
    return f"```mermaid\n{diagram}\n```"


def blocks(root: Path = ROOT) -> dict[Path, dict[str, str]]:
    """Page → marker name → the generated text between its markers."""
    graph = read_graph(root)
    return {
        root / "docs" / "architecture.md": {
            "layers": _mermaid(layers_diagram(graph)),
            "areas": _mermaid(areas_diagram(graph)) + "\n\n" + tab_ties(graph),
        },
        root / "docs" / "automation.md": {"exports": exports_table(root)},
    }


def begin_marker(name: str) -> str:
    return f"<!-- generated by docs/make_architecture.py: {name} -->"


def end_marker(name: str) -> str:
    return f"<!-- end of generated: {name} -->"


def fill(text: str, generated: dict[str, str]) -> str:
    """``text`` with each marked block replaced; a page without its markers is an error."""
    for name, content in generated.items():
        pattern = re.compile(
            re.escape(begin_marker(name)) + r"\n.*?" + re.escape(end_marker(name)), re.S
        )
        if not pattern.search(text):
            raise SystemExit(f"markers for {name!r} not found")
        text = pattern.sub(
            lambda _m, c=content, n=name: f"{begin_marker(n)}\n{c}\n{end_marker(n)}", text
        )
    return text


def stale_pages(root: Path = ROOT) -> list[Path]:
    return [
        page
        for page, generated in blocks(root).items()
        if fill(page.read_text(encoding="utf-8"), generated) != page.read_text(encoding="utf-8")
    ]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether pages are stale")
    args = parser.parse_args(None if argv is None else list(argv))
    if args.check:
        stale = stale_pages()
        for page in stale:
            print(
                f"{page.relative_to(ROOT)} is not up to date: run python docs/make_architecture.py"
            )
        return 1 if stale else 0
    for page, generated in blocks().items():
        old = page.read_text(encoding="utf-8")
        new = fill(old, generated)
        if new != old:
            page.write_text(new, encoding="utf-8")
            print(f"wrote {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
