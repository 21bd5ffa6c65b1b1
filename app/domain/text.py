"""Free text typed or pasted at the counter, checked once for every field.

Every free-text field a service stores (complaint texts, notes, reasons, names, references,
checklist texts…) goes through ``check_text``; the service-level helpers
(``complaints_records.check_text``, ``base.check_reason``, …) call it. It refuses, with
a message in the user's language, what would otherwise break a record far from the
counter:

* **control characters** other than newline and tab (``\\x00`` pasted from a clipboard is
  stored fine by SQLite but refused by PostgreSQL's JSON at the centre, which then blocked
  the PC's whole push; ``\\x1b`` and the other C0/C1 controls print as garbage);
* **lone surrogates** (half of a UTF-16 pair from a broken paste): they cannot be encoded
  as UTF-8, so SQLite raised a raw ``UnicodeEncodeError`` deep in the store.

A Windows line end (CR LF) or a lone CR is a newline and becomes LF. A single-line field
(a name, a reference) refuses newlines and tabs too. The text is stripped of surrounding
white space.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from app.domain.errors import ValidationError
from app.i18n import N_

#: Allowed in multi-line text; everything else of category Cc is refused.
MULTILINE_CONTROLS: Final = frozenset("\n\t")

CONTROL_MESSAGE: Final = N_(
    "The text contains an invisible control character (code {code}), perhaps pasted "
    "from elsewhere; delete it or type the text again."
)
SURROGATE_MESSAGE: Final = N_(
    "The text contains a broken character (half of a pasted character); delete it or "
    "type the text again."
)
LINE_BREAK_MESSAGE: Final = N_("This field is a single line: remove the line break or tab.")


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def refuse_bad_characters(value: str, *, field: str, multiline: bool = True) -> None:
    """Raise ``ValidationError`` for the first control character (other than newline and
    tab in multi-line text) or lone surrogate in ``value``."""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise ValidationError(field, SURROGATE_MESSAGE)
        if category == "Cc":
            if ch in MULTILINE_CONTROLS:
                if not multiline:
                    raise ValidationError(field, LINE_BREAK_MESSAGE)
                continue
            raise ValidationError(field, CONTROL_MESSAGE, code=_code(ch))


def clean_text(value: str | None, *, field: str, multiline: bool = True) -> str:
    """``value`` with line ends as LF, stripped, or the refusal of a bad character."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    refuse_bad_characters(text, field=field, multiline=multiline)
    return text.strip()


def check_text(
    value: str | None,
    *,
    field: str,
    required: bool = False,
    maximum: int | None = None,
    minimum: int = 1,
    multiline: bool = True,
    required_message: str = N_("This field is required."),
) -> str:
    """Clean text within the limits, or a ``ValidationError`` that says which rule.

    Empty text is ``""`` unless ``required``; ``minimum`` applies to non-empty text.
    """
    text = clean_text(value, field=field, multiline=multiline)
    if not text:
        if required:
            raise ValidationError(field, required_message)
        return ""
    if len(text) < minimum:
        raise ValidationError(field, N_("Write at least {min} characters here."), min=minimum)
    if maximum is not None and len(text) > maximum:
        raise ValidationError(field, N_("This text can be at most {max} characters."), max=maximum)
    return text
