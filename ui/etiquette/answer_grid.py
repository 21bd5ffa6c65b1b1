"""The items of a checklist as one table, answered from the keyboard: on the current row
``P`` answers pass, ``F`` fail, ``N`` not applicable, a digit gives a scale score, and the
cursor moves to the next item; ``Backspace`` clears the answer. The answer box under the
table and a double click do the same with the mouse; each item takes a comment and a photo
(from a file: this build ships no QtMultimedia, so there is no camera capture).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.domain.etiquette_scoring import (
    NOT_APPLICABLE,
    ItemSpec,
    LocalText,
    ResponseKind,
)
from app.i18n import N_, _, current_language
from app.services.etiquette import (
    MAX_PHOTO_BYTES,
    AnswerInput,
    PhotoUpload,
)
from app.services.etiquette.reports import answer_text
from ui.widgets import Palette, set_text_colour

COL_SECTION, COL_ITEM, COL_ANSWER, COL_COMMENT, COL_PHOTO = range(5)
_HEADERS: Final = (N_("Section"), N_("Item"), N_("Answer"), N_("Comment"), N_("Photo"))

#: Picks a photo file: returns a path or None (a test injects one without a dialog).
PhotoPicker = Callable[[QWidget], str | None]


def file_photo_picker(parent: QWidget) -> str | None:
    path, _filter = QFileDialog.getOpenFileName(
        parent, _("Attach a photo"), "", _("Images (*.png *.jpg *.jpeg)")
    )
    return path or None


@dataclass
class AnswerRow:
    item: ItemSpec
    section_title: LocalText
    value: str | None = None
    comment: str = ""
    photo: PhotoUpload | None = None


class AnswerGrid(QWidget):
    """The answers of one checklist (``rows``, in the template's order)."""

    #: An answer changed (the form scores again).
    changed = Signal()
    #: A photo could not be attached: why, in the user's language.
    failed = Signal(str)

    def __init__(self, photo_picker: PhotoPicker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspectionAnswers")
        self.pick_photo = photo_picker
        self.rows: list[AnswerRow] = []
        #: Items of the clerk's open corrective actions, marked [recheck].
        self.recheck_keys: set[str] = set()
        self.items = QTableWidget(0, len(_HEADERS), self)
        self.items.setObjectName("inspectionItems")
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.verticalHeader().setVisible(False)
        self.items.setWordWrap(False)
        self.items.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Stretch)
        for col in (COL_SECTION, COL_ANSWER, COL_COMMENT, COL_PHOTO):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.items.installEventFilter(self)
        self.items.currentCellChanged.connect(self._row_changed)
        self.items.cellDoubleClicked.connect(self._cycle)

        self.answer_label = QLabel(self)
        self.answer = QComboBox(self)
        self.answer.setObjectName("inspectionAnswer")
        self.answer.setMinimumContentsLength(8)
        self.answer.activated.connect(self._answer_chosen)
        self.comment_label = QLabel(self)
        self.comment = QLineEdit(self)
        self.comment.setObjectName("inspectionItemComment")
        self.comment.setMaxLength(500)
        self.comment.textEdited.connect(self._comment_edited)
        self.photo_button = QPushButton(self)
        self.photo_button.setObjectName("inspectionPhoto")
        self.photo_button.setAutoDefault(False)  # Enter signs; the photo is chosen by Space
        self.photo_button.clicked.connect(self._attach_photo)
        self.hint = QLabel(self)
        set_text_colour(self.hint, Palette.MUTED)
        item_bar = QHBoxLayout()
        item_bar.addWidget(self.answer_label)
        item_bar.addWidget(self.answer)
        item_bar.addWidget(self.comment_label)
        item_bar.addWidget(self.comment, 1)
        item_bar.addWidget(self.photo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.items, 1)
        layout.addLayout(item_bar)
        layout.addWidget(self.hint)

    def load(self, rows: list[AnswerRow]) -> None:
        """Show a checklist's items (answered already when correcting one)."""
        self.rows = rows
        self.items.setRowCount(len(self.rows))
        self.repaint_rows()
        if self.rows:
            self.items.setCurrentCell(0, COL_ANSWER)

    def set_recheck(self, keys: set[str]) -> None:
        self.recheck_keys = keys
        self.repaint_rows()

    def repaint_rows(self) -> None:
        for r in range(len(self.rows)):
            self._paint_row(r)

    def answers(self) -> dict[str, str | None]:
        return {row.item.key: row.value for row in self.rows if row.value is not None}

    def inputs(self) -> dict[str, AnswerInput]:
        """What a draft carries: every item answered, commented or photographed."""
        return {
            row.item.key: AnswerInput(row.value, row.comment, row.photo)
            for row in self.rows
            if row.value is not None or row.comment or row.photo
        }

    def _paint_row(self, r: int) -> None:
        row = self.rows[r]
        item = row.item
        language = current_language()
        text = item.text.pick(language)
        marks = []
        if item.mandatory:
            marks.append("*")
        if item.critical:
            marks.append(_("[critical]"))
        if item.key in self.recheck_keys:
            marks.append(_("[recheck]"))
        if marks:
            text = f"{text} {' '.join(marks)}"
        cells = [
            row.section_title.pick(language),
            text,
            answer_text(row.value or "", item.max_points, item.response),
            row.comment,
            "📷" if row.photo else "",
        ]
        scored = None
        if row.value is not None:
            from app.domain.etiquette_scoring import score_item

            scored = score_item(item, row.value)
        for col, value in enumerate(cells):
            cell = self.items.item(r, col)
            if cell is None:
                cell = QTableWidgetItem()
                self.items.setItem(r, col, cell)
            cell.setText(value)
            if col == COL_ITEM:
                tip = _("Answer with P (pass), F (fail), N (not applicable)")
                if item.response is ResponseKind.SCALE:
                    tip = _("Answer with a score from 0 to {max}, or N (not applicable)").format(
                        max=item.max_points
                    )
                cell.setToolTip(tip)
            colour: QColor | None = None
            if scored is not None and scored.failed:
                colour = Palette.DANGER
            elif col == COL_ITEM and item.critical:
                colour = Palette.WARNING
            cell.setForeground(colour if colour is not None else self.palette().text().color())

    def _row_changed(self, row: int, _col: int, _prev_row: int, _prev_col: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        current = self.rows[row]
        self.answer.blockSignals(True)
        self.answer.clear()
        self.answer.addItem("", None)
        for choice in current.item.choices():
            self.answer.addItem(
                answer_text(choice, current.item.max_points, current.item.response), choice
            )
        self.answer.setCurrentIndex(max(0, self.answer.findData(current.value)))
        self.answer.blockSignals(False)
        self.comment.setText(current.comment)
        self._update_photo_button()

    def current_row(self) -> int:
        return self.items.currentRow()

    def set_answer(self, row: int, value: str | None, *, advance: bool = False) -> None:
        """Answer item ``row`` (``None`` clears it); refuses silently what the item cannot
        take (the table's hint says what it can)."""
        if not 0 <= row < len(self.rows):
            return
        target = self.rows[row]
        if value is not None and value not in target.item.choices():
            cell = self.items.item(row, COL_ITEM)
            self.hint.setText(cell.toolTip() if cell else "")
            return
        target.value = value
        self._paint_row(row)
        self.changed.emit()
        if row == self.items.currentRow():
            self.answer.setCurrentIndex(max(0, self.answer.findData(value)))
        if advance and row + 1 < len(self.rows):
            self.items.setCurrentCell(row + 1, COL_ANSWER)

    def _answer_chosen(self, index: int) -> None:
        self.set_answer(self.current_row(), self.answer.itemData(index))

    def _cycle(self, row: int, _col: int) -> None:
        choices = (None, *self.rows[row].item.choices())
        position = choices.index(self.rows[row].value)
        self.set_answer(row, choices[(position + 1) % len(choices)])

    def _comment_edited(self, text: str) -> None:
        row = self.current_row()
        if 0 <= row < len(self.rows):
            self.rows[row].comment = text
            self._paint_row(row)

    def _attach_photo(self) -> None:
        row = self.current_row()
        if not 0 <= row < len(self.rows):
            return
        target = self.rows[row]
        if target.photo is not None:
            target.photo = None
        else:
            path = self.pick_photo(self)
            if not path:
                return
            try:
                size = Path(path).stat().st_size
                if size > MAX_PHOTO_BYTES:
                    raise ValidationError(
                        "photo",
                        N_("A photo can be at most {size} MB."),
                        size=MAX_PHOTO_BYTES // (1024 * 1024),
                    )
                data = Path(path).read_bytes()
            except ValidationError as exc:
                self.failed.emit(exc.user_message())
                return
            except OSError as exc:
                self.failed.emit(
                    _("The file cannot be read: {reason}").format(reason=exc.strerror or exc)
                )
                return
            target.photo = PhotoUpload(Path(path).name, data)
        self._paint_row(row)
        self._update_photo_button()

    def _update_photo_button(self) -> None:
        row = self.current_row()
        has = 0 <= row < len(self.rows) and self.rows[row].photo is not None
        self.photo_button.setText(_("Remove photo") if has else _("Attach photo…"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.items and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self._handle_key(event):
                return True
        return super().eventFilter(watched, event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        row = self.current_row()
        if not 0 <= row < len(self.rows):
            return False
        key = event.key()
        item = self.rows[row].item
        value: str | None
        if key == Qt.Key.Key_P:
            value = "pass"
        elif key == Qt.Key.Key_F:
            value = "fail"
        elif key == Qt.Key.Key_N:
            value = NOT_APPLICABLE
        elif Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            value = str(int(key) - int(Qt.Key.Key_0))
            if item.max_points == 10 and value == "1" and self.rows[row].value == "1":
                value = "10"  # "1" twice on a 0–10 scale
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.set_answer(row, None)
            return True
        else:
            return False
        if item.response is ResponseKind.PASS_FAIL and value.isdigit():
            value = "pass" if value == "1" else "fail" if value == "0" else value
        self.set_answer(row, value, advance=value in item.choices())
        return True

    def retranslate_ui(self) -> None:
        self.answer_label.setText(_("Answer:"))
        self.comment_label.setText(_("Comment:"))
        self.items.setHorizontalHeaderLabels([_(h) for h in _HEADERS])
        self.hint.setText(
            _(
                "Keys on the list, one per item (the next item follows): P or 1 pass · "
                "F or 0 fail · N not applicable · 0–9 score · Backspace clears · Enter "
                "signs. * mandatory."
            )
        )
        self._update_photo_button()
        self.repaint_rows()
