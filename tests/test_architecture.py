"""The architecture, checked: the layers of ``tests/import_graph.py`` (no import circle, no
import from a lower layer to a higher one, every module in a layer), no file over 600
lines, the area packages' exports, app/ free of Qt, the main window's lazy loads, and no SQL
in ui/. docs/architecture.md explains the rules; this file keeps them."""

from __future__ import annotations

import ast
import importlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.import_graph import (
    LAYERS,
    MAX_LINES,
    ROOT,
    Graph,
    circles,
    declared_exports,
    long_files,
    read_graph,
    unplaced,
    upward_imports,
)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return read_graph()


# -- the layers ------------------------------------------------------------------------------


def test_every_module_is_in_a_layer(graph: Graph) -> None:
    """A new top-level package of app/ gets its place in ``LAYERS`` (and so in the picture
    of docs/architecture.md) before it gets code."""
    assert unplaced(graph) == [], "add these to LAYERS in tests/import_graph.py"


def test_no_import_goes_up_a_layer(graph: Graph) -> None:
    """A lower layer never imports a higher one, not even inside a function: a mechanism
    below that needs parts from above has them registered with it (``app.bootstrap``)."""
    names = [layer.name for layer in LAYERS]
    assert [str(i) for i in upward_imports(graph)] == [], f"layers, bottom to top: {names}"


def test_no_import_circle(graph: Graph) -> None:
    """Every import counts, at module level, inside a function or under TYPE_CHECKING."""
    assert circles(graph.edges()) == []


def test_no_file_over_the_limit() -> None:
    """A room of more than 600 lines holds several responsibilities: split it along them
    (issue 14). Alembic's generated migrations are not counted."""
    assert long_files() == [], f"over {MAX_LINES} lines"


# -- the checks catch what they are for -------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for tree in ("app", "ui"):
        for folder in [root / tree, *(p for p in (root / tree).rglob("*") if p.is_dir())]:
            (folder / "__init__.py").touch()
    return root


def test_the_checks_catch_the_circles_of_issue_14(tmp_path: Path) -> None:
    """The three circles issue 14 names, as they were written (each closed by an import
    inside a function), the domain's type-only one, a relative import and a service that
    imported sync: all are found."""
    root = _tree(
        tmp_path,
        {
            "app/services/pending.py": (
                "def collect():\n"
                "    from app.services import arrears_pending\n"
                "    from app.sync.pending import unsent_items\n"
            ),
            "app/services/arrears_pending.py": "from app.services.pending import PendingItem\n",
            "app/sync/pending.py": "from app.services.pending import PendingItem\n",
            "app/services/handover.py": (
                "def render_sheet():\n    from .handover_documents import sheet_data\n"
            ),
            "app/services/handover_documents.py": (
                "from app.services.handover import HandoverView\n"
                "from app.services.shifts_hallday import HallDay\n"
            ),
            "app/services/shifts_hallday.py": "from app.services.handover import pending_now\n",
            "app/domain/penalty.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from app.domain.arrears import Freeze\n"
            ),
            "app/domain/arrears.py": "from app.domain import penalty\n",
            "ui/app.py": "from ui.main_window import MainWindow\n",
            "ui/main_window.py": (
                "def build_main_window():\n    from ui.app import ensure_application\n"
            ),
            "ui/lookup/tab.py": "from ..widgets import named_button\n",
            "ui/widgets.py": "import os\n",
        },
    )
    graph = read_graph(root)
    assert circles(graph.edges()) == [
        ["app.domain.arrears", "app.domain.penalty", "app.domain.arrears"],
        ["app.services.arrears_pending", "app.services.pending", "app.services.arrears_pending"],
        ["app.services.handover", "app.services.handover_documents", "app.services.handover"],
        ["ui.app", "ui.main_window", "ui.app"],
    ]
    assert [str(i) for i in upward_imports(graph)] == [
        "app.services.pending:3 imports app.sync.pending (function level)"
    ]
    assert ("ui.lookup.tab", "ui.widgets") in {(i.importer, i.imported) for i in graph.imports}
    # the handover's knot holds the hall day too, though its shortest circle does not
    assert "app.services.handover" in graph.edges()["app.services.shifts_hallday"]


