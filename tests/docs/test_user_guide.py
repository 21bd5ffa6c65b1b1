"""The user guide in both languages links each other and only images that exist, and both
show the same screenshots (each in its own language where the screen has text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = ("user-guide.md", "user-guide.en.md")
LANGUAGE_OF = {"user-guide.md": "zh_CN", "user-guide.en.md": "en"}
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]+)\)")
SUFFIX = re.compile(r"-(zh_CN|en)\.png$")

#: What the guide must show (the tasks of the issue, and the screens added since).
REQUIRED = {
    "images/lookup.png",
    "images/arrears.png",
    "images/guide/payment-confirm.png",
    "images/guide/receipt.png",
    "images/guide/complaint-form.png",
    "images/guide/complaint-ack.png",
    "images/guide/complaints.png",
    "images/guide/complaint-deadlines.png",
    "images/guide/fault-banner.png",
    "images/guide/shift-open.png",
    "images/guide/shift.png",
    "images/guide/shift-close.png",
    "images/guide/handover.png",
    "images/guide/handover-sheet.png",
    "images/guide/hall-day.png",
    "images/guide/reports.png",
    "images/guide/report-complaints.png",
    "images/guide/report-print.png",
    "images/guide/inspection.png",
    "images/guide/sync-settings.png",
    "images/guide/sync-conflicts.png",
    "images/guide/device-settings.png",
    "images/guide/drawer-no-sale.png",
    # issue 16: the administration chapter
    "images/guide/admin-staff.png",
    "images/guide/admin-staff-edit.png",
    "images/guide/admin-one-time-password.png",
    "images/guide/admin-forced-password.png",
    "images/guide/admin-counters.png",
    "images/guide/admin-hall.png",
    "images/guide/admin-history.png",
    "images/guide/audit-trail.png",
    # issue 15: every tab on a real 1366×768 screen (docs/make_screenshots_xvfb.py)
    "images/screen/lookup.png",
    "images/screen/payment.png",
    "images/screen/receipt-preview.png",
    "images/screen/arrears.png",
    "images/screen/complaint-form.png",
    "images/screen/shift.png",
    "images/screen/shift-close.png",
    "images/screen/handover.png",
    "images/screen/checklist.png",
}


def images(name: str) -> list[tuple[str, str]]:
    """(caption, path) of every image the guide shows."""
    return IMAGE.findall((DOCS / name).read_text(encoding="utf-8"))


def shots(name: str) -> set[str]:
    """The screens shown, with the language suffix taken off."""
    return {SUFFIX.sub(".png", path) for _caption, path in images(name)}


@pytest.mark.parametrize("name", GUIDES)
def test_guide_links_resolve(name: str) -> None:
    text = (DOCS / name).read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    missing = [link for link in links if "://" not in link and not (DOCS / link).is_file()]
    assert missing == []
    other = GUIDES[1 - GUIDES.index(name)]
    assert other in links


@pytest.mark.parametrize("name", GUIDES)
def test_every_image_exists_and_is_a_png(name: str) -> None:
    found = images(name)
    assert len(found) >= len(REQUIRED), "the guide lost its screenshots"
    for caption, path in found:
        assert caption.strip(), f"{path} has no caption"
        file = DOCS / path
        assert file.is_file(), f"{path} does not exist"
        assert file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
        assert file.stat().st_size > 5000, f"{path} looks empty"


@pytest.mark.parametrize("name", GUIDES)
def test_each_guide_shows_its_own_language(name: str) -> None:
    language = LANGUAGE_OF[name]
    for _caption, path in images(name):
        suffix = SUFFIX.search(path)
        if suffix is not None:
            assert suffix.group(1) == language, f"{name} shows {path}"
        else:
            # One image only for printouts that do not depend on the screen's language.
            stem = DOCS / path
            assert not stem.with_name(stem.stem + f"-{language}.png").exists(), (
                f"{name} shows {path} though a {language} version exists"
            )


@pytest.mark.parametrize("name", GUIDES)
def test_guide_shows_every_task(name: str) -> None:
    assert REQUIRED - shots(name) == set()


def test_both_languages_show_the_same_screens() -> None:
    assert shots(GUIDES[0]) == shots(GUIDES[1])


def test_both_languages_exist_for_every_translated_screen() -> None:
    for name in GUIDES:
        for _caption, path in images(name):
            if SUFFIX.search(path):
                for language in LANGUAGE_OF.values():
                    other = DOCS / SUFFIX.sub(f"-{language}.png", path)
                    assert other.is_file(), f"{other.name} is missing"
