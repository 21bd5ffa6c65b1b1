"""The pull cursor: which of the centre's committed changes a hall PC has already received.

The centre's change log is ordered by ``(txid, seq)``: the writing transaction's id
(``xid8``) and a sequence. Transactions commit out of id order, so "after the last row I
saw" would skip a row whose transaction was still open at the time. A watermark alone
(``txid < xmin`` of the current snapshot) never skips, but holds every row back while any
older writing transaction is open anywhere on the server (an autovacuum ANALYZE, a long
load), so a change pushed by one PC could stay invisible to the next PC's pull.

The cursor therefore carries PostgreSQL snapshots (``pg_snapshot`` text, ``xmin:xmax:xip``):

- ``seen``: every committed change whose transaction is visible in this snapshot has been
  received;
- while a pull runs over several pages, ``upto`` is the snapshot the pull started from and
  ``after`` the last ``(txid, seq)`` received: the pages deliver the changes visible in
  ``upto`` but not in ``seen``, in log order; when a page comes back short, ``seen``
  becomes ``upto``. (A cursor may also carry ``after`` without ``upto``: the next pull
  starts a new sweep above that position; protocol-1 cursors are read that way.)

A transaction open during a pull is in ``seen``'s in-progress list, so its rows are
delivered by the first pull after it commits: nothing is skipped and nothing waits for an
unrelated transaction. The client stores the cursor as given and sends it back; only the
centre reads it. A cursor of protocol 1 (``{"txid", "seq"}``, a watermark) is read as the
snapshot it stood for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

#: Below the first normal transaction id: a snapshot in which nothing is visible yet.
_NOTHING_SEEN: Final = "3:3:"


#: Transaction ids and log sequence numbers the centre's columns hold (xid8, bigint).
_ID_MAX: Final = 2**63 - 1


def _id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not a number: {value!r}")
    number = int(value)
    if not 0 <= number <= _ID_MAX:
        raise ValueError(f"out of range: {number}")
    return number


def _bounds(snapshot: str) -> tuple[int, int]:
    xmin, xmax, _xip = snapshot.split(":", 2)
    return _id(xmin), _id(xmax)


def _valid_snapshot(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a snapshot: {value!r}")
    xmin, xmax = _bounds(value)
    xip = value.split(":", 2)[2]
    if not 0 < xmin <= xmax or any(not 0 < _id(x) < xmax for x in xip.split(",") if x):
        raise ValueError(f"not a snapshot: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class PullCursor:
    seen: str = _NOTHING_SEEN
    upto: str | None = None
    after: tuple[int, int] | None = None

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any] | None) -> PullCursor:
        """The cursor a device sent; ``ValueError`` if it is not one."""
        if not wire:
            return cls()
        if "seen" in wire:
            upto = wire.get("upto")
            after = wire.get("after")
            if upto is not None and after is None:
                raise ValueError("a pull in progress needs after")
            return cls(
                seen=_valid_snapshot(wire["seen"]),
                upto=None if upto is None else _valid_snapshot(upto),
                after=None if after is None else (_id(after[0]), _id(after[1])),
            )
        # Protocol 1: every transaction below txid was finished and received, and txid's
        # own rows up to seq.
        txid, seq = _id(wire.get("txid", 0)), _id(wire.get("seq", 0))
        if txid < 3:
            return cls()
        return cls(seen=f"{txid}:{txid}:", after=(txid, seq))

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"seen": self.seen}
        if self.upto is not None:
            wire["upto"] = self.upto
        if self.after is not None:
            wire["after"] = [str(self.after[0]), self.after[1]]
        return wire

    @property
    def horizon(self) -> int:
        """Below this transaction id everything has been received (``seen``'s xmin)."""
        return _bounds(self.seen)[0]

    def mark(self) -> tuple[int, int]:
        """``seen``'s (xmin, xmax): neither ever decreases as a PC keeps pulling."""
        return _bounds(self.seen)


def encode(cursor: Mapping[str, Any]) -> str:
    """The cursor as the PC stores it (``sync_state.pull_cursor``)."""
    return json.dumps(dict(cursor), sort_keys=True, separators=(",", ":"))


def decode(stored: str) -> dict[str, Any]:
    value = json.loads(stored or "{}")
    return value if isinstance(value, dict) else {}
