"""The one check of free text (issue 13 item 3: a NUL pasted into a complaint blocked a
PC's push for good; issue 12 item 15: a lone surrogate gave a raw UnicodeEncodeError)."""

from __future__ import annotations

import pytest

from app.domain.errors import ValidationError
from app.domain.text import check_text, clean_text
from app.i18n import in_language


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\x0b", "\x0c"])
def test_control_characters_are_refused_with_their_code(bad: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_text(f"投诉{bad}内容", field="description")
    assert err.value.field == "description"
    assert f"U+{ord(bad):04X}" in err.value.user_message()
    with in_language("zh_CN"):
        assert "控制字符" in err.value.user_message()


@pytest.mark.parametrize("bad", ["\ud800", "\udfff", "a\udc80b"])
def test_lone_surrogates_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_text(bad, field="note")
    with in_language("zh_CN"):
        assert "残缺" in err.value.user_message()


def test_newline_and_tab_are_kept_in_multiline_text_and_crlf_becomes_lf() -> None:
    assert (
        check_text(" 第一行\r\n第二行\t末尾\r第三行 ", field="note")
        == "第一行\n第二行\t末尾\n第三行"
    )
    assert clean_text("😀 emoji 与中文", field="note") == "😀 emoji 与中文"


def test_single_line_fields_refuse_line_breaks() -> None:
    with pytest.raises(ValidationError) as err:
        check_text("王\n小明", field="contact_name", multiline=False)
    assert err.value.field == "contact_name"


def test_limits() -> None:
    assert check_text("   ", field="note") == ""
    with pytest.raises(ValidationError):
        check_text("   ", field="note", required=True)
    with pytest.raises(ValidationError):
        check_text("短", field="description", minimum=5)
    with pytest.raises(ValidationError):
        check_text("长" * 11, field="note", maximum=10)
