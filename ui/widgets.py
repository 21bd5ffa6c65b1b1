"""Small shared pieces of the UI: a read-only table model over row dataclasses, the
translated labels and colours of the store's enumerations, and a few styled labels.

Labels are looked up when shown (never cached), so a language change only needs the
views to repaint and the models to announce new headers (``RowTableModel.retranslate``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QCloseEvent, QColor, QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFrame,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QWidget,
)

from app.domain.ledger import BillState
from app.i18n import N_, _, pgettext
from app.store.models import (
    CustomerKind,
    IdType,
    PaymentMethod,
    Role,
    ServiceKind,
    ServiceStatus,
    VerificationMethod,
)

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

#: The role that gives the whole row object of a ``RowTableModel``.
RowRole: Final = int(Qt.ItemDataRole.UserRole) + 1

#: Roles and flags as plain values: ``data()`` runs for every cell and role of a paint,
#: and looking up enum members there costs more than the rest of it.
DISPLAY_ROLE: Final = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP_ROLE: Final = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT_ROLE: Final = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND_ROLE: Final = int(Qt.ItemDataRole.ForegroundRole)
FONT_ROLE: Final = int(Qt.ItemDataRole.FontRole)
ROW_FLAGS: Final = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)

ALIGN_LEFT: Final = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT: Final = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER: Final = Qt.AlignmentFlag.AlignCenter


class Palette:
    """Semantic colours, chosen to stay readable on a light background."""

    DANGER: Final = QColor("#c62828")
    WARNING: Final = QColor("#a15c00")
    OK: Final = QColor("#2e7d32")
    MUTED: Final = QColor("#6b6b6b")
    INFO: Final = QColor("#1565c0")


# -- labels of the store's enumerations ---------------------------------------------------

_CUSTOMER_KIND: Final = {
    CustomerKind.PERSON: N_("Person"),
    CustomerKind.ORGANISATION: N_("Organisation"),
}
_ID_TYPE: Final = {
    IdType.RESIDENT_ID: N_("Resident ID card"),
    IdType.PASSPORT: N_("Passport"),
    IdType.HK_MACAO_PERMIT: N_("Hong Kong/Macao permit"),
    IdType.BUSINESS_LICENCE: N_("Business licence"),
}
_SERVICE_KIND: Final = {
    ServiceKind.MOBILE: N_("Mobile"),
    ServiceKind.FIXED: N_("Fixed line"),
    ServiceKind.BROADBAND: N_("Broadband"),
}
_PAYMENT_METHOD: Final = {
    PaymentMethod.CASH: N_("Cash"),
    PaymentMethod.BANK_CARD: N_("Bank card"),
    PaymentMethod.WECHAT: N_("WeChat Pay"),
    PaymentMethod.ALIPAY: N_("Alipay"),
    PaymentMethod.BANK_DEDUCTION: N_("Bank direct debit"),
    PaymentMethod.ONLINE: N_("Online"),
}
_STATUS_COLOUR: Final[dict[str, QColor]] = {
    ServiceStatus.NORMAL: Palette.OK,
    ServiceStatus.RESTRICTED: Palette.WARNING,
    ServiceStatus.SUSPENDED: Palette.DANGER,
    ServiceStatus.PRE_TERMINATED: Palette.MUTED,
}
_VERIFICATION_METHOD: Final = {
    VerificationMethod.DOCUMENT: N_("identity document seen"),
    VerificationMethod.SERVICE_PASSWORD: N_("service password"),
}


ROLE_LABELS: Final[dict[str, str]] = {
    Role.CLERK: N_("Clerk"),
    Role.LEADER: N_("Shift leader"),
    Role.ADMIN: N_("Administrator"),
}


def _lookup(table: dict[Any, str], value: str) -> str:
    msgid = table.get(value)
    return _(msgid) if msgid else value


def role_text(role: str) -> str:
    return _lookup(ROLE_LABELS, role)


def customer_kind_text(kind: str) -> str:
    return _lookup(_CUSTOMER_KIND, kind)


def id_type_text(id_type: str) -> str:
    return _lookup(_ID_TYPE, id_type)


def service_kind_text(kind: str) -> str:
    return _lookup(_SERVICE_KIND, kind)


def payment_method_text(method: str) -> str:
    return _lookup(_PAYMENT_METHOD, method)


def verification_method_text(method: str) -> str:
    return _lookup(_VERIFICATION_METHOD, method)


def service_status_text(status: str) -> str:
    """Status of a line as the counter calls it: restricted is 单停, suspended is 双停."""
    if status == ServiceStatus.NORMAL:
        return pgettext("service status", "Normal")
    if status == ServiceStatus.RESTRICTED:
        return pgettext("service status", "Restricted (outgoing barred)")
    if status == ServiceStatus.SUSPENDED:
        return pgettext("service status", "Suspended (both ways)")
    if status == ServiceStatus.PRE_TERMINATED:
        return pgettext("service status", "Pre-terminated")
    return status


def service_status_colour(status: str) -> QColor | None:
    return _STATUS_COLOUR.get(status)


def bill_state_text(state: BillState, overdue: bool) -> str:
    if state is BillState.PAID:
        return pgettext("bill", "Paid")
    base = (
        pgettext("bill", "Partly paid")
        if state is BillState.PARTIAL
        else pgettext("bill", "Unpaid")
    )
    if overdue:
        return _("{state}, overdue").format(state=base)
    return base


# -- a generic read-only table model ------------------------------------------------------


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column of a ``RowTableModel``.

    ``title`` is an English msgid (marked with ``N_``), translated in ``headerData``; the
    callables run at paint time, so the texts they return follow the current language.
    ``heading``, when given, translates the title instead: a ``pgettext`` call for a word
    whose meaning depends on the table ("Due" of a corrective action is 期限, of a bill
    缴费期限), written out so that the extraction sees its context.
    """

    title: str
    text: Callable[[R], str]
    align: Qt.AlignmentFlag = ALIGN_LEFT
    foreground: Callable[[R], QColor | None] | None = None
    bold: Callable[[R], bool] | None = None
    tooltip: Callable[[R], str] | None = None
    context: str | None = None
    heading: Callable[[], str] | None = None

    def header(self) -> str:
        if self.heading is not None:
            return self.heading()
        return pgettext(self.context, self.title) if self.context else _(self.title)

    @property
    def align_value(self) -> int:
        return int(self.align)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table over an immutable sequence of row dataclasses.

    The rows are replaced as a whole (``set_rows``); nothing is editable, so the views can
    never disagree with the service that produced the rows.
    """

    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: tuple[R, ...] = ()
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def rows(self) -> tuple[R, ...]:
        return self._rows

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def retranslate(self) -> None:
        """Announce that headers and texts changed after a language switch."""
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1)
            )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            # A heading stands over its values: an amount's heading on the right.
            return self._columns[section].align
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        row_no = index.row()  # -1 for an invalid index
        if not 0 <= row_no < len(self._rows):
            return None
        column = self._columns[index.column()]
        row = self._rows[row_no]
        if role == DISPLAY_ROLE:
            return column.text(row)
        if role == ALIGNMENT_ROLE:
            return column.align_value
        if role == FOREGROUND_ROLE:
            return column.foreground(row) if column.foreground else None
        if role == FONT_ROLE:
            return self._bold if column.bold and column.bold(row) else None
        if role == TOOLTIP_ROLE:
            return column.tooltip(row) if column.tooltip else column.text(row)
        if role == RowRole:
            return row
        return None


# -- views and labels ---------------------------------------------------------------------


def named_button(parent: QWidget, name: str) -> QPushButton:
    """A button with its objectName (its text comes from the owner's ``retranslate_ui``)."""
    button = QPushButton(parent)
    button.setObjectName(name)
    return button


def named_table(parent: QWidget, name: str, model: QAbstractTableModel) -> QTableView:
    """A configured table view over ``model``, with its objectName."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    configure_table(view)
    return view


def configure_table(view: QTableView, *, stretch_last: bool = True) -> None:
    """The look every read-only table of the workbench shares: whole-row selection,
    alternating rows, no grid, compact rows, no editing."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(ALIGN_LEFT)
    header.setStretchLastSection(stretch_last)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


def set_column_widths(view: QTableView, chars: Sequence[int]) -> None:
    """Size columns by the number of characters they usually hold (CJK counts double)."""
    unit = view.fontMetrics().horizontalAdvance("0")
    for column, width in enumerate(chars):
        view.setColumnWidth(column, width * unit + 16)


def show_busy(view: QAbstractItemView, busy: bool) -> None:
    """The busy cue of a view whose model queries on the task worker: a busy cursor."""
    view.viewport().setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)


