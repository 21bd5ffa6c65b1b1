"""The function keys of the core counter actions, and the main window's part of the
keyboard model (Esc back to the search box, the focus back there after a finished task).

The keys and why they were chosen are in ``ui.keyboard.FUNCTION_KEYS``. Each key acts on
what is on screen: F2 pays for the account chosen in the open customer's panel (or the
accounts selected in the arrears worklist), F4 registers a complaint for the open customer
(a walk-in when none is open), F6 verifies the open customer's identity, F7 starts an
etiquette self-check, F8 shows the shift's X report. F9 (sync) belongs to the sync
controller. A key with nothing to act on says so in the status bar.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app.i18n import _
from ui.keyboard import (
    KEY_CHOICE,
    NEW_COMPLAINT_KEY,
    PAY_KEY,
    RULES,
    SELF_CHECK_KEY,
    VERIFY_KEY,
    X_REPORT_KEY,
    KeyboardModel,
)
from ui.lookup.tab import LookupTab
from ui.window_host import WindowHost

#: How long a "nothing to act on" note stays in the status bar.
NOTE_MS = 6000


class FunctionKeys(QObject):
    """The function-key actions of ``window`` and its Esc / focus-return rules."""

    def __init__(self, window: WindowHost) -> None:
        assert isinstance(window, QWidget)
        super().__init__(window)
        self.setObjectName("functionKeys")
        self._window = window
        self._shown = False
        self.pay_action = self._action("actionPay", self.pay, PAY_KEY)
        self.complaint_action = self._action(
            "actionNewComplaint", self.new_complaint, NEW_COMPLAINT_KEY
        )
        self.verify_action = self._action("actionVerifyIdentity", self.verify, VERIFY_KEY)
        self.self_check_action = self._action("actionSelfCheck", self.self_check, SELF_CHECK_KEY)
        self.x_report_action = self._action("actionXReport", self.x_report, X_REPORT_KEY)
        window.installEventFilter(self)
        app = QApplication.instance()
        model = app.findChild(KeyboardModel, "keyboardModel") if app is not None else None
        if isinstance(model, KeyboardModel):
            model.dialogFinished.connect(self._dialog_finished)

    def _action(self, name: str, slot: Callable[[], object], key: str) -> QAction:
        action = QAction(self._window)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda *_a: slot())
        self._window.addAction(action)
        return action

    def retranslate_ui(self) -> None:
        self.pay_action.setText(_("Take a payment"))
        self.complaint_action.setText(_("Register a complaint"))
        self.verify_action.setText(_("Verify identity"))
        self.self_check_action.setText(_("New self-check"))
        self.x_report_action.setText(_("X report"))

    # -- what is on screen ----------------------------------------------------------------

    def _lookup(self) -> LookupTab | None:
        return self._window.tab(LookupTab)

    def _open_customer_lookup(self) -> LookupTab | None:
        """The lookup tab when it is on screen with a customer open."""
        lookup = self._lookup()
        if lookup is None or self._window.tabs.currentWidget() is not lookup:
            return None
        return lookup if lookup.panel.customer_id is not None else None

    def _note(self, text: str) -> None:
        self._window.statusBar().showMessage(text, NOTE_MS)

    # -- the actions ----------------------------------------------------------------------

    def pay(self) -> QDialog | None:
        """F2: the payment dialog for the open customer's account (or the worklist's)."""
        from ui.arrears.tab import ArrearsTab

        current = self._window.tabs.currentWidget()
        if isinstance(current, ArrearsTab):
            return current.collect_payment()
        lookup = self._open_customer_lookup()
        if lookup is None:
            self._note(_("Open a customer first (type in the search box and press Enter)."))
            return None
        dialog = lookup.panel.arrears_history.pay()
        if dialog is None:
            self._note(_("This customer has no account to pay for."))
        return dialog

    def new_complaint(self) -> None:
        """F4: the complaint form, for the open customer or a walk-in."""
        from ui.complaints.tab import ComplaintsTab

        lookup = self._open_customer_lookup()
        tab = self._window.tab(ComplaintsTab)
        if tab is None:
            return
        detail = lookup.panel.detail if lookup is not None else None
        self._window.tabs.setCurrentWidget(tab)
        if detail is not None:
            tab.start_intake(detail.customer_id, detail.name_masked)
        else:
            tab.start_intake()

    def verify(self) -> QDialog | None:
        """F6: the identity check of the open customer."""
        lookup = self._open_customer_lookup()
        if lookup is None:
            self._note(_("Open a customer first (type in the search box and press Enter)."))
            return None
        return lookup.panel.verify_identity()

    def self_check(self) -> QDialog | None:
        """F7: a new etiquette self-check."""
        from app.domain.etiquette_scoring import TemplateKind
        from ui.etiquette.tab import EtiquetteTab

        tab = self._window.tab(EtiquetteTab)
        if tab is None:
            return None
        self._window.tabs.setCurrentWidget(tab)
        return tab.open_form(TemplateKind.SELF_CHECK)

    def x_report(self) -> None:
        """F8: the shift tab's X report, read again."""
        from ui.shifts.tab import ShiftTab

        tab = self._window.tab(ShiftTab)
        if tab is None:
            return
        self._window.tabs.setCurrentWidget(tab)
        tab.pages.setCurrentWidget(tab.x_page)
        tab.reload()
        tab.x_page.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- Esc and the focus after a task ----------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show and not self._shown:
            # After the login: the cursor waits in the search box, not on the tab bar.
            self._shown = True
            QTimer.singleShot(0, self, self._window.find_customer)
            return False
        if (
            watched is self._window
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and not event.modifiers()
        ):
            # No widget used Esc: back out to the search box.
            self._window.find_customer()
            return True
        return False

    def _dialog_finished(self, dialog: QDialog, accepted: bool) -> None:
        """One of our dialogs over this window closed: the window takes the keys again
        (a closed dialog leaves none active on some platforms); after a finished task
        (accepted) at the customer lookup, the search box takes the focus, ready for the
        next customer. Elsewhere (a worklist, the shift's pages) the clerk stays where the
        work is: a handover signed or a reminder sent does not jump to another tab."""
        parent = dialog.parentWidget()
        if parent is None or parent.window() is not self._window:
            return
        QTimer.singleShot(0, self, lambda: self._after_dialog(accepted))

    def _after_dialog(self, accepted: bool) -> None:
        active = QApplication.activeModalWidget()
        if active is not None and active is not self._window:
            return  # another dialog is still open over the window
        self._window.activateWindow()
        lookup = self._lookup()
        if accepted and lookup is not None and self._window.tabs.currentWidget() is lookup:
            self._window.find_customer()

    def show_shortcuts(self, rows: list[tuple[str, str]]) -> QMessageBox:
        """The shortcuts dialog: the keyboard model's rules (``ui.keyboard.RULES``), every
        command's keys (``rows``) and why the function keys are these."""
        cell = "<td style='padding: 2px 24px 2px 0'>{}</td>"

        def row(command: str, keys: str) -> str:
            return (
                "<tr>"
                + cell.format(html.escape(command))
                + cell.format(f"<b>{html.escape(keys)}</b>")
                + "</tr>"
            )

        rules = "".join(row(_(text), _(keys)) for keys, text in RULES)
        commands = "".join(row(command, keys) for command, keys in rows)
        box = QMessageBox(QMessageBox.Icon.NoIcon, _("Keyboard shortcuts"), "", self._window)
        box.setObjectName("shortcutsDialog")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(
            f"<table>{rules}</table><hr><table>{commands}</table>"
            f"<p style='max-width: 520px'>{html.escape(_(KEY_CHOICE))}</p>"
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
