"""The cash of a counter shift: denominations, counts, the expected amount and the difference.

Pure rules, no store. Money is integer fen.

**Denominations.** The fifth series of the renminbi (1999, with the 2005, 2015, 2019 and
2020 issues) is what circulates: notes of 100, 50, 20, 10, 5 and 1 yuan; coins of 1 yuan,
5 jiao and 1 jiao. Earlier series were withdrawn from circulation (the fourth in 2018); fen
coins remain legal tender but no longer circulate at a counter, so they are not counted
here. The 1-yuan note and the 1-yuan coin are counted apart (they sit in different trays).

**Expected cash** (what the drawer should hold at the close) is::

    opening float
  + cash received for payments (tendered)
  - change given
  + cash voids and reversals (negative amounts: money paid back)
  + cash in
  - cash out

Card and electronic takings are totals per method (payments less their voids and
reversals); they never reach the drawer. At the close each of them is **counted** too: the
clerk types the total of the POS terminal's settlement slip (bank card) or of the payment
platform's statement (WeChat Pay, Alipay), and it is compared with the method's net
takings the same way the drawer is compared with the expected cash. A method that had
takings must be counted; one without may be left empty (0).

The **difference** is counted − expected: positive is a surplus (长款), negative a shortage
(短款).

**Cash is taken in whole jiao** (``cash_due``), because the drawer holds and counts no fen
coins: were cash taken to the fen, every such payment would leave the count a few fen
off. When a cash payment settles everything the account owes and that total has fen, the
fen (1–9) are written off in the customer's favour (抹零): the account is credited the
whole amount, the customer hands over the amount rounded *down* to the jiao, and the
write-off is its own line on the payment (``payment.rounding_fen``), the receipt and the
X/Z report. Any other cash amount (part of what is owed, or more than it) must be whole
jiao, so no one gains fen by splitting a payment. The customer is never asked for more
than is owed, and the drawer's expected cash is always whole jiao.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from app.domain.errors import HallDeskError, ValidationError
from app.domain.money import amount_text, fen_to_yuan, parse_amount
from app.i18n import N_, _

#: The smallest amount of cash the counter takes, gives back and counts: one jiao.
JIAO_FEN: Final = 10
#: The largest count of one denomination accepted (a brick of 100-yuan notes is 1,000).
MAX_PIECES: Final = 100_000
#: The largest counted total of one non-cash method accepted (a typo guard, not a policy).
MAX_METHOD_TOTAL_FEN: Final = 100_000_000_00


@dataclass(frozen=True, slots=True)
class Denomination:
    """One kind of note or coin: ``code`` is its storage key, ``value_fen`` its worth."""

    code: str
    value_fen: int
    coin: bool
    label: str  # N_ msgid


DENOMINATIONS: Final[tuple[Denomination, ...]] = (
    Denomination("note_100", 100_00, False, N_("100 yuan note")),
    Denomination("note_50", 50_00, False, N_("50 yuan note")),
    Denomination("note_20", 20_00, False, N_("20 yuan note")),
    Denomination("note_10", 10_00, False, N_("10 yuan note")),
    Denomination("note_5", 5_00, False, N_("5 yuan note")),
    Denomination("note_1", 1_00, False, N_("1 yuan note")),
    Denomination("coin_1", 1_00, True, N_("1 yuan coin")),
    Denomination("coin_0_5", 50, True, N_("5 jiao coin")),
    Denomination("coin_0_1", 10, True, N_("1 jiao coin")),
)
BY_CODE: Final[dict[str, Denomination]] = {d.code: d for d in DENOMINATIONS}


def parse_count(text: str, code: str) -> int:
    """A count typed by a clerk: empty is 0; otherwise a whole number from 0 to MAX_PIECES.
    Full-width digits (a Chinese input method's) count as digits, other scripts' are
    refused by name (``amount_text``)."""
    text = amount_text(text, field=code).strip()
    if not text:
        return 0
    if not text.isdecimal() or not text.isascii():
        raise ValidationError(
            code, N_("Count each note and coin as a whole number of pieces (0 or more).")
        )
    return check_count(code, int(text))


def check_count(code: str, pieces: object) -> int:
    """``pieces`` if it is a valid count for denomination ``code`` (else ValidationError)."""
    if code not in BY_CODE:
        raise ValidationError(code, N_("Unknown denomination: {code}."), code=code)
    if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 0:
        raise ValidationError(
            code, N_("Count each note and coin as a whole number of pieces (0 or more).")
        )
    if pieces > MAX_PIECES:
        raise ValidationError(
            code, N_("At most {max} pieces of one note or coin."), max=f"{MAX_PIECES:,}"
        )
    return pieces


@dataclass(frozen=True, slots=True)
class CashCount:
    """Pieces per denomination, validated; zero counts are dropped (two counts of the same
    cash compare equal however they were typed)."""

    pieces: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, pieces: Mapping[str, object]) -> CashCount:
        checked = {code: check_count(code, n) for code, n in pieces.items()}
        ordered = {d.code: checked[d.code] for d in DENOMINATIONS if checked.get(d.code)}
        return cls(ordered)

    @property
    def total_fen(self) -> int:
        return sum(BY_CODE[code].value_fen * n for code, n in self.pieces.items())

    def count(self, code: str) -> int:
        return self.pieces.get(code, 0)

    def as_dict(self) -> dict[str, int]:
        return dict(self.pieces)


@dataclass(frozen=True, slots=True)
class CashDue:
    """What a cash payment of ``amount_fen`` takes: ``due_fen`` in whole jiao, after
    ``rounding_fen`` written off in the customer's favour (see the module docstring)."""

    amount_fen: int
    rounding_fen: int = 0

    @property
    def due_fen(self) -> int:
        return self.amount_fen - self.rounding_fen


def _yuan(fen: int) -> str:
    return f"{fen_to_yuan(fen):,}"


def cash_due(amount_fen: int, settles_everything: bool) -> CashDue:
    """The cash to take for ``amount_fen``: its fen written off when the payment settles
    everything owed (``settles_everything``), else refused unless it is whole jiao."""
    fen = amount_fen % JIAO_FEN
    if fen == 0:
        return CashDue(amount_fen)
    if not settles_everything:
        lower = amount_fen - fen
        raise ValidationError(
            "amount_fen",
            N_(
                "Cash is taken in whole jiao: enter {lower} or {higher} yuan. Only an amount "
                "that pays everything owed is rounded down for the customer."
            ),
            lower=_yuan(lower),
            higher=_yuan(lower + JIAO_FEN),
        )
    return CashDue(amount_fen, fen)


def check_tendered(tendered_fen: int, due: CashDue) -> int:
    """``tendered_fen`` if it is whole jiao and covers the cash due (else ValidationError)."""
    if tendered_fen % JIAO_FEN:
        raise ValidationError(
            "tendered_fen", N_("Cash tendered is counted in whole jiao (no fen coins).")
        )
    if tendered_fen < due.due_fen:
        raise ValidationError("tendered_fen", N_("Less cash was tendered than the amount to pay."))
    return tendered_fen


class EntryKind(StrEnum):
    PAYMENT = "payment"
    VOID = "void"
    REVERSAL = "reversal"


@dataclass(frozen=True, slots=True)
class MoneyEntry:
    """One payment row of a shift. ``amount_fen`` is negative for a void or reversal;
    ``tendered_fen``/``change_fen`` apply to cash payments (None means exact money);
    ``rounding_fen`` is the part of a cash amount written off rather than taken (negative
    on a void or reversal), so the drawer moved ``amount_fen - rounding_fen``."""

    method: str
    amount_fen: int
    kind: EntryKind = EntryKind.PAYMENT
    tendered_fen: int | None = None
    change_fen: int | None = None
    rounding_fen: int = 0

    @property
    def cash_fen(self) -> int:
        """What the drawer took (or paid back, negative) for this entry."""
        return self.amount_fen - self.rounding_fen

    def __post_init__(self) -> None:
        if self.kind is EntryKind.PAYMENT and self.amount_fen <= 0:
            raise ValueError("a payment has a positive amount")
        if self.kind is not EntryKind.PAYMENT and self.amount_fen >= 0:
            raise ValueError("a void or reversal has a negative amount")
        tendered = self.tendered_fen
        change = self.change_fen or 0
        if change < 0 or (tendered is not None and tendered - change != self.cash_fen):
            raise ValueError("tendered minus change must be the amount less its rounding")
        if abs(self.rounding_fen) >= JIAO_FEN or self.rounding_fen * self.amount_fen < 0:
            raise ValueError("a rounding is less than a jiao, with the amount's sign")


@dataclass(frozen=True, slots=True)
class MethodTotal:
    """A payment method's takings in a shift."""

    method: str
    payments: int = 0
    payments_fen: int = 0
    voids: int = 0
    voids_fen: int = 0  # negative
    reversals: int = 0
    reversals_fen: int = 0  # negative

    @property
    def net_fen(self) -> int:
        return self.payments_fen + self.voids_fen + self.reversals_fen


@dataclass(frozen=True, slots=True)
class MethodTally:
    """How many payments, voids and reversals a method had in a shift, and no amount: what
    a clerk sees of an open shift under a blind count (any amount would let the expected
    cash be worked out before the drawer is counted)."""

    method: str
    payments: int = 0
    voids: int = 0
    reversals: int = 0

    @classmethod
    def of(cls, total: MethodTotal) -> MethodTally:
        return cls(total.method, total.payments, total.voids, total.reversals)


@dataclass(frozen=True, slots=True)
class ShiftCash:
    """The cash arithmetic of one shift (see the module docstring)."""

    opening_float_fen: int
    cash_received_fen: int
    change_given_fen: int
    cash_corrections_fen: int  # voids and reversals paid back in cash (<= 0)
    cash_in_fen: int
    cash_out_fen: int
    methods: tuple[MethodTotal, ...]
    #: Fen written off to take cash in whole jiao (payments less their corrections).
    rounding_fen: int = 0

    @property
    def expected_cash_fen(self) -> int:
        return (
            self.opening_float_fen
            + self.cash_received_fen
            - self.change_given_fen
            + self.cash_corrections_fen
            + self.cash_in_fen
            - self.cash_out_fen
        )

    @property
    def takings_fen(self) -> int:
        """Net takings over every method (the float and cash movements excluded)."""
        return sum(m.net_fen for m in self.methods)

    def method(self, method: str) -> MethodTotal:
        for total in self.methods:
            if total.method == method:
                return total
        return MethodTotal(method)


CASH: Final = "cash"


def shift_cash(
    opening_float_fen: int,
    entries: Iterable[MoneyEntry],
    *,
    cash_in: Iterable[int] = (),
    cash_out: Iterable[int] = (),
    method_order: Iterable[str] = (),
) -> ShiftCash:
    """Add up a shift. ``method_order`` lists methods to report first (even when unused)."""
    if opening_float_fen < 0:
        raise ValueError("the opening float cannot be negative")
    ins, outs = list(cash_in), list(cash_out)
    if any(a <= 0 for a in ins + outs):
        raise ValueError("cash movements are positive amounts")
    totals: dict[str, dict[str, int]] = {m: {} for m in method_order}
    received = change = corrections = rounding = 0
    for e in entries:
        t = totals.setdefault(e.method, {})
        key = e.kind.value
        t[key] = t.get(key, 0) + 1
        t[f"{key}_fen"] = t.get(f"{key}_fen", 0) + e.amount_fen
        if e.method == CASH:
            rounding += e.rounding_fen
            if e.kind is EntryKind.PAYMENT:
                received += e.tendered_fen if e.tendered_fen is not None else e.cash_fen
                change += e.change_fen or 0
            else:
                corrections += e.cash_fen
    methods = tuple(
        MethodTotal(
            method,
            payments=t.get("payment", 0),
            payments_fen=t.get("payment_fen", 0),
            voids=t.get("void", 0),
            voids_fen=t.get("void_fen", 0),
            reversals=t.get("reversal", 0),
            reversals_fen=t.get("reversal_fen", 0),
        )
        for method, t in totals.items()
    )
    return ShiftCash(
        opening_float_fen=opening_float_fen,
        cash_received_fen=received,
        change_given_fen=change,
        cash_corrections_fen=corrections,
        cash_in_fen=sum(ins),
        cash_out_fen=sum(outs),
        methods=methods,
        rounding_fen=rounding,
    )


class DifferenceKind(StrEnum):
    BALANCED = "balanced"
    SURPLUS = "surplus"  # 长款
    SHORTAGE = "shortage"  # 短款


DIFFERENCE_LABELS: Final[dict[DifferenceKind, str]] = {
    DifferenceKind.BALANCED: N_("Balanced"),
    DifferenceKind.SURPLUS: N_("Surplus"),
    DifferenceKind.SHORTAGE: N_("Shortage"),
}


@dataclass(frozen=True, slots=True)
class CashDifference:
    expected_fen: int
    counted_fen: int

    @property
    def difference_fen(self) -> int:
        return self.counted_fen - self.expected_fen

    @property
    def kind(self) -> DifferenceKind:
        if self.difference_fen > 0:
            return DifferenceKind.SURPLUS
        if self.difference_fen < 0:
            return DifferenceKind.SHORTAGE
        return DifferenceKind.BALANCED

    def over_limit(self, limit_fen: int) -> bool:
        """Whether the difference (either way) exceeds the hall's limit."""
        return abs(self.difference_fen) > limit_fen


class MethodTotalError(ValidationError):
    """A counted method total that is missing or wrong. ``field`` is the method; its
    display name (an ``N_`` msgid, ``label``) is translated when the message is shown."""

    def __init__(self, method: str, message: str, label: str = "", **params: object) -> None:
        super().__init__(method, message, method=label or method, **params)

    def user_message(self) -> str:
        params = {
            key: value.user_message() if isinstance(value, HallDeskError) else value
            for key, value in self.params.items()
        }
        params["method"] = _(str(params["method"]))
        return _(self.message).format(**params)


_ZERO_RE: Final = re.compile(r"^[¥￥]?\s*0+(\.0{0,2})?$")


def parse_method_total(text: str, method: str, label: str = "") -> int | None:
    """A method's total as typed, in yuan: empty is None (not entered); otherwise fen,
    0 or more, with at most two decimals (never rounded)."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("-"):
        raise MethodTotalError(method, N_("{method}: the total cannot be negative."), label)
    if _ZERO_RE.match(text):
        return 0
    try:
        fen = parse_amount(text, field=method)
    except ValidationError as exc:
        raise MethodTotalError(method, N_("{method}: {problem}"), label, problem=exc) from None
    return check_method_total(method, fen, label)


def check_method_total(method: str, fen: object, label: str = "") -> int:
    """``fen`` if it is a valid counted total of ``method`` (else MethodTotalError)."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise MethodTotalError(
            method, N_("{method}: the total is an amount of 0 or more, in fen."), label
        )
    if fen > MAX_METHOD_TOTAL_FEN:
        raise MethodTotalError(method, N_("{method}: this total is too large."), label)
    return fen


