"""The pure parts of the real-screen check (docs/make_screenshots_xvfb.py): the fit rule,
the parsing of xwininfo and xprop, the windows its steps wait for. (The check itself needs
Xvfb and openbox and is run by hand; CI stays offscreen.)"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def xvfb() -> ModuleType:
    path = ROOT / "docs" / "make_screenshots_xvfb.py"
    spec = importlib.util.spec_from_file_location("make_screenshots_xvfb", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


XWININFO = """
xwininfo: Window id: 0x600051 "HallDesk"

  Absolute upper-left X:  0
  Absolute upper-left Y:  25
  Relative upper-left X:  0
  Relative upper-left Y:  0
  Width: 1366
  Height: 703
  Depth: 24
"""


def test_xwininfo_gives_the_client_area(xvfb: ModuleType) -> None:
    assert xvfb.parse_xwininfo(XWININFO) == {"X": 0, "Y": 25, "WIDTH": 1366, "HEIGHT": 703}
    with pytest.raises(ValueError, match="HEIGHT"):
        xvfb.parse_xwininfo(XWININFO.replace("Height: 703", ""))


def test_a_free_display_is_one_without_a_lock_or_a_socket(xvfb: ModuleType, tmp_path: Path) -> None:
    (tmp_path / ".X11-unix").mkdir()
    assert xvfb.free_display(x11=tmp_path) == 90
    (tmp_path / ".X90-lock").write_text("1234")
    (tmp_path / ".X11-unix" / "X91").write_text("")
    assert xvfb.free_display(x11=tmp_path) == 92


def test_frame_extents(xvfb: ModuleType) -> None:
    text = "_NET_FRAME_EXTENTS(CARDINAL) = 1, 1, 26, 5\n"
    assert xvfb.parse_extents(text) == (1, 1, 26, 5)
    assert xvfb.parse_extents("_NET_FRAME_EXTENTS:  not found.\n") == (0, 0, 0, 0)


def test_a_maximised_window_above_the_panel_fits(xvfb: ModuleType) -> None:
    window = {"X": 0, "Y": 25, "WIDTH": 1366, "HEIGHT": 703}
    assert xvfb.off_screen(window, (0, 0, 25, 0)) == []


def test_what_lies_below_the_panel_or_beyond_an_edge_is_named(xvfb: ModuleType) -> None:
    """The self-check form as openbox placed it: 1000×720 under a 26 px title bar."""
    form = {"X": 173, "Y": 26, "WIDTH": 1000, "HEIGHT": 720}
    assert xvfb.off_screen(form, (1, 1, 26, 5)) == ["23 px below 728 (the top of the 40 px panel)"]
    wide = {"X": -10, "Y": 0, "WIDTH": 1400, "HEIGHT": 600}
    assert xvfb.off_screen(wide, (1, 1, 20, 1)) == [
        "11 px beyond the left edge",
        "20 px above the top edge",
        "25 px beyond the right edge",
    ]


def test_title_patterns_match_the_translated_titles(xvfb: ModuleType) -> None:
    main = xvfb.title_pattern(xvfb.MAIN, "zh_CN")
    assert main.match("HallDesk 营业厅柜台工作台 — 上海浦东新区世纪大道营业厅")
    assert xvfb.title_pattern("Open shift", "zh_CN").match("开班")
    assert not xvfb.title_pattern("Open shift", "zh_CN").match("开班 — 确认")
    assert xvfb.title_pattern("Open shift", "en").match("Open shift")


def test_every_step_waits_for_a_title_the_program_sets(xvfb: ModuleType) -> None:
    """A renamed window title fails here, not only under Xvfb: each step's title msgid
    is a string literal of ui/, translated into Chinese."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "ui").rglob("*.py"))
    walk = xvfb.steps("18126272045", "wujun", "zh_CN")
    shots = [step.shot for step in walk]
    assert len(set(shots)) == len(shots), "two steps would write the same picture"
    assert set(xvfb.GUIDE_SHOTS) <= set(shots)
    for step in walk:
        assert f'"{step.window}"' in sources, step.window
        chinese = xvfb.title_pattern(step.window, "zh_CN").pattern.replace("HallDesk", "")
        assert not re.search(r"[A-Za-z]{3}", chinese), f"{step.window!r} is not translated"
        for action in step.actions:
            assert action.partition(":")[0] in {"key", "type", "sleep"}, action
