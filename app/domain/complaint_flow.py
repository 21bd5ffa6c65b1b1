"""The life of a complaint as an append-only event log, and its status as a projection.

received → classified → forwarded (department + note) → planned → handled → fed back (way,
content, satisfaction) → archived. A complaint may be handled at the counter without being
forwarded (classified → planned), forwarded again to another department, reopened after it
was fed back or archived (a reopened complaint gets a new 15-day clock from the reopening)
and paused while the hall waits on the customer. Every step is an event; ``project``
replays them, and ``apply`` refuses a step the current status does not allow with a
``TransitionRefused`` that names the status and the step in the user's language.

Enumerations carry ``N_`` labels (msgids), translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from app.domain.errors import HallDeskError
from app.i18n import N_, _


class Channel(StrEnum):
    COUNTER = "counter"
    PHONE = "phone"
    ONLINE = "online"
    LETTER = "letter"
    FORWARDED = "forwarded"


class Category(StrEnum):
    BILLING = "billing"
    NETWORK = "network"
    ATTITUDE = "attitude"
    BUSINESS = "business"
    VALUE_ADDED = "value_added"
    MARKETING = "marketing"
    PERSONAL_INFO = "personal_info"
    OTHER = "other"


class Department(StrEnum):
    TECHNICAL = "technical"
    BILLING = "billing"
    MARKETING = "marketing"
    CUSTOMER_SERVICE = "customer_service"
    HALL = "hall"
    OTHER = "other"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    VERY_URGENT = "very_urgent"


class ContactWay(StrEnum):
    """How the customer will be contacted (on the acknowledgement) or was answered."""

    PHONE = "phone"
    SMS = "sms"
    IN_PERSON = "in_person"
    LETTER = "letter"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class Status(StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    FORWARDED = "forwarded"
    PLANNED = "planned"
    HANDLED = "handled"
    FED_BACK = "fed_back"
    ARCHIVED = "archived"


class EventKind(StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    FORWARDED = "forwarded"
    PLANNED = "planned"
    HANDLED = "handled"
    FED_BACK = "fed_back"
    ARCHIVED = "archived"
    REOPENED = "reopened"
    PAUSED = "paused"
    RESUMED = "resumed"
    NOTE = "note"
    FAULT_LINKED = "fault_linked"


CHANNEL_LABELS: Final[dict[Channel, str]] = {
    Channel.COUNTER: N_("At the counter"),
    Channel.PHONE: N_("By phone"),
    Channel.ONLINE: N_("Online (app or website)"),
    Channel.LETTER: N_("By letter"),
    Channel.FORWARDED: N_("Forwarded to the hall"),
}
CATEGORY_LABELS: Final[dict[Category, str]] = {
    Category.BILLING: N_("Billing and charges"),
    Category.NETWORK: N_("Network quality"),
    Category.ATTITUDE: N_("Service attitude"),
    Category.BUSINESS: N_("Business handling"),
    Category.VALUE_ADDED: N_("Value-added services"),
    Category.MARKETING: N_("Marketing and promotion"),
    Category.PERSONAL_INFO: N_("Personal information"),
    Category.OTHER: N_("Other"),
}
#: Sub-categories per category: code → ``N_`` label. Codes are unique across categories.
SUBCATEGORIES: Final[dict[Category, dict[str, str]]] = {
    Category.BILLING: {
        "billing_wrong_charge": N_("Wrong or unknown charge"),
        "billing_package": N_("Package or tariff dispute"),
        "billing_refund": N_("Refund not received"),
        "billing_payment": N_("Payment not credited"),
    },
    Category.NETWORK: {
        "network_no_signal": N_("No or weak signal"),
        "network_dropped_calls": N_("Dropped calls"),
        "network_slow_data": N_("Slow mobile data"),
        "network_broadband_down": N_("Broadband down or slow"),
    },
    Category.ATTITUDE: {
        "attitude_rude": N_("Rude or impatient staff"),
        "attitude_waiting": N_("Long waiting time"),
        "attitude_promise": N_("Promise not kept"),
    },
    Category.BUSINESS: {
        "business_open_close": N_("Opening or closing a service"),
        "business_transfer": N_("Number transfer or ownership change"),
        "business_installation": N_("Installation or repair appointment"),
    },
    Category.VALUE_ADDED: {
        "value_added_unsubscribed": N_("Service ordered without consent"),
        "value_added_cancel": N_("Cannot cancel a service"),
    },
    Category.MARKETING: {
        "marketing_misleading": N_("Misleading promotion"),
        "marketing_gift": N_("Gift or benefit not delivered"),
        "marketing_calls": N_("Unwanted sales calls or SMS"),
    },
    Category.PERSONAL_INFO: {
        "personal_info_leak": N_("Personal data disclosed"),
        "personal_info_identity": N_("Identity misused"),
    },
    Category.OTHER: {"other_other": N_("Other")},
}
DEPARTMENT_LABELS: Final[dict[Department, str]] = {
    Department.TECHNICAL: N_("Technical department"),
    Department.BILLING: N_("Billing department"),
    Department.MARKETING: N_("Marketing department"),
    Department.CUSTOMER_SERVICE: N_("Customer service centre"),
    Department.HALL: N_("The hall itself"),
    Department.OTHER: N_("Other department"),
}
URGENCY_LABELS: Final[dict[Urgency, str]] = {
    Urgency.NORMAL: N_("Normal"),
    Urgency.URGENT: N_("Urgent"),
    Urgency.VERY_URGENT: N_("Very urgent"),
}
CONTACT_WAY_LABELS: Final[dict[ContactWay, str]] = {
    ContactWay.PHONE: N_("Telephone"),
    ContactWay.SMS: N_("SMS"),
    ContactWay.IN_PERSON: N_("In person at the hall"),
    ContactWay.LETTER: N_("Letter"),
}
SATISFACTION_LABELS: Final[dict[Satisfaction, str]] = {
    Satisfaction.SATISFIED: N_("Satisfied"),
    Satisfaction.BASICALLY_SATISFIED: N_("Basically satisfied"),
    Satisfaction.UNSATISFIED: N_("Unsatisfied"),
}
STATUS_LABELS: Final[dict[Status, str]] = {
    Status.RECEIVED: N_("Received"),
    Status.CLASSIFIED: N_("Classified"),
    Status.FORWARDED: N_("Forwarded"),
    Status.PLANNED: N_("Handling planned"),
    Status.HANDLED: N_("Handled"),
    Status.FED_BACK: N_("Answered"),
    Status.ARCHIVED: N_("Archived"),
}
EVENT_LABELS: Final[dict[EventKind, str]] = {
    EventKind.RECEIVED: N_("Received"),
    EventKind.CLASSIFIED: N_("Classified"),
    EventKind.FORWARDED: N_("Forwarded"),
    EventKind.PLANNED: N_("Handling plan"),
    EventKind.HANDLED: N_("Handled"),
    EventKind.FED_BACK: N_("Result fed back"),
    EventKind.ARCHIVED: N_("Archived"),
    EventKind.REOPENED: N_("Reopened"),
    EventKind.PAUSED: N_("Clock paused"),
    EventKind.RESUMED: N_("Clock resumed"),
    EventKind.NOTE: N_("Note"),
    EventKind.FAULT_LINKED: N_("Linked to a fault notice"),
}
#: What the user tried, for the refusal ("cannot be {action}").
ACTION_LABELS: Final[dict[EventKind, str]] = {
    EventKind.RECEIVED: N_("received again"),
    EventKind.CLASSIFIED: N_("classified"),
    EventKind.FORWARDED: N_("forwarded"),
    EventKind.PLANNED: N_("given a handling plan"),
    EventKind.HANDLED: N_("marked handled"),
    EventKind.FED_BACK: N_("fed back to the customer"),
    EventKind.ARCHIVED: N_("archived"),
    EventKind.REOPENED: N_("reopened"),
    EventKind.PAUSED: N_("paused"),
    EventKind.RESUMED: N_("resumed"),
    EventKind.NOTE: N_("given a note"),
    EventKind.FAULT_LINKED: N_("linked to a fault notice"),
}

#: Which status each progress event leads to, and from which statuses it may come.
_MOVES: Final[dict[EventKind, tuple[frozenset[Status], Status]]] = {
    EventKind.CLASSIFIED: (
        frozenset({Status.RECEIVED, Status.CLASSIFIED, Status.FORWARDED}),
        Status.CLASSIFIED,
    ),
    EventKind.FORWARDED: (
        frozenset({Status.CLASSIFIED, Status.FORWARDED, Status.PLANNED}),
        Status.FORWARDED,
    ),
    EventKind.PLANNED: (
        frozenset({Status.CLASSIFIED, Status.FORWARDED, Status.PLANNED}),
        Status.PLANNED,
    ),
    EventKind.HANDLED: (frozenset({Status.PLANNED}), Status.HANDLED),
    EventKind.FED_BACK: (frozenset({Status.HANDLED}), Status.FED_BACK),
    EventKind.ARCHIVED: (frozenset({Status.FED_BACK}), Status.ARCHIVED),
    EventKind.REOPENED: (frozenset({Status.FED_BACK, Status.ARCHIVED}), Status.CLASSIFIED),
}
#: Statuses in which the answer clock runs (or may be paused).
OPEN_STATUSES: Final = frozenset(
    {Status.RECEIVED, Status.CLASSIFIED, Status.FORWARDED, Status.PLANNED, Status.HANDLED}
)


def label(table: dict[Any, str], value: str | None) -> str:
    """The translated label of an enum value (the raw value if it is unknown)."""
    if value is None:
        return ""
    for key, msgid in table.items():
        if key == value:
            return _(msgid)
    return str(value)


def subcategory_label(code: str | None) -> str:
    if not code:
        return ""
    for subs in SUBCATEGORIES.values():
        if code in subs:
            return _(subs[code])
    return code


def category_of(subcategory: str) -> Category | None:
    return next((c for c, subs in SUBCATEGORIES.items() if subcategory in subs), None)


class TransitionRefused(HallDeskError):
    """A step the complaint's current status does not allow."""

    def __init__(self, status: Status, kind: EventKind, message: str | None = None) -> None:
        super().__init__(
            message or N_("A complaint that is {status} cannot be {action}."),
            status=status.value,
            action=kind.value,
        )
        self.status = status
        self.kind = kind

    def user_message(self) -> str:
        return _(self.message).format(
            status=_(STATUS_LABELS[self.status]).lower(), action=_(ACTION_LABELS[self.kind])
        )


