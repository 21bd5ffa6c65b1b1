"""The layering rule: app/ is Qt-free; the domain imports neither store nor services."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_app_never_imports_qt() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "app").rglob("*.py")
        if any(name.split(".")[0] in {"PySide6", "shiboken6"} for name in _imports(p))
    ]
    assert offenders == []


def test_importing_every_app_module_loads_no_qt() -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "app").rglob("*.py")
        if "migrations" not in p.parts and p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n    importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_depends_on_nothing_above_it() -> None:
    for path in (ROOT / "app" / "domain").rglob("*.py"):
        for name in _imports(path):
            assert not name.startswith(("app.store", "app.services", "app.documents", "ui")), (
                f"{path.name} imports {name}"
            )


def test_ui_never_runs_sql() -> None:
    for path in (ROOT / "ui").rglob("*.py"):
        imported = _imports(path)
        assert "sqlite3" not in imported, path
        assert not any(n.startswith("sqlalchemy") for n in imported), path


def _loaded_with_the_main_window(candidates: set[str], *, top_level: bool) -> list[str]:
    """Which of ``candidates`` a fresh interpreter has loaded after ``import ui.main_window``
    (``top_level``: compare the first part of each module name)."""
    code = (
        "import sys, ui.main_window\n"
        f"top = {top_level!r}\n"
        f"wanted = {sorted(candidates)!r}\n"
        "names = {m.split('.')[0] if top else m for m in sys.modules}\n"
        "print(','.join(sorted(names & set(wanted))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return [m for m in done.stdout.strip().split(",") if m]


def test_opening_the_main_window_module_loads_no_renderer() -> None:
    """reportlab, openpyxl (and the centre's web stack) cost start-up time a clerk waits for: the
    window module must not pull them in. Import renderers inside the function that renders."""
    heavy = {"reportlab", "openpyxl", "fastapi", "uvicorn", "psycopg", "httpx", "alembic"}
    assert _loaded_with_the_main_window(heavy, top_level=True) == []


def test_opening_the_main_window_module_loads_no_other_tab() -> None:
    """Only the lookup tab is built with the window; the others load when first shown."""
    tabs = {"ui.arrears.tab", "ui.complaints.tab", "ui.shifts.tab", "ui.etiquette.tab"}
    assert _loaded_with_the_main_window(tabs, top_level=False) == []
    assert _loaded_with_the_main_window({"ui.lookup.tab"}, top_level=False) == ["ui.lookup.tab"]
