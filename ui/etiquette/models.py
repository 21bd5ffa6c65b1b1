"""Table models of the etiquette tab: checklists, corrective actions, the weekly ranking,
failure rates and most-failed items (``RowTableModel`` over the services' row types)."""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QColor

from app.domain.etiquette_scoring import TemplateKind, format_percent
from app.i18n import N_, _, format_date, format_datetime, pgettext
from app.services.etiquette import ActionRow
from app.services.etiquette.reports import FailureRate, InspectionRow, ItemFailures, RankingRow
from ui.widgets import ALIGN_CENTER, ALIGN_RIGHT, Column, Palette, RowTableModel

KIND_LABELS: Final = {
    TemplateKind.INSPECTION: N_("Inspection"),
    TemplateKind.SELF_CHECK: N_("Self-check"),
    TemplateKind.SIMULATION: N_("Simulation"),
}
ACTION_STATES: Final = {
    "open": N_("Open"),
    "closed": N_("Closed (rechecked)"),
    "cancelled": N_("Cancelled (corrected)"),
}


def kind_text(kind: TemplateKind) -> str:
    return _(KIND_LABELS[kind])


def _result(row: InspectionRow) -> str:
    parts = [_("Passed") if row.passed else _("Failed")]
    if row.critical_failed:
        parts.append(_("critical"))
    if row.superseded:
        parts.append(_("corrected"))
    if row.supersedes_id:
        parts.append(_("correction"))
    return " · ".join(parts)


def _result_colour(row: InspectionRow) -> QColor | None:
    if row.superseded:
        return Palette.MUTED
    return Palette.OK if row.passed else Palette.DANGER


def inspections_model(tz: str) -> RowTableModel[InspectionRow]:
    return RowTableModel(
        [
            Column(N_("Signed"), lambda r: format_datetime(r.signed_at, tz)),
            Column(N_("Kind"), lambda r: kind_text(r.kind)),
            Column(N_("Clerk"), lambda r: r.clerk),
            Column(N_("Inspector"), lambda r: r.inspector),
            Column(
                N_("Score"),
                lambda r: format_percent(r.score_tenths),
                align=ALIGN_RIGHT,
                foreground=_result_colour,
            ),
            Column(N_("Result"), _result, foreground=_result_colour),
            Column(
                N_("Checklist"),
                lambda r: _("{title} v{version}").format(
                    title=r.template_title, version=r.template_version
                ),
            ),
        ]
    )


def _state(row: ActionRow) -> str:
    text = _(ACTION_STATES.get(row.state, row.state))
    if row.overdue:
        text += " · " + _("overdue")
    return text


def _action_colour(row: ActionRow) -> QColor | None:
    if row.state != "open":
        return Palette.MUTED
    return Palette.DANGER if row.overdue else Palette.WARNING


def actions_model() -> RowTableModel[ActionRow]:
    return RowTableModel(
        [
            Column(N_("Clerk"), lambda r: r.clerk),
            Column(N_("Item to put right"), lambda r: r.item_text),
            Column(N_("Responsible"), lambda r: r.owner),
            Column(
                N_("Due"),
                lambda r: format_date(r.due_on),
                heading=lambda: pgettext("corrective action", "Due"),
            ),
            Column(
                N_("State"),
                _state,
                foreground=_action_colour,
                heading=lambda: pgettext("corrective action", "State"),
            ),
            Column(N_("Failed rechecks"), lambda r: str(r.rechecks_failed), align=ALIGN_CENTER),
        ]
    )


def ranking_model() -> RowTableModel[RankingRow]:
    return RowTableModel(
        [
            Column(
                N_("Rank"), lambda r: str(r.rank), align=ALIGN_CENTER, bold=lambda r: r.rank == 1
            ),
            Column(N_("Clerk"), lambda r: r.clerk),
            Column(N_("Score"), lambda r: format_percent(r.score_tenths), align=ALIGN_RIGHT),
            Column(N_("Sessions"), lambda r: str(r.sessions), align=ALIGN_CENTER),
            Column(N_("Scenario"), lambda r: r.scenario),
        ]
    )


def rates_model(title: str = N_("Item")) -> RowTableModel[FailureRate]:
    return RowTableModel(
        [
            Column(title, lambda r: r.text),
            Column(N_("Failure rate"), lambda r: format_percent(r.rate_tenths), align=ALIGN_RIGHT),
            Column(N_("Failed"), lambda r: str(r.fails), align=ALIGN_RIGHT),
            Column(N_("Checked"), lambda r: str(r.counted), align=ALIGN_RIGHT),
        ]
    )


def failures_model() -> RowTableModel[ItemFailures]:
    return RowTableModel(
        [
            Column(N_("Item"), lambda r: r.text),
            Column(N_("Failed"), lambda r: str(r.fails), align=ALIGN_RIGHT),
            Column(N_("Checked"), lambda r: str(r.counted), align=ALIGN_RIGHT),
        ]
    )