@dataclass(frozen=True, slots=True)
class Event:
    """What the state machine needs of one stored event (the store has more columns)."""

    kind: EventKind
    at: datetime
    department: str | None = None
    category: str | None = None
    subcategory: str | None = None
    satisfaction: str | None = None
    fault_notice_id: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintState:
    """The projection of a complaint's events.

    ``clock_start``: receipt, or the last reopening. ``pauses``: closed (start, end) pairs
    since ``clock_start``; ``paused_since`` the open one. ``answered_at``: when the result was
    fed back (the answer that stops the clock), None while open or after a reopening.
    ``satisfaction``: the customer's latest feedback. A reopening keeps it: an unsatisfied
    customer may still appeal (12300) until a later feedback says otherwise.
    """

    status: Status
    received_at: datetime
    clock_start: datetime
    category: str | None = None
    subcategory: str | None = None
    department: str | None = None
    paused_since: datetime | None = None
    pauses: tuple[tuple[datetime, datetime], ...] = field(default=())
    answered_at: datetime | None = None
    satisfaction: str | None = None
    fault_notice_id: str | None = None
    reopen_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


def allowed(state: ComplaintState) -> frozenset[EventKind]:
    """Every event kind ``apply`` would accept now (the UI enables its actions from this)."""
    kinds = {kind for kind, (sources, _to) in _MOVES.items() if state.status in sources}
    if state.is_open:
        kinds.add(EventKind.RESUMED if state.is_paused else EventKind.PAUSED)
    if state.status is not Status.ARCHIVED:
        kinds.update({EventKind.NOTE, EventKind.FAULT_LINKED})
    return frozenset(kinds)


