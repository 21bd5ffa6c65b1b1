"""The user guide in both languages links each other and only images that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = ("user-guide.md", "user-guide.en.md")


@pytest.mark.parametrize("name", GUIDES)
def test_guide_links_resolve(name: str) -> None:
    text = (DOCS / name).read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) >= 8, "the guide lost its screenshots"
    missing = [link for link in links if "://" not in link and not (DOCS / link).is_file()]
    assert missing == []
    other = GUIDES[1 - GUIDES.index(name)]
    assert other in links


def test_both_languages_show_the_same_screens() -> None:
    def shots(name: str) -> set[str]:
        text = (DOCS / name).read_text(encoding="utf-8")
        found = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
        return {re.sub(r"-(zh_CN|en)\.png$", ".png", link) for link in found}

    assert shots(GUIDES[0]) == shots(GUIDES[1])
