"""The rules of a handover's signatures and of the hall's opening checks (pure, no store).

**Signatures.** A handover revision is signed in a fixed order: the outgoing clerk, then
the incoming clerk, then the shift leader's countersign (the leader checks what both
sides agreed). The three are different people. Once the leader has signed, the revision is
locked: it never changes again; a correction is a new revision, signed afresh.

**Opening checks.** Staff must arrive a set number of minutes before the hall opens; the
hall must open on time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from app.domain.errors import HallDeskError
from app.i18n import N_


class Signer(StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"
    LEADER = "leader"


SIGNING_ORDER: Final = (Signer.OUTGOING, Signer.INCOMING, Signer.LEADER)

SIGNER_LABELS: Final[dict[Signer, str]] = {
    Signer.OUTGOING: N_("Outgoing clerk"),
    Signer.INCOMING: N_("Incoming clerk"),
    Signer.LEADER: N_("Shift leader"),
}


class HandoverRefused(HallDeskError):
    """A signature or change the handover's rules do not allow."""


def next_signer(signed: Mapping[Signer, int]) -> Signer | None:
    """Who signs next given the signatures so far (role → staff id); None when locked."""
    for role in SIGNING_ORDER:
        if role not in signed:
            return role
    return None


def is_locked(signed: Mapping[Signer, int]) -> bool:
    return next_signer(signed) is None


def check_signature(
    signed: Mapping[Signer, int],
    role: Signer,
    staff_id: int,
    *,
    outgoing_staff_id: int,
    signer_is_leader: bool,
) -> None:
    """Refuse a signature out of order, by the wrong person, or on a locked revision."""
    expected = next_signer(signed)
    if expected is None:
        raise HandoverRefused(N_("This handover is signed and locked; correct it with a revision."))
    if role is not expected:
        raise HandoverRefused(
            N_("The handover is signed in order: outgoing clerk, incoming clerk, shift leader.")
        )
    if role is Signer.OUTGOING and staff_id != outgoing_staff_id:
        raise HandoverRefused(N_("Only the clerk whose shift this was can sign as outgoing."))
    if role is not Signer.OUTGOING and staff_id in signed.values():
        raise HandoverRefused(N_("Each signature on a handover must be a different person."))
    if role is Signer.LEADER and not signer_is_leader:
        raise HandoverRefused(N_("The countersign needs a shift leader's credential."))


@dataclass(frozen=True, slots=True)
class Arrival:
    staff_id: int
    arrived_at: datetime


@dataclass(frozen=True, slots=True)
class OpeningVerdict:
    """What the opening checks found: who was late, which counters were not cleaned, and
    whether the hall opened on time."""

    late_staff: tuple[int, ...]
    uncleaned_counters: tuple[int, ...]
    opened_late: bool
    not_opened: bool

    @property
    def all_passed(self) -> bool:
        return not (
            self.late_staff or self.uncleaned_counters or self.opened_late or self.not_opened
        )


def judge_opening(
    opening_at: datetime,
    arrive_before: timedelta,
    arrivals: list[Arrival],
    counters: list[int],
    cleaned: set[int],
    opened_at: datetime | None,
) -> OpeningVerdict:
    """Staff arriving after ``opening_at - arrive_before`` are late; every counter in
    ``counters`` must be in ``cleaned``; the hall must have opened by ``opening_at``."""
    deadline = opening_at - arrive_before
    late = tuple(sorted(a.staff_id for a in arrivals if a.arrived_at > deadline))
    return OpeningVerdict(
        late_staff=late,
        uncleaned_counters=tuple(sorted(set(counters) - cleaned)),
        opened_late=opened_at is not None and opened_at > opening_at,
        not_opened=opened_at is None,
    )