def start(event: Event) -> ComplaintState:
    if event.kind is not EventKind.RECEIVED:
        raise ValueError("a complaint's first event must be 'received'")
    return ComplaintState(
        status=Status.RECEIVED,
        received_at=event.at,
        clock_start=event.at,
        category=event.category,
        subcategory=event.subcategory,
        fault_notice_id=event.fault_notice_id,
    )


def apply(state: ComplaintState, event: Event) -> ComplaintState:
    """The state after ``event``, or ``TransitionRefused``."""
    kind = event.kind
    if kind not in allowed(state):
        if kind is EventKind.PAUSED and state.is_paused:
            raise TransitionRefused(
                state.status, kind, N_("The clock of this complaint is already paused.")
            )
        if kind is EventKind.RESUMED and state.is_open:
            raise TransitionRefused(
                state.status, kind, N_("The clock of this complaint is not paused.")
            )
        raise TransitionRefused(state.status, kind)
    if kind is EventKind.PAUSED:
        return replace(state, paused_since=event.at)
    if kind is EventKind.RESUMED:
        assert state.paused_since is not None
        return replace(
            state,
            paused_since=None,
            pauses=(*state.pauses, (state.paused_since, max(event.at, state.paused_since))),
        )
    if kind is EventKind.NOTE:
        return state
    if kind is EventKind.FAULT_LINKED:
        return replace(state, fault_notice_id=event.fault_notice_id)
    _sources, target = _MOVES[kind]
    state = replace(state, status=target)
    if kind is EventKind.CLASSIFIED:
        return replace(
            state,
            category=event.category or state.category,
            subcategory=event.subcategory or state.subcategory,
        )
    if kind is EventKind.FORWARDED:
        return replace(state, department=event.department)
    if kind is EventKind.FED_BACK:
        # Feeding back stops the clock; an open pause ends with it.
        pauses = state.pauses
        if state.paused_since is not None:
            pauses = (*pauses, (state.paused_since, max(event.at, state.paused_since)))
        return replace(
            state,
            answered_at=event.at,
            satisfaction=event.satisfaction,
            paused_since=None,
            pauses=pauses,
        )
    if kind is EventKind.REOPENED:
        return replace(
            state,
            clock_start=event.at,
            pauses=(),
            paused_since=None,
            answered_at=None,
            reopen_count=state.reopen_count + 1,
        )
    return state


def project(events: Iterable[Event]) -> ComplaintState:
    """Replay a complaint's events (in order); the first must be ``received``."""
    iterator = iter(events)
    first = next(iterator, None)
    if first is None:
        raise ValueError("a complaint has at least its 'received' event")
    state = start(first)
    for event in iterator:
        state = apply(state, event)
    return state


def replay(
    events: Sequence[Event], skip: Collection[int] = ()
) -> tuple[ComplaintState, tuple[int, ...]]:
    """Replay a complaint's events in order, never refusing: events at the positions in
    ``skip`` (flagged earlier) are left out, and an event that is not a valid step given
    those before it is left out too and its position returned (events from two PCs of a
    hall may cross). Every event is kept by the caller; only its effect is left out."""
    state: ComplaintState | None = None
    refused: list[int] = []
    for index, event in enumerate(events):
        if index in skip:
            continue
        if state is None:
            if event.kind is EventKind.RECEIVED:
                state = start(event)
            else:
                refused.append(index)
            continue
        try:
            state = apply(state, event)
        except TransitionRefused:
            refused.append(index)
    if state is None:
        raise ValueError("a complaint has at least its 'received' event")
    return state, tuple(refused)
