"""Column widths each user keeps, and the full text of a cell cut short, for every table.

Implemented once for the whole workbench rather than per table: the keyboard model
(``ui.keyboard``) reports every item view as it is polished, and ``ColumnWidths`` adopts
each one that has an objectName (tables without one are not told apart between sessions
and are left alone):

* **Widths kept per user.** When the view is shown, the widths this user last left are
  restored (only when the number of columns still matches: a table that gained a column
  starts from its designed widths); a width the user drags is saved half a second later,
  and again when the view is hidden, so a PC switched off at the wall keeps it. They are
  window state, not preferences: ``window/columns/<staff no>/<objectName>``, at this PC.
* **A cell cut short shows its full text** as a tooltip (the worklist's customer names,
  service numbers, signing times, due dates), unless the model gives a tooltip of its own.
"""

from __future__ import annotations

import itertools
from typing import Final

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QTableView,
    QToolTip,
    QTreeView,
    QWidget,
)

from app.settings import SettingsBackend
from ui.context import AppContext
from ui.keyboard import install_keyboard_model

#: The settings group of the saved widths (window state, beside the window geometry).
GROUP: Final = "window/columns"
#: Milliseconds after the last drag of a column border before the widths are written.
SAVE_DELAY_MS: Final = 500
_ADOPTED: Final = "columnWidthsAdopted"
_KEEPERS: Final = itertools.count(1)


def header_of(view: QAbstractItemView) -> QHeaderView | None:
    """The horizontal header of a table or the header of a tree (a list has none)."""
    if isinstance(view, QTableView):
        return view.horizontalHeader()
    if isinstance(view, QTreeView):
        return view.header()
    return None


def settings_key(user: str, name: str) -> str:
    return f"{GROUP}/{user}/{name}"


def parse_widths(raw: object) -> list[int]:
    """Widths saved as "120,80,200"; [] for anything else (edited by hand, or none)."""
    if raw is None:
        return []
    parts = raw if isinstance(raw, list) else str(raw).split(",")
    try:
        widths = [int(str(part).strip()) for part in parts]
    except ValueError:
        return []
    return widths if all(width > 0 for width in widths) else []


def text_is_cut(view: QAbstractItemView, text: str, width: int) -> bool:
    """Whether ``text`` needs more than ``width`` pixels in a cell of ``view``."""
    style = view.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    longest = max(
        (view.fontMetrics().horizontalAdvance(line) for line in text.splitlines()), default=0
    )
    return longest + 2 * margin > width


class ColumnWidths(QObject):
    """Adopts the item views of the workbench for one logged-in user (see the module)."""

    def __init__(self, user: str, settings: SettingsBackend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.user = user
        self.settings = settings
        self._pending: dict[int, QAbstractItemView] = {}
        self._restoring = False
        #: Marks the views this keeper adopted (a window closing leaves its keeper to be
        #: deleted later, while the next login's keeper adopts the same dialogs' views).
        self._token = f"{user}:{next(_KEEPERS)}"
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_pending)

    def adopted(self, view: QAbstractItemView) -> bool:
        return bool(view.property(_ADOPTED) == self._token)

    def adopt(self, view: QAbstractItemView) -> None:
        """Watch ``view`` (once): its widths, and the tooltips of its cells."""
        if self.adopted(view):
            return
        view.setProperty(_ADOPTED, self._token)
        view.viewport().installEventFilter(self)
        header = header_of(view)
        if header is None or not view.objectName():
            return
        view.installEventFilter(self)
        # A slot of this object (not a lambda): disconnected when the keeper goes with
        # its window, while a dialog's table may live on.
        header.sectionResized.connect(self._section_resized)
        if view.isVisible():
            self.restore(view)

    # -- widths -----------------------------------------------------------------------------

    def saved(self, view: QAbstractItemView) -> list[int]:
        return parse_widths(self.settings.value(settings_key(self.user, view.objectName())))

    def restore(self, view: QAbstractItemView) -> bool:
        """Put back the user's widths; False when none fit the table's columns."""
        header = header_of(view)
        widths = self.saved(view)
        if header is None or not widths or len(widths) != header.count():
            return False
        self._restoring = True
        try:
            for section, width in enumerate(widths):
                if header.sectionResizeMode(section) == QHeaderView.ResizeMode.Interactive:
                    header.resizeSection(section, width)
        finally:
            self._restoring = False
        return True

    def save(self, view: QAbstractItemView) -> None:
        header = header_of(view)
        if header is None or not header.count():
            return
        widths = ",".join(str(header.sectionSize(s)) for s in range(header.count()))
        self.settings.set_value(settings_key(self.user, view.objectName()), widths)

    def save_pending(self) -> None:
        pending, self._pending = self._pending, {}
        for view in pending.values():
            self.save(view)

    def _section_resized(self, *_args: object) -> None:
        header = self.sender()
        view = header.parent() if isinstance(header, QHeaderView) else None
        if not isinstance(view, QAbstractItemView) or self._restoring or not view.isVisible():
            return  # the widths restored, or laid out before the view is shown
        self._pending[id(view)] = view
        self._timer.start()

    # -- events -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(watched, QAbstractItemView):
            if kind == QEvent.Type.Show:
                self.restore(watched)
            elif kind == QEvent.Type.Hide and self._pending.pop(id(watched), None) is not None:
                self.save(watched)
        elif kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            view = watched.parent() if isinstance(watched, QWidget) else None
            if isinstance(view, QAbstractItemView):
                return self._tooltip(view, event.pos(), event.globalPos())
        return False

    def _tooltip(self, view: QAbstractItemView, pos: QPoint, global_pos: QPoint) -> bool:
        index = view.indexAt(pos)
        model = view.model()
        if not index.isValid() or model is None:
            return False
        if model.data(index, Qt.ItemDataRole.ToolTipRole):
            return False  # the model's own tooltip
        text = model.data(index, Qt.ItemDataRole.DisplayRole)
        rect = view.visualRect(index)
        if not isinstance(text, str) or not text or not text_is_cut(view, text, rect.width()):
            return False  # it fits: Qt's own handling (the view's tooltip, if any)
        QToolTip.showText(global_pos, text, view.viewport(), rect)
        return True


def keep_column_widths(window: QWidget, ctx: AppContext) -> ColumnWidths:
    """Keep the column widths of ``ctx``'s user in every table shown while ``window``
    lives (its own tables and its dialogs')."""
    keeper = ColumnWidths(ctx.actor.staff_no, ctx.settings, window)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        install_keyboard_model(app).viewPolished.connect(keeper.adopt)
    for view in window.findChildren(QAbstractItemView):
        keeper.adopt(view)
    return keeper
