"""Packaging tests. Those marked ``slow`` build a bundle or a wheel (minutes, network for
the build requirements) and run only when ``HALLDESK_SLOW_TESTS=1`` is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("HALLDESK_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="slow packaging build: set HALLDESK_SLOW_TESTS=1")
    for item in items:
        if "slow" in item.keywords and Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(skip)


def run_self_test(
    command: list[str], data_dir: Path, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``command --self-test`` headless with its own data folder; returns the result."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HALLDESK_DATA_DIR=str(data_dir),
        XDG_CONFIG_HOME=str(data_dir / "config"),
    )
    return subprocess.run(
        [*command, "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        **kwargs,  # type: ignore[arg-type]
    )


PYTHON = sys.executable
