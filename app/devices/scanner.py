"""The barcode/QR scanner that types like a keyboard: telling a scan from a person typing,
and what a scanned code is.

A counter scanner is set up to type the code and then Enter, with no prefix (see
docs/devices.md). It types far faster than a person: ``ScanDetector`` takes a burst of at
least ``min_length`` characters, each within ``max_interval_ms`` of the one before, ended
by Enter within that interval too, as a scan. A person never types six keys 30 ms apart
in a row, and a held key (auto-repeat) ends a burst, so typing is never taken for a scan;
a scan that arrives slower than that is simply typed text, as without HallDesk.

``classify`` says what a code may be, and may say more than one thing (an 18-digit ID
number of Beijing starts like a WeChat payment code): each screen takes the meaning that
fits it. Payment codes (付款码) as the payment platforms publish them: WeChat Pay 18 digits
starting 10–15; Alipay 16–24 digits starting 25–30. A HallDesk receipt's QR code is
``HALLDESK:R:{receipt_no}:{amount_fen}:{hmac8}`` (``app.services.payments.receipts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from app.domain.identity import is_fixed_line, is_mobile, is_valid_id_number, normalise_phone
from app.services.payments.receipts import VERIFY_PREFIX
from app.store.models import PaymentMethod


class ScanKind(StrEnum):
    WECHAT_PAY = "wechat_pay"
    ALIPAY = "alipay"
    RECEIPT = "receipt"
    PHONE = "phone"
    ID_NUMBER = "id_number"


_WECHAT_RE: Final = re.compile(r"^1[0-5]\d{16}$")
_ALIPAY_RE: Final = re.compile(r"^(2[5-9]|30)\d{14,22}$")
_RECEIPT_RE: Final = re.compile(
    "^" + re.escape(VERIFY_PREFIX) + r":([A-Za-z0-9._-]{1,40}):(\d{1,12}):([0-9a-f]{8})$"
)
#: What each payment code pays with.
PAYMENT_CODE_METHODS: Final = {
    ScanKind.WECHAT_PAY: PaymentMethod.WECHAT,
    ScanKind.ALIPAY: PaymentMethod.ALIPAY,
}


@dataclass(frozen=True, slots=True)
class Scan:
    """A scanned code and what it may be (``kinds``, possibly empty)."""

    text: str
    kinds: frozenset[ScanKind]

    def is_a(self, kind: ScanKind) -> bool:
        return kind in self.kinds

    @property
    def payment_method(self) -> PaymentMethod | None:
        """The method a payment code pays with (None when it is not one)."""
        for kind, method in PAYMENT_CODE_METHODS.items():
            if kind in self.kinds:
                return method
        return None

    @property
    def receipt(self) -> tuple[str, int] | None:
        """(receipt number, amount in fen) of a HallDesk receipt QR code, unverified."""
        found = _RECEIPT_RE.match(self.text)
        return (found.group(1), int(found.group(2))) if found else None


def classify(code: str) -> Scan:
    """What ``code`` may be (see the module docstring)."""
    text = code.strip()
    kinds: set[ScanKind] = set()
    if _WECHAT_RE.match(text):
        kinds.add(ScanKind.WECHAT_PAY)
    if _ALIPAY_RE.match(text):
        kinds.add(ScanKind.ALIPAY)
    if _RECEIPT_RE.match(text):
        kinds.add(ScanKind.RECEIPT)
    if is_valid_id_number(text.upper()):
        kinds.add(ScanKind.ID_NUMBER)
    phone = normalise_phone(text)
    if phone and (is_mobile(phone) or is_fixed_line(phone)):
        kinds.add(ScanKind.PHONE)
    return Scan(text, frozenset(kinds))


class ScanDetector:
    """Watches key presses with their times (ms) and tells when Enter ends a scan.

    ``key`` for each printable character, ``enter`` for Enter (returns the scanned text,
    or None when what came before was typed), ``other`` for any other key (a correction,
    an arrow: whatever was typed so far is no scan). Modifier keys alone are not keys here
    (a scanner presses Shift for capitals).
    """

    def __init__(self, min_length: int = 6, max_interval_ms: float = 30) -> None:
        self.min_length = min_length
        self.max_interval_ms = max_interval_ms
        self._chars: list[str] = []
        self._last_ms: float | None = None

    @property
    def burst(self) -> str:
        """The characters of the burst under way."""
        return "".join(self._chars)

    def key(self, char: str, at_ms: float, *, autorepeat: bool = False) -> bool:
        """Note a character; True when it starts a new burst (the caller may note where
        the text stood before it)."""
        if autorepeat:
            self.other()
            return False
        fast = self._last_ms is not None and 0 <= at_ms - self._last_ms <= self.max_interval_ms
        if not fast:
            self._chars = []
        self._chars.append(char)
        self._last_ms = at_ms
        return not fast

    def enter(self, at_ms: float) -> str | None:
        """Enter pressed: the scanned text, or None; the burst ends either way."""
        last = self._last_ms
        text = self.burst
        self.other()
        if last is None or len(text) < self.min_length:
            return None
        if not 0 <= at_ms - last <= self.max_interval_ms:
            return None
        return text

    def other(self) -> None:
        self._chars = []
        self._last_ms = None