def test_the_checks_catch_the_circles_of_the_code_before_issue_14(tmp_path: Path) -> None:
    """The same checks on the real code of 253b802, the last commit before the restructure:
    the three circles of issue 14 and the domain's penalty ⇄ arrears are found, and the
    services' import of sync and the store's of the sync capture go up a layer."""
    commit = "253b802"
    known = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
    )
    if known.returncode != 0:
        pytest.skip(f"{commit} is not in this clone's history")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "app", "ui"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    graph = read_graph(tmp_path)
    assert circles(graph.edges()) == [
        ["app.domain.arrears", "app.domain.penalty", "app.domain.arrears"],
        ["app.services.arrears_pending", "app.services.pending", "app.services.arrears_pending"],
        ["app.services.handover", "app.services.handover_documents", "app.services.handover"],
        ["ui.app", "ui.main_window", "ui.app"],
    ]
    upward = {(i.importer, i.imported) for i in upward_imports(graph)}
    assert {
        ("app.services.pending", "app.sync.pending"),
        ("app.store.database", "app.sync.capture"),
    } <= upward
    assert ("app/services/complaints.py", 913) in long_files(tmp_path)


# -- the area packages ------------------------------------------------------------------------


def _lazy_packages() -> list[Path]:
    return sorted(
        p
        for p in (ROOT / "app").rglob("__init__.py")
        if "lazy_exports(" in p.read_text(encoding="utf-8") and p.parent.name != "services"
    )


def test_area_packages_export_what_they_declare() -> None:
    """Each area's ``__init__`` names its exports twice (for the type checker and for
    ``lazy_exports``); the two lists agree, and each name is the object its module holds.
    docs/automation.md lists them for scripts."""
    packages = _lazy_packages()
    assert len(packages) >= 8  # customers, arrears, payments, complaints, shifts, …
    for path in packages:
        typed, lazy = declared_exports(path)
        assert typed == lazy, path
        package = importlib.import_module(".".join(path.parent.relative_to(ROOT).parts))
        for module, name in sorted(lazy):
            assert getattr(package, name) is getattr(importlib.import_module(module), name)
            assert name in dir(package)


# -- Qt, SQL and the start-up -----------------------------------------------------------------


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


def test_opening_the_main_window_module_loads_no_sync_client_nor_admin() -> None:
    """docs/performance.md: sync stays out of the cold start until the first sync (the status
    bar reads ``app.sync.status`` only), staff and hall administration load when used, and
    the customer panel (with the payment dialog) when a customer first opens."""
    later = {
        "ui.lookup.customer_panel",
        "ui.arrears.payment_dialog",
        "app.sync.client",
        "app.sync.transport",
        "app.sync.push",
        "app.sync.pull",
        "app.services.staff.admin",
        "app.services.hall.admin",
    }
    assert _loaded_with_the_main_window(later, top_level=False) == []


# -- the cold start (issue 17) ----------------------------------------------------------------

#: What the first window must not wait for: the ORM and the store, the services, the
#: renderers, the migrations, the centre's web stack, the main window and its tabs.
BEFORE_THE_FIRST_WINDOW = {
    "sqlalchemy",
    "alembic",
    "reportlab",
    "openpyxl",
    "httpx",
    "app.store.database",
    "app.store.models",
    "app.services.base",
    "app.services.staff.auth",
    "ui.main_window",
    "ui.lookup.tab",
}


