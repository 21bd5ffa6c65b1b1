"""Turning a handover view and a hall day into the data of their printed documents.

The documents take data only (names, amounts, translated labels); this module decides what
goes on paper from the views (``app.services.shifts.views``) that ``HandoverService`` and
``HallDayService`` fill and pass in; it imports neither service. Labels are translated here
at call time, so the caller's language applies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from app.documents.handover_sheet import (
    DayShiftLine,
    HallDaySummaryData,
    HandoverSheetData,
    MethodCountLine,
    MethodLine,
    SheetLine,
    SignatureLine,
    render_hall_day_summary,
    render_handover_sheet,
)
from app.domain.amount_words import format_figures
from app.domain.cash import BY_CODE, CASH
from app.domain.complaint_deadline import due_text
from app.domain.handover import SIGNER_LABELS, SIGNING_ORDER
from app.i18n import N_, _, format_datetime
from app.services.payments.plan import method_label
from app.services.pending import PENDING_KIND_LABELS, PendingItem
from app.services.shifts.records import ShiftReport
from app.services.shifts.views import (
    HANDOVER_STATE_LABELS,
    STANDARD_EQUIPMENT,
    EquipmentLine,
    HallDay,
    HandoverView,
    RevisionView,
)
from app.store.models.shifts import CashMovementKind

MOVEMENT_LABELS: Final = {
    CashMovementKind.CASH_IN: N_("Cash in"),
    CashMovementKind.CASH_OUT: N_("Cash out"),
}


def equipment_label(item: str) -> str:
    """The translated name of a standard item, or the free name as typed."""
    label = STANDARD_EQUIPMENT.get(item)
    return _(label) if label else item


def pending_lines(
    items: tuple[PendingItem, ...] | list[PendingItem], tz: str
) -> tuple[SheetLine, ...]:
    lines = []
    for item in items:
        due = due_text(item.due_at, tz) if item.due_at else ""
        if item.overdue:
            due = _("{due} (overdue)").format(due=due) if due else _("overdue")
        detail = f"{item.ref} {item.details()}".strip()
        if item.count > 1:
            detail += f" ×{item.count}"
        lines.append(SheetLine(_(PENDING_KIND_LABELS[item.kind]), detail, due))
    return tuple(lines)


def _equipment(lines: tuple[EquipmentLine, ...]) -> tuple[SheetLine, ...]:
    return tuple(SheetLine(equipment_label(e.item), str(e.count), e.fault) for e in lines)


def _movement_text(kind: CashMovementKind, reason: str, approved_by: str) -> str:
    text = _("{movement}: {reason}").format(movement=_(MOVEMENT_LABELS[kind]), reason=reason)
    if approved_by:
        text += " " + _("(approved by {name})").format(name=approved_by)
    return text


def sheet_data(
    view: HandoverView,
    revision: RevisionView | None,
    *,
    hall_name: str,
    timezone: str,
    printed_at: datetime | None,
) -> HandoverSheetData:
    report = view.report
    shift = report.shift
    close = shift.close
    cash = report.cash
    movements = tuple(
        SheetLine(
            format_datetime(m.at, timezone),
            _movement_text(m.kind, m.reason, m.approved_by),
            format_figures(m.amount_fen),
        )
        for m in report.movements
    )
    counts = tuple(
        SheetLine(_(BY_CODE[code].label), str(n), format_figures(BY_CODE[code].value_fen * n))
        for code, n in (close.counts.items() if close else ())
    )
    signed = {s.role: s for s in revision.signatures} if revision else {}
    signatures = tuple(
        SignatureLine(
            _(SIGNER_LABELS[role]),
            f"{signed[role].staff_name} ({signed[role].staff_no})" if role in signed else "",
            signed[role].signed_at if role in signed else None,
        )
        for role in SIGNING_ORDER
    )
    return HandoverSheetData(
        hall_name=hall_name,
        timezone=timezone,
        counter=f"{shift.counter_code} {shift.counter_name}".strip(),
        clerk=f"{shift.staff_name} ({shift.staff_no})",
        device_code=shift.device_code,
        business_date=shift.business_date,
        opened_at=shift.opened_at,
        closed_at=close.closed_at if close else None,
        methods=tuple(
            MethodLine(
                method_label(m.method),
                m.payments,
                m.payments_fen,
                m.voids,
                m.voids_fen,
                m.reversals,
                m.reversals_fen,
            )
            for m in cash.methods
        ),
        opening_float_fen=shift.opening_float_fen,
        expected_float_fen=shift.expected_float_fen,
        float_reason=shift.float_reason,
        cash_received_fen=cash.cash_received_fen,
        change_given_fen=cash.change_given_fen,
        cash_corrections_fen=cash.cash_corrections_fen,
        cash_in_fen=cash.cash_in_fen,
        cash_out_fen=cash.cash_out_fen,
        expected_cash_fen=cash.expected_cash_fen,
        counted_cash_fen=close.counted_cash_fen if close else None,
        difference_fen=close.difference_fen if close else None,
        difference_reason=close.reason if close else "",
        approved_by=close.approved_by if close else "",
        float_left_fen=close.float_left_fen if close else None,
        blind=close.blind if close else False,
        movements=movements,
        closing_counts=counts,
        pending=pending_lines(revision.pending, timezone) if revision else (),
        equipment=_equipment(revision.equipment) if revision else (),
        notes=revision.notes if revision else "",
        signatures=signatures,
        revision_no=revision.revision_no if revision else 0,
        revision_count=len(view.revisions),
        corrects=(revision.revision_no - 1)
        if revision and revision.correction_reason and revision.revision_no > 1
        else None,
        correction_reason=revision.correction_reason if revision else "",
        locked=revision.locked if revision else False,
        superseded=revision.superseded if revision else False,
        printed_at=printed_at,
        method_counts=method_count_lines(report),
        cash_rounding_fen=cash.rounding_fen,
        no_sale_opens=view.report.no_sale_opens,
    )


def method_count_lines(report: ShiftReport) -> tuple[MethodCountLine, ...]:
    """Each non-cash method of the shift, expected against counted: the figures frozen at
    the close; for a shift still open, or a close from before the methods were counted,
    the takings with nothing counted."""
    close = report.shift.close
    lines = []
    for total in report.cash.methods:
        if total.method == CASH:
            continue
        counted = close.method(total.method) if close else None
        lines.append(
            MethodCountLine(
                method_label(total.method),
                counted.expected_fen if counted else total.net_fen,
                counted.counted_fen if counted else None,
            )
        )
    return tuple(lines)


def render_sheet(
    view: HandoverView,
    revision_no: int | None,
    *,
    hall_name: str,
    timezone: str,
    printed_at: datetime | None,
    invariant: bool = False,
) -> bytes:
    """The sheet of revision ``revision_no`` (the current one when None)."""
    revision = view.current
    if revision_no is not None:
        revision = next((r for r in view.revisions if r.revision_no == revision_no), None)
    data = sheet_data(view, revision, hall_name=hall_name, timezone=timezone, printed_at=printed_at)
    return render_handover_sheet(data, invariant=invariant)


def day_data(day: HallDay, timezone: str, note: str = "") -> HallDaySummaryData:
    """The summary of a day read with every figure (a leader's: ``HallDayService``)."""
    if any(s.takings_fen is None or s.expected_cash_fen is None for s in day.shifts):
        raise ValueError("the day summary needs every shift's figures")
    opening: list[SheetLine] = []
    if day.opening is not None:
        o = day.opening
        opening = [
            SheetLine(
                _("Checked by"), f"{o.leader_name} {format_datetime(o.created_at, timezone)}"
            ),
            SheetLine(_("Result"), _("All passed") if o.all_passed else _("Not all passed")),
            SheetLine(_("Late staff"), ", ".join(o.late_staff) or _("none")),
            SheetLine(_("Counters not cleaned"), ", ".join(o.uncleaned_counters) or _("none")),
            SheetLine(
                _("Hall opened"),
                (format_datetime(o.opened_at, timezone) if o.opened_at else _("not recorded"))
                + (" " + _("(late)") if o.opened_late else ""),
            ),
        ]
    return HallDaySummaryData(
        hall_name=day.hall_name,
        timezone=timezone,
        business_date=day.business_date,
        shifts=tuple(
            DayShiftLine(
                s.counter_code,
                f"{s.staff_name} ({s.staff_no})",
                s.opened_at,
                s.closed_at,
                s.takings_fen or 0,
                s.expected_cash_fen or 0,
                s.counted_cash_fen,
                s.difference_fen,
                _(HANDOVER_STATE_LABELS[s.handover]),
            )
            for s in day.shifts
        ),
        methods=tuple(
            SheetLine(method_label(m), format_figures(fen)) for m, fen in day.method_totals.items()
        ),
        takings_fen=day.takings_fen,
        difference_fen=day.difference_fen,
        opening=tuple(opening),
        pending=pending_lines(list(day.pending), timezone),
        closed_by=day.closed_by,
        closed_at=day.closed_at,
        note=note or day.note,
    )


def render_day(day: HallDay, timezone: str, *, invariant: bool = False) -> bytes:
    return render_hall_day_summary(day_data(day, timezone), invariant=invariant)
