"""docs/architecture.md and the import paths of docs/automation.md stay true: their
generated parts are what docs/make_architecture.py draws from the code now, and every
``app.…``/``ui.…`` name and every path the docs mention in backticks exists."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"])
TOKEN = re.compile(r"`([^`\s]+)`")
DOTTED = re.compile(r"(?:app|ui)(?:\.[A-Za-z_]\w*)+")
PATH = re.compile(r"(?:app|ui|tests|docs|bench|packaging|resources|i18n)/[\w./-]*")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_architecture", ROOT / "docs" / "make_architecture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_parts_are_up_to_date() -> None:
    stale = [str(p.relative_to(ROOT)) for p in _generator().stale_pages()]
    assert stale == [], "run: python docs/make_architecture.py"


def test_the_pictures_follow_the_code(tmp_path: Path) -> None:
    """A new service area with its tab, and the pages drawn from that code show it: a box
    in its layer and among the areas, its arrow, its exports."""
    make = _generator()
    for tree in ("app", "ui"):
        shutil.copytree(ROOT / tree, tmp_path / tree, ignore=shutil.ignore_patterns("*.pyc"))
    (tmp_path / "docs").mkdir()
    for page in ("architecture.md", "automation.md"):
        shutil.copy(ROOT / "docs" / page, tmp_path / "docs" / page)
    refunds = tmp_path / "app" / "services" / "refunds"
    refunds.mkdir()
    (refunds / "service.py").write_text("class RefundService: ...\n", encoding="utf-8")
    (refunds / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from app.services import lazy_exports\n"
        "if TYPE_CHECKING:\n"
        "    from app.services.refunds.service import RefundService as RefundService\n"
        '__getattr__, __dir__ = lazy_exports(__name__, {"service": ("RefundService",)})\n',
        encoding="utf-8",
    )
    (tmp_path / "ui" / "refunds").mkdir()
    (tmp_path / "ui" / "refunds" / "__init__.py").touch()
    (tmp_path / "ui" / "refunds" / "tab.py").write_text(
        "from app.services.refunds import RefundService\n", encoding="utf-8"
    )
    assert make.stale_pages(tmp_path) == [
        tmp_path / "docs" / "architecture.md",
        tmp_path / "docs" / "automation.md",
    ]
    blocks = make.blocks(tmp_path)
    architecture = blocks[tmp_path / "docs" / "architecture.md"]
    assert 'app_services_refunds["services/refunds"]' in architecture["layers"]
    assert "ui_refunds --> app_services_refunds" in architecture["areas"]
    exports = blocks[tmp_path / "docs" / "automation.md"]["exports"]
    assert "| `app.services.refunds` | `RefundService` |" in exports


def _resolves(name: str) -> bool:
    """``name`` is a module, or an attribute of one (a class's attribute may be one its
    ``__init__`` sets on ``self``)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        module = ".".join(parts[:end])
        try:
            found: object = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module.startswith(exc.name):
                continue  # no such module: try the name as an attribute of its parent
            raise
        break
    else:
        return False
    for attribute in parts[end:]:
        if not hasattr(found, attribute):
            # an instance attribute (set on ``self``) ends the walk
            return isinstance(found, type) and bool(
                re.search(rf"self\.{attribute}\b", inspect.getsource(found))
            )
        found = getattr(found, attribute)
    return True


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_names_and_paths_in_the_docs_exist(page: Path) -> None:
    """A module moved or renamed (issue 14 moved dozens) leaves no stale name behind."""
    missing: list[str] = []
    for token in TOKEN.findall(page.read_text(encoding="utf-8")):
        token = token.rstrip(".,;:")
        name_gone = DOTTED.fullmatch(token) is not None and not _resolves(token)
        path_gone = PATH.fullmatch(token) is not None and not (ROOT / token).exists()
        if name_gone or path_gone:
            missing.append(token)
    assert missing == []


def test_the_name_check_sees_a_stale_name() -> None:
    assert _resolves("app.services.payments.service.PaymentService.record")
    assert _resolves("app.services.payments.service.PaymentService.money_moved")
    assert _resolves("app.services.payments.PaymentService")  # an area's lazy export
    assert not _resolves("app.services.handover_documents")  # moved by issue 14
    assert not _resolves("app.sync.registry")  # moved to the store layer
    assert not _resolves("app.services.payments.service.PaymentService.pay")