def _run(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def test_the_start_up_modules_load_no_orm_service_nor_window() -> None:
    """``halldesk run`` imports ``app.cli``, then ``ui.app`` (the login, the start): neither
    may pull in what the first window must not wait for (docs/performance.md)."""
    code = (
        "import sys, app.cli, ui.app\n"
        f"print(','.join(sorted(m for m in {sorted(BEFORE_THE_FIRST_WINDOW)!r} "
        "if m in sys.modules)))\n"
    )
    assert _run(code) == ""


def test_the_login_is_painted_before_the_orm_is_imported(
    demo_db_copy: Path, tmp_path: Path
) -> None:
    """The real start (``app.cli.main(["run", ...])``), watched from an application-wide
    event filter: when the login dialog is first painted, the focus is in its staff number
    field and none of ``BEFORE_THE_FIRST_WINDOW`` is imported; the store then opens behind
    it (the login becomes ready), and then the main window's modules and the Chinese CLDR
    data load behind it too, without a window being built (the clerk still types). Not
    timed: ``bench/bench_startup.py`` times it."""
    code = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[3])
from ui.qt_app import ensure_application
heavy = json.loads(sys.argv[2])
seen = {}
class Watch(QObject):
    def eventFilter(self, watched, event):
        if (event.type() == QEvent.Type.Paint and not seen
                and getattr(watched, "objectName", lambda: "")() == "loginDialog"):
            focus = QApplication.focusWidget()
            seen["focus"] = focus.objectName() if focus is not None else None
            seen["loaded"] = sorted(m for m in heavy if m in sys.modules)
            seen["ready"] = self.ready(watched)
            self.login = watched
            QTimer.singleShot(20, self.poll)
        return False
    def ready(self, login):
        return getattr(login, "is_ready", lambda: True)()  # before issue 17: always
    def poll(self):
        if self.ready(self.login) and "then" not in seen:
            seen["then"] = sorted(m for m in ("sqlalchemy", "app.store.database")
                                  if m in sys.modules)
            self.polls = 0
        if "then" in seen:
            # Then the main window's modules and CLDR data load on the worker while the
            # clerk types (ui.startup.prepare_main_window); no window is built for it.
            from babel import localedata
            self.polls += 1
            prepared = sorted(m for m in ("ui.main_window", "ui.lookup.tab")
                              if m in sys.modules)
            if "zh_Hans_CN" in localedata._cache or self.polls > 500:
                seen["prepared"] = prepared
                seen["cldr"] = sorted(localedata._cache)
                seen["windows"] = sorted(w.objectName() for w in QApplication.topLevelWidgets()
                                         if w.isWindow() and w.objectName())
                print(json.dumps(seen), flush=True)
                os._exit(0)
        QTimer.singleShot(20, self.poll)
app = ensure_application()
watch = Watch()
app.installEventFilter(watch)
from app.cli import main
main(["run", "--db", sys.argv[1]])
print(json.dumps({"ended": "without a login"}))
"""
    import json

    heavy = json.dumps(sorted(BEFORE_THE_FIRST_WINDOW))
    seen = json.loads(_run(code, str(demo_db_copy), heavy, str(tmp_path / "settings")))
    assert seen == {
        "focus": "loginStaffNo",
        "loaded": [],
        "ready": False,
        "then": ["app.store.database", "sqlalchemy"],
        "prepared": ["ui.lookup.tab", "ui.main_window"],
        "cldr": ["root", "zh", "zh_Hans", "zh_Hans_CN"],
        "windows": ["loginDialog"],
    }


def test_building_the_main_window_loads_no_other_tab(demo_db_copy: Path) -> None:
    """After the login only the lookup tab is built: the window must not import another
    tab's module to recognise it (it did: the shift tab's, 0.2–0.5 s, on every start)."""
    tabs = ["ui.arrears.tab", "ui.complaints.tab", "ui.shifts.tab", "ui.etiquette.tab"]
    code = (
        "import sys\n"
        "from ui.main_window import build_main_window\n"
        "from app.store.database import sqlite_url\n"
        "window = build_main_window(sqlite_url(sys.argv[1]), 'A001')\n"
        "window.show()\n"
        f"print(','.join(m for m in {tabs!r} + ['reportlab'] if m in sys.modules))\n"
        "window.close()\n"
    )
    assert _run(code, str(demo_db_copy)) == ""
