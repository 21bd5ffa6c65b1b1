"""Build the one-folder PyInstaller bundle: ``python packaging/build_bundle.py [--dist DIR]``.

Steps: compile the catalogs (``i18n/*/LC_MESSAGES/messages.mo``), write the icons if they
are missing, write the Windows version file from ``app.__version__``, then run PyInstaller
on ``packaging/halldesk.spec``. The result is ``DIR/HallDesk/`` (default ``dist/``) with
the ``HallDesk`` executable; check it with ``DIR/HallDesk/HallDesk --self-test``.
Needs the ``[packaging]`` extra (``pip install -e '.[packaging]'``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))


def compile_catalogs() -> None:
    from babel.messages.frontend import main as babel_main

    argv = sys.argv
    try:
        sys.argv = ["pybabel", "-q", "compile", "-d", str(ROOT / "i18n"), "-D", "messages"]
        babel_main()
    finally:
        sys.argv = argv


def build(dist: Path, work: Path) -> Path:
    import make_icons
    import version_info

    compile_catalogs()
    if not (ROOT / "resources" / "icons" / "halldesk.svg").is_file():
        make_icons.main()
    version_info.write()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(PACKAGING / "halldesk.spec"),
        ],
        check=True,
        cwd=ROOT,
    )
    exe = dist / "HallDesk" / ("HallDesk.exe" if sys.platform.startswith("win") else "HallDesk")
    if not exe.is_file():
        raise SystemExit(f"PyInstaller did not produce {exe}")
    return exe


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=PACKAGING / "build" / "pyinstaller")
    args = parser.parse_args()
    start = time.perf_counter()
    exe = build(args.dist.resolve(), args.work.resolve())
    print(f"built {exe} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