def fit_to_screen(window: QWidget, preferred: QSize) -> None:
    """Size a window at its first start to the screen's available geometry (the desktop
    less its panels): ``preferred`` centred when it fits with room to spare, otherwise
    maximised, so that nothing of it (the status bar, a form's last button) is ever below
    the screen's edge. A counter's 1366×768 monitor under a 40 px panel is the small case.
    """
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(preferred)
        return
    available = screen.availableGeometry()
    # The window manager's frame: the title bar and borders, about 40 px in all.
    frame = 40
    if preferred.width() + frame > available.width() or (
        preferred.height() + frame > available.height()
    ):
        window.resize(available.width() - frame // 4, available.height() - frame)
        window.move(available.topLeft())
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        return
    window.resize(preferred)
    frame_rect = window.frameGeometry()
    frame_rect.moveCenter(available.center())
    window.move(frame_rect.topLeft())


def scrolling(page: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """``page`` in a frameless scroll area: a tall form stays usable on a
    1366×768 screen (its lower fields scroll into view as Tab reaches them)."""
    area = QScrollArea(parent)
    area.setObjectName(f"{page.objectName() or 'page'}Scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    return area


def heading_label(parent: QWidget | None = None, *, point_delta: int = 2) -> QLabel:
    """A bold label a few points larger than the body text, for section titles."""
    label = QLabel(parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() + point_delta)
    label.setFont(font)
    return label


def set_text_colour(label: QLabel, colour: QColor | None) -> None:
    label.setStyleSheet(f"color: {colour.name()};" if colour is not None else "")


class BusyGuardDialog(QDialog):
    """A dialog that cannot be closed while ``_busy``: background work it started (a
    payment being recorded, an identity check) must finish and report back to it first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._busy and event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:
        if not self._busy:
            super().reject()


#: Chooses a folder (``None``: cancelled); screens keep one as an attribute that tests replace.
FolderChooser = Callable[[QWidget, str], str | None]


def choose_folder(parent: QWidget, title: str) -> str | None:
    """The system's folder dialog."""
    folder = QFileDialog.getExistingDirectory(parent, title)
    return folder or None
