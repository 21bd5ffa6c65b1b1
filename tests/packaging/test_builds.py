"""The slow builds: the PyInstaller bundle and the wheel, each installed and self-tested.

Run with ``HALLDESK_SLOW_TESTS=1 pytest -m slow tests/packaging -s`` (the build times are
printed and recorded as test properties, never asserted).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from .conftest import PYTHON, ROOT, run_self_test

EXE_NAME = "HallDesk.exe" if sys.platform.startswith("win") else "HallDesk"


def _timed(record_property: pytest.RecordProperty, name: str, command: list[str]) -> None:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, timeout=1800)
    seconds = time.perf_counter() - start
    record_property(name, round(seconds, 1))
    print(f"\n{name}: {seconds:.0f} s")


@pytest.mark.slow
def test_the_pyinstaller_bundle_builds_and_passes_its_self_test(
    tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    dist, work = tmp_path / "dist", tmp_path / "work"
    build = [PYTHON, str(ROOT / "packaging" / "build_bundle.py"), "--dist", str(dist)]
    _timed(record_property, "bundle_build_seconds", [*build, "--work", str(work)])
    folder = dist / "HallDesk"
    exe = folder / EXE_NAME
    internal = folder / "_internal"
    assert (internal / "i18n" / "zh_CN" / "LC_MESSAGES" / "messages.mo").is_file()
    assert (internal / "app" / "store" / "migrations" / "env.py").is_file()
    assert (internal / "resources" / "icons" / "halldesk.svg").is_file()
    assert (internal / "qt_translations" / "qtbase_zh_CN.qm").is_file()

    done = run_self_test([str(exe)], tmp_path / "data", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "(frozen)" in lines[0] and lines[-1] == "self-test passed"
    assert f"bundle {internal}" in done.stdout
    # Data and logs went to the data folder, nothing beside the executable.
    assert (tmp_path / "data" / "logs" / "halldesk.log").is_file()
    assert not [p for p in folder.rglob("*") if p.suffix in (".log", ".sqlite3")]


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_venv_and_passes_the_self_test(
    tmp_path: Path, record_property: pytest.RecordProperty
) -> None:
    dist = tmp_path / "dist"
    _timed(
        record_property,
        "wheel_build_seconds",
        [PYTHON, "-m", "build", "--outdir", str(dist), str(ROOT)],
    )
    (wheel,) = dist.glob("halldesk-*.whl")
    (sdist,) = dist.glob("halldesk-*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for needed in (
        "app/_bundled/i18n/zh_CN/LC_MESSAGES/messages.mo",
        "app/_bundled/resources/fonts/NotoSansSC-Regular.ttf",
        "app/_bundled/resources/icons/halldesk-256.png",
        "app/store/migrations/env.py",
        "app/store/migrations/script.py.mako",
    ):
        assert needed in names, needed
    assert not any(name.endswith(".po") for name in names)
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name}
    assert "setup.py" in members and "i18n/zh_CN/LC_MESSAGES/messages.po" in members

    venv = tmp_path / "venv"
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / ("Scripts" if sys.platform.startswith("win") else "bin")
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=1200,
        cwd=tmp_path,
    )
    record_property("wheel_install_seconds", round(time.perf_counter() - start, 1))
    print(f"wheel_install_seconds: {time.perf_counter() - start:.0f} s")

    done = run_self_test([str(bin_dir / "halldesk")], tmp_path / "data", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "self-test passed"
    assert "app/_bundled" in done.stdout.replace("\\", "/")  # not the checkout's files
