"""The shift leader's opening checks: who arrived when, which counters were cleaned, when
the hall opened. The service judges them against the hall's settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QTimeEdit, QWidget

from app.domain.handover import Arrival
from app.i18n import _
from app.services.shifts.hallday import HallDayService
from ui.context import AppContext
from ui.service_dialogs import ServiceDialog


def _qtime(value: time) -> QTime:
    return QTime(value.hour, value.minute)


class OpeningCheckDialog(ServiceDialog):
    """One row per counter staff member (arrived? at what time), one box per counter
    (cleaned?), and the time the hall opened. Object names: ``arrived_<staff_no>``,
    ``arrivedAt_<staff_no>``, ``cleaned_<counter code>``, ``hallOpened``, ``hallOpenedAt``."""

    def __init__(self, ctx: AppContext, day: date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("openingCheckDialog")
        self._day = day
        service = ctx.service(HallDayService)
        self._zone = ZoneInfo(ctx.hall.timezone)
        opening = service.opening_at(day).astimezone(self._zone)
        counters = service.day(day, ctx.actor).counters
        self.staff_caption = QLabel(self)
        staff_box = QWidget(self)
        grid = QGridLayout(staff_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.arrived: dict[int, tuple[QCheckBox, QTimeEdit]] = {}
        for row, (staff_id, staff_no, name) in enumerate(service.staff()):
            box = QCheckBox(f"{name} ({staff_no})", staff_box)
            box.setObjectName(f"arrived_{staff_no}")
            at = QTimeEdit(staff_box)
            at.setObjectName(f"arrivedAt_{staff_no}")
            at.setDisplayFormat("HH:mm")
            at.setTime(_qtime(opening.time()).addSecs(-20 * 60))
            grid.addWidget(box, row, 0)
            grid.addWidget(at, row, 1)
            self.arrived[staff_id] = (box, at)
        self.counter_caption = QLabel(self)
        counter_box = QWidget(self)
        counter_grid = QGridLayout(counter_box)
        counter_grid.setContentsMargins(0, 0, 0, 0)
        self.cleaned: dict[int, QCheckBox] = {}
        for i, (counter_id, code, name) in enumerate(counters):
            box = QCheckBox(f"{code} {name}", counter_box)
            box.setObjectName(f"cleaned_{code}")
            counter_grid.addWidget(box, i // 3, i % 3)
            self.cleaned[counter_id] = box
        self.opened = QCheckBox(self)
        self.opened.setObjectName("hallOpened")
        self.opened_at = QTimeEdit(self)
        self.opened_at.setObjectName("hallOpenedAt")
        self.opened_at.setDisplayFormat("HH:mm")
        self.opened_at.setTime(_qtime(opening.time()))
        self.note = QLineEdit(self)
        self.note.setObjectName("openingNote")
        self.note.setMaxLength(500)
        self.note_label = QLabel(self)
        self.form.addRow(self.staff_caption)
        self.form.addRow(staff_box)
        self.form.addRow(self.counter_caption)
        self.form.addRow(counter_box)
        self.form.addRow(self.opened, self.opened_at)
        self.form.addRow(self.note_label, self.note)
        self.retranslate_ui()

    def _at(self, edit: QTimeEdit) -> datetime:
        t = edit.time()
        return datetime.combine(self._day, time(t.hour(), t.minute()), self._zone)

    def collect(self) -> Callable[[], Any]:
        arrivals = [
            Arrival(staff_id, self._at(at))
            for staff_id, (box, at) in self.arrived.items()
            if box.isChecked()
        ]
        cleaned = {cid for cid, box in self.cleaned.items() if box.isChecked()}
        opened = self._at(self.opened_at) if self.opened.isChecked() else None
        note, day = self.note.text(), self._day
        service, actor = self._ctx.service(HallDayService), self._ctx.actor
        return lambda: service.record_opening_check(actor, day, arrivals, cleaned, opened, note)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(_("Opening checks"))
        self.intro.setText(
            _("Record who arrived and when, the counters cleaned, and when the hall opened.")
        )
        self.staff_caption.setText(_("Staff arrived (time):"))
        self.counter_caption.setText(_("Counters cleaned:"))
        self.opened.setText(_("Hall opened at:"))
        self.note_label.setText(_("Note:"))