@dataclass(frozen=True, slots=True)
class MethodCount:
    """A non-cash method at the close: ``expected_fen`` is its net takings in the shift
    (payments less voids and reversals), ``counted_fen`` the settlement slip's or the
    statement's total."""

    method: str
    expected_fen: int
    counted_fen: int

    @property
    def difference(self) -> CashDifference:
        return CashDifference(self.expected_fen, self.counted_fen)

    @property
    def difference_fen(self) -> int:
        return self.difference.difference_fen


def had_takings(total: MethodTotal | MethodTally) -> bool:
    """Whether anything was taken, voided or reversed with the method in the shift."""
    return total.payments + total.voids + total.reversals > 0


def reconcile_methods(
    cash: ShiftCash,
    counted: Mapping[str, int | None],
    labels: Mapping[str, str] | None = None,
) -> tuple[MethodCount, ...]:
    """Every non-cash method of the shift against its counted total, in report order.

    A method that had takings must have a total (a missing one is refused, naming the
    method); one without may be left out and counts as 0. A total for cash (counted by note
    and coin) or for a method the shift does not know is refused. ``labels`` maps methods
    to their display names (``N_`` msgids) for the messages.
    """
    labels = labels or {}
    known = {m.method: m for m in cash.methods if m.method != CASH}
    for method in counted:
        if method not in known:
            raise MethodTotalError(
                method, N_("{method} is not counted here."), labels.get(method, method)
            )
    result = []
    for method, total in known.items():
        label = labels.get(method, method)
        value = counted.get(method)
        if value is None:
            if had_takings(total):
                raise MethodTotalError(
                    method,
                    N_(
                        "{method} had takings in this shift: enter the total of its "
                        "settlement slip or statement (0 if it shows none)."
                    ),
                    label,
                )
            value = 0
        result.append(MethodCount(method, total.net_fen, check_method_total(method, value, label)))
    return tuple(result)


def close_needs(
    cash: CashDifference, methods: Iterable[MethodCount], limit_fen: int
) -> tuple[bool, bool]:
    """(needs a reason, needs a leader): any difference at all needs a reason; one over the
    hall's limit, in the drawer or on any method, needs a shift leader."""
    differences = [cash, *(m.difference for m in methods)]
    return (
        any(d.difference_fen != 0 for d in differences),
        any(d.over_limit(limit_fen) for d in differences),
    )


def check_float_left(float_left_fen: int, counted_fen: int) -> int:
    """The float to leave for the next shift: from 0 up to what was counted."""
    if float_left_fen < 0:
        raise ValidationError("float_left", N_("The float to leave cannot be negative."))
    if float_left_fen > counted_fen:
        raise ValidationError(
            "float_left", N_("The float to leave cannot be more than the cash counted.")
        )
    return float_left_fen
