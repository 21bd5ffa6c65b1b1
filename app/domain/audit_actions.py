"""How the audit trail names its actions, records and detail fields, in the user's language
(the viewer, its export and the CLI share these names).

The trail stores action codes (``payment_void``, ``unmask``, …) that every area writes; an
action this table does not know (written by a newer version, or a newer area) is shown as
its code, so the viewer and its filters work for every action there is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from app.i18n import N_, _, format_money

ACTION_LABELS: Final[dict[str, str]] = {
    # logins and passwords
    "login": N_("Logged in"),
    "login_failed": N_("Login failed"),
    "login_refused_locked": N_("Login refused: locked out"),
    "staff_locked": N_("Locked out after failed logins"),
    "password_changed": N_("Changed own password"),
    # administration
    "store_set_up": N_("Hall set up (first run)"),
    "staff_added": N_("Staff added"),
    "staff_changed": N_("Staff changed"),
    "staff_disabled": N_("Staff disabled"),
    "staff_enabled": N_("Staff enabled again"),
    "staff_password_reset": N_("One-time password given"),
    "staff_unlocked": N_("Lock-out lifted"),
    "hall_details_changed": N_("Hall details changed"),
    "counter_added": N_("Counter added"),
    "counter_renamed": N_("Counter renamed"),
    "pc_assigned": N_("PC moved to a counter"),
    "audit_exported": N_("Audit trail exported"),
    # personal data
    "identity_check": N_("Identity checked"),
    "unmask": N_("Personal data shown"),
    "complaint_contact_shown": N_("Complaint contact phone shown"),
    # money
    "payment": N_("Payment taken"),
    "payment_void": N_("Payment voided"),
    "payment_reversal": N_("Payment reversed"),
    "penalty_waived": N_("Late-payment penalty waived"),
    "receipt_printed": N_("Receipt printed"),
    "receipt_saved": N_("Receipt saved (not printed)"),
    "receipt_failed": N_("Receipt printing failed"),
    "drawer_open": N_("No-sale drawer open"),
    "cash_in": N_("Cash in"),
    "cash_out": N_("Cash out"),
    "shift_opened": N_("Shift opened"),
    "shift_closed": N_("Shift closed"),
    "handover_written": N_("Handover written"),
    "handover_revised": N_("Handover corrected"),
    "handover_signed": N_("Handover signed"),
    "opening_checked": N_("Opening checks recorded"),
    "hall_day_closed": N_("Hall day closed"),
    # arrears
    "arrears_reminder": N_("Arrears reminder"),
    "arrears_call": N_("Arrears call logged"),
    "arrears_restrict": N_("Service restricted"),
    "arrears_suspend": N_("Service suspended"),
    "arrears_pre_terminate": N_("Service pre-terminated"),
    "arrears_restore": N_("Service restored"),
    "arrears_freeze": N_("Dispute freeze"),
    "arrears_notice": N_("Arrears notice printed"),
    "arrears_policy_saved": N_("Arrears policy saved"),
    "sms_exported": N_("SMS batch exported"),
    # complaints
    "complaint_received": N_("Complaint received"),
    "complaint_classified": N_("Complaint classified"),
    "complaint_forwarded": N_("Complaint forwarded"),
    "complaint_planned": N_("Complaint handling planned"),
    "complaint_handled": N_("Complaint handled"),
    "complaint_fed_back": N_("Complaint result fed back"),
    "complaint_archived": N_("Complaint archived"),
    "complaint_reopened": N_("Complaint reopened"),
    "complaint_paused": N_("Complaint clock paused"),
    "complaint_resumed": N_("Complaint clock resumed"),
    "complaint_note": N_("Complaint note"),
    "complaint_fault_linked": N_("Complaint linked to a fault"),
    "complaint_ack_printed": N_("Complaint acknowledgement printed"),
    "complaint_callback_promised": N_("Call-back promised"),
    "complaint_callback_done": N_("Call-back done"),
    "complaint_day_count": N_("Complaint day count changed"),
    "fault_notice_issued": N_("Fault notice issued"),
    "fault_notice_closed": N_("Fault notice closed"),
    # etiquette
    "etiquette_template_saved": N_("Checklist template saved"),
    "etiquette_inspection_signed": N_("Inspection signed"),
    "etiquette_self_check_signed": N_("Self-check signed"),
    "etiquette_simulation_signed": N_("Simulation signed"),
    # sync
    "sync_enrol": N_("PC enrolled with the centre"),
    "sync_plain_http": N_("Plain HTTP to the centre allowed"),
    "sync_send_again": N_("Refused record sent again"),
    "sync_conflict_resolved": N_("Flagged item resolved"),
}

ENTITY_LABELS: Final[dict[str, str]] = {
    "account": N_("Account"),
    "customer": N_("Customer"),
    "payment": N_("Payment"),
    "penalty_waiver": N_("Penalty waiver"),
    "complaint": N_("Complaint"),
    "fault_notice": N_("Fault notice"),
    "staff": N_("Member of staff"),
    "hall": N_("Hall"),
    "counter": N_("Counter"),
    "hall_pc": N_("PC"),
    "cash_shift": N_("Shift"),
    "cash_movement": N_("Cash movement"),
    "handover_revision": N_("Handover"),
    "opening_check": N_("Opening check"),
    "hall_day_close": N_("Hall day"),
    "restore_request": N_("Restore request"),
    "sms_batch": N_("SMS batch"),
    "arrears_policy_version": N_("Arrears policy"),
    "etiquette_template": N_("Checklist template"),
    "etiquette_inspection": N_("Inspection"),
    "hall_setting": N_("Hall setting"),
    "device": N_("PC"),
    "sync_conflict": N_("Flagged item"),
    "drawer": N_("Cash drawer"),
}

#: Detail fields shown under a name of their own; the others are shown by their code.
DETAIL_LABELS: Final[dict[str, str]] = {
    "reason": N_("Reason"),
    "receipt_no": N_("Receipt"),
    "staff_no": N_("Staff number"),
    "name": N_("Name"),
    "role": N_("Role"),
    "counters": N_("Counters"),
    "counter": N_("Counter"),
    "address": N_("Address"),
    "hotline": N_("Hotline"),
    "method": N_("Method"),
    "account_id": N_("Account"),
    "code": N_("Code"),
    "device": N_("PC"),
    "start": N_("From"),
    "end": N_("To"),
    "events": N_("Events"),
    "file": N_("File"),
    "replaced_one_time": N_("Replaced a one-time password"),
    "was_locked": N_("Was locked out"),
    "attempts": N_("Attempts"),
    "person": N_("Person"),
    "record": N_("Record"),
    "actions": N_("Actions"),
    "check": N_("Identity check"),
}
_ROLE_LABELS: Final[dict[str, str]] = {
    "clerk": N_("Clerk"),
    "leader": N_("Shift leader"),
    "admin": N_("Administrator"),
}
#: Detail fields that name the record better than its id (a member of staff's number).
_RECORD_NAMES: Final = ("staff_no", "receipt_no", "code")
#: Detail fields left out of the one-line summary (shown in the detail view).
_SUMMARY_SKIPS: Final = frozenset({"amount_fen", "approved_by", "allocations", "methods"})


def action_text(action: str) -> str:
    msgid = ACTION_LABELS.get(action)
    return _(msgid) if msgid else action


def entity_text(entity: str) -> str:
    msgid = ENTITY_LABELS.get(entity)
    return _(msgid) if msgid else entity


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, Mapping) and set(value) == {"before", "after"}:
        return _("{before} → {after}").format(
            before=_value_text(key, value["before"]) or "—",
            after=_value_text(key, value["after"]) or "—",
        )
    if isinstance(value, list):
        return "、".join(_value_text(key, v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "role" and isinstance(value, str) and value in _ROLE_LABELS:
        return _(_ROLE_LABELS[value])
    if key == "actions" and isinstance(value, list):
        return "、".join(action_text(str(v)) for v in value)
    if key.endswith("_fen") and isinstance(value, int):
        return format_money(value)
    return "" if value is None else str(value)


def record_name(entity: str, entity_id: str, detail: Mapping[str, Any]) -> str:
    """The record an event is about, as a person reads it: its kind and its number
    (a member of staff by staff number, a payment by receipt number), else its id."""
    if not entity:
        return entity_id
    for key in _RECORD_NAMES:
        value = detail.get(key)
        if isinstance(value, str) and value:
            return f"{entity_text(entity)} {value}"
    return f"{entity_text(entity)} {entity_id}".strip()


def detail_summary(detail: Mapping[str, Any]) -> str:
    """The detail as one line: "Reason: …; Receipt: …" (empty values left out)."""
    parts = []
    for key in sorted(detail):
        if key in _SUMMARY_SKIPS:
            continue
        text = _value_text(key, detail[key])
        if not text:
            continue
        msgid = DETAIL_LABELS.get(key)
        parts.append(_("{label}: {value}").format(label=_(msgid) if msgid else key, value=text))
    return "; ".join(parts)


def parse_detail(raw: str) -> dict[str, Any]:
    """An event's stored JSON detail (``{}`` for anything unreadable: never an error)."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
