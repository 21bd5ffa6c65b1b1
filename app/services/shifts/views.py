"""What the handover and the hall day show: the views their services fill and their printed
documents read (``handover_documents``).

Plain data with the labels that go with it, below the services that read the store: the
documents take a view passed in and never reach back into a service for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from app.domain.handover import Signer, is_locked, next_signer
from app.i18n import N_
from app.services.pending import PendingItem
from app.services.shifts.records import ShiftReport

#: The equipment and supplies every handover lists (``N_`` msgids; codes are stored).
STANDARD_EQUIPMENT: Final[dict[str, str]] = {
    "printer_paper": N_("Printer paper (rolls)"),
    "pos_terminal": N_("POS terminals"),
    "sim_stock": N_("SIM cards in stock"),
    "card_stock": N_("Top-up and service cards in stock"),
    "seals": N_("Seals and stamps"),
}


@dataclass(frozen=True, slots=True)
class EquipmentLine:
    """One line of equipment or supplies: a standard ``item`` code or a free name."""

    item: str
    count: int
    fault: str = ""


@dataclass(frozen=True, slots=True)
class SignatureView:
    role: Signer
    staff_id: int
    staff_no: str
    staff_name: str
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class RevisionView:
    revision_id: uuid.UUID
    revision_no: int
    created_at: datetime
    staff_no: str
    notes: str
    pending: tuple[PendingItem, ...]
    equipment: tuple[EquipmentLine, ...]
    correction_reason: str
    signatures: tuple[SignatureView, ...]
    superseded: bool

    @property
    def signed(self) -> dict[Signer, int]:
        return {s.role: s.staff_id for s in self.signatures}

    @property
    def locked(self) -> bool:
        return is_locked(self.signed)

    @property
    def next_signer(self) -> Signer | None:
        return next_signer(self.signed)

    def signature(self, role: Signer) -> SignatureView | None:
        for s in self.signatures:
            if s.role is role:
                return s
        return None


@dataclass(frozen=True, slots=True)
class HandoverView:
    """A shift's handover: its Z figures and its revisions (the last is current)."""

    handover_id: uuid.UUID | None
    report: ShiftReport
    revisions: tuple[RevisionView, ...]

    @property
    def current(self) -> RevisionView | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def locked(self) -> bool:
        return self.current is not None and self.current.locked


class HandoverState:
    NONE = "none"
    DRAFT = "draft"
    SIGNING = "signing"
    LOCKED = "locked"


HANDOVER_STATE_LABELS: Final = {
    HandoverState.NONE: N_("No handover"),
    HandoverState.DRAFT: N_("Not signed"),
    HandoverState.SIGNING: N_("Partly signed"),
    HandoverState.LOCKED: N_("Signed and locked"),
}


@dataclass(frozen=True, slots=True)
class DayShiftRow:
    """One shift of the day. ``takings_fen``, ``method_fen`` and ``expected_cash_fen`` are
    None (empty) for an open shift when the viewer is under the hall's blind count."""

    shift_id: uuid.UUID
    counter_code: str
    staff_no: str
    staff_name: str
    opened_at: datetime
    closed_at: datetime | None
    takings_fen: int | None
    method_fen: dict[str, int]
    expected_cash_fen: int | None
    counted_cash_fen: int | None
    difference_fen: int | None
    handover: str  # HandoverState
    #: Card and electronic differences at the close (counted − expected, summed).
    method_difference_fen: int | None = None


@dataclass(frozen=True, slots=True)
class OpeningCheckView:
    created_at: datetime
    leader_name: str
    opened_at: datetime | None
    all_passed: bool
    late_staff: tuple[str, ...]
    uncleaned_counters: tuple[str, ...]
    opened_late: bool
    note: str


@dataclass(frozen=True, slots=True)
class HallDay:
    business_date: date
    hall_name: str
    counters: tuple[tuple[int, str, str], ...]  # id, code, name
    shifts: tuple[DayShiftRow, ...]
    pending: tuple[PendingItem, ...]
    opening: OpeningCheckView | None
    closed_at: datetime | None
    closed_by: str
    opening_time: str
    arrive_before_minutes: int
    method_totals: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def open_shifts(self) -> int:
        return sum(1 for s in self.shifts if s.closed_at is None)

    @property
    def takings_fen(self) -> int:
        """The takings of the shifts whose figures are shown."""
        return sum(s.takings_fen or 0 for s in self.shifts)

    @property
    def difference_fen(self) -> int:
        """Every difference of the day: the drawers' cash and the card and electronic
        totals."""
        return sum((s.difference_fen or 0) + (s.method_difference_fen or 0) for s in self.shifts)
