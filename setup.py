"""The wheel's build step: bundle ``resources/`` and the compiled catalogs into the package.

A wheel can only carry files inside its packages, so ``build_py`` copies ``resources/`` to
``app/_bundled/resources/`` and compiles every ``i18n/<lang>/LC_MESSAGES/messages.po`` to
``app/_bundled/i18n/<lang>/LC_MESSAGES/messages.mo`` (``app/paths.py`` looks there when
there is no checkout around the package). Compiling here, from the ``.po`` files in the
sdist, means a wheel can never ship a missing or stale catalog, whoever builds it and
whether or not ``pybabel compile`` ran first. An editable install keeps the checkout
layout and skips this step. Everything else is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = Path("app") / "_bundled"


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile each ``<lang>/LC_MESSAGES/*.po`` under ``source`` into ``target``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        language = po.parent.parent.name
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    if not written:
        raise SystemExit(f"no message catalogs under {source}")
    return written


class BuildWithBundledData(build_py):
    """``build_py`` plus the bundled resources and compiled catalogs."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / BUNDLED
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(
            ROOT / "resources",
            target / "resources",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        compile_catalogs(ROOT / "i18n", target / "i18n")


setup(cmdclass={"build_py": BuildWithBundledData})
