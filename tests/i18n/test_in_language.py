"""``in_language`` translates one block of work in one thread; the screen keeps its language."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from app import i18n
from app.i18n import _, current_language, format_money, in_language


@pytest.fixture(autouse=True)
def english_screen() -> Iterator[None]:
    before = current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def test_block_uses_the_language_and_restores_it() -> None:
    assert _("Cash") == "Cash"
    with in_language("zh_CN"):
        assert current_language() == "zh_CN"
        assert _("Cash") == "现金"
        assert format_money(123_45) == "¥123.45"
        with in_language("en"):
            assert _("Cash") == "Cash"
        assert _("Cash") == "现金"
    assert (current_language(), _("Cash")) == ("en", "Cash")


def test_other_threads_keep_the_screen_language() -> None:
    inside = threading.Event()
    release = threading.Event()
    seen: list[str] = []

    def render() -> None:
        with in_language("zh_CN"):
            seen.append(_("Cash"))
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=render)
    worker.start()
    assert inside.wait(5)
    seen.append(_("Cash"))  # the main thread, while the worker is inside its block
    release.set()
    worker.join(5)
    assert seen == ["现金", "Cash"]


def test_unknown_language_falls_back_to_english() -> None:
    with in_language("xx"):
        assert current_language() == "en"
