"""The one keyboard model of the workbench, installed once on the application.

A clerk serves a queue with the hands on the keyboard, so every screen obeys the same
rules, and they are implemented here once, as an application-wide event filter, rather
than in each tab and dialog (a screen added later obeys them without doing anything):

* **Tab leaves a table.** Every item view gets ``setTabKeyNavigation(False)`` when it is
  polished: the arrow keys move inside it, Tab and Shift+Tab go to the next or previous
  widget. (Qt's default keeps Tab inside a table, a trap for a keyboard user.)
* **A dialog opens on its first field**, not on its OK button: when one of our dialogs is
  shown and the focus is not already in an input field, the first enabled input field of
  its focus chain takes it.
* **Enter moves field to field in a dialog, and commits on the last.** Enter in an input
  field moves to the next input field of the dialog (a count grid goes down its
  denominations); in the last one, or in a field marked with :func:`commits_on_enter`
  (an amount whose next fields are optional), it goes on to the dialog's default button
  (a money step still shows its confirmation page, confirmed by Enter again).
* **Ctrl+Enter commits from any field** of a dialog (its default button) or of a form
  marked with :func:`enter_form` (its commit button), a text area included: a count grid
  or a long description does not have to be walked to its end.
* **Enter presses the focused button** outside dialogs too (Qt presses it only inside one),
  so a button that takes the focus after a step (print the slip, print the sheet) is one
  key away.
* **A form that is not a dialog** (the complaint form in its tab) obeys the dialog rules
  when marked with :func:`enter_form`: Enter moves between its fields, and on the last one
  (or Ctrl+Enter anywhere) presses its commit button.
* **A widget marked with** :func:`starts_here` takes a dialog's first focus even when it is
  not an input field (the checklist's answer table, answered one key per item).
* **Esc backs out one level** (Qt's default in dialogs; the main window brings the
  search box back), and the main window returns the focus to the search box after each
  finished task (see ``ui.function_keys``).

The function keys of the core actions are in :data:`FUNCTION_KEYS`; :func:`keyed_text`
shows a key on its button.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from app.i18n import N_, _

#: The widget property that makes Enter in a field commit its dialog (go on to the
#: default button) instead of moving to the next field.
ENTER_COMMITS: Final = "enterCommits"
ENTER_KEYS: Final = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
#: The widget property that gives a dialog's first focus to a widget (see ``starts_here``).
FIRST_FOCUS: Final = "firstFocus"
#: The property of a container that is a form outside a dialog; its value is the button
#: that commits it (see ``enter_form``).
ENTER_FORM: Final = "enterForm"

#: When an item view learns that Tab leaves it: polished (before it is first shown), and
#: again when it takes the focus (a view made before the model was installed).
_VIEW_EVENTS: Final = (QEvent.Type.Polish, QEvent.Type.FocusIn)
#: Input fields: what a dialog's focus starts on and Enter moves between. Text areas take
#: the first focus but keep Enter for a new line (Ctrl+Enter commits their form).
_ENTER_FIELDS: Final = (QLineEdit, QAbstractSpinBox, QComboBox)
_FIRST_FIELDS: Final = (*_ENTER_FIELDS, QPlainTextEdit, QTextEdit)

#: The function keys of the core counter actions, (key, command msgid). Chosen to stay clear
#: of what Windows and the operator's other counter software already use at the counter:
#: F1 is help everywhere, F3 is find (ours too), F5 is refresh in browsers (the operator's
#: web CRM runs in one), F10 opens the menu bar on Windows, F11 is full screen and F12 the
#: browser's developer tools; Alt+F4 closes a window, so F4 alone is safe but never with
#: Alt. The remaining keys go to the actions of a queue, left to right in the order of a
#: customer's visit.
PAY_KEY: Final = "F2"
#: Voiding the customer's last payment is F2 undone, so it sits on the same key with Shift
#: (no function key is left free of the clashes above; Shift+F2 means nothing in Windows
#: nor in a browser).
VOID_KEY: Final = "Shift+F2"
NEW_COMPLAINT_KEY: Final = "F4"
VERIFY_KEY: Final = "F6"
SELF_CHECK_KEY: Final = "F7"
X_REPORT_KEY: Final = "F8"
SYNC_KEY: Final = "F9"
FUNCTION_KEYS: Final[tuple[tuple[str, str], ...]] = (
    (PAY_KEY, N_("Take a payment for the open customer")),
    (NEW_COMPLAINT_KEY, N_("Register a complaint (for the open customer)")),
    (VERIFY_KEY, N_("Verify the open customer's identity")),
    (SELF_CHECK_KEY, N_("New etiquette self-check")),
    (X_REPORT_KEY, N_("Shift: X report")),
    (SYNC_KEY, N_("Sync now")),
)
#: Why these function keys (the shortcuts dialog says it to the clerk).
KEY_CHOICE: Final = N_(
    "The function keys avoid F1 (help), F5 (refresh), F10 (menu bar), F11 and F12, which "
    "Windows and the operator's web counter software already use; F3 is find."
)
#: The model's rules, shown in the shortcuts dialog (and in docs/automation.md).
RULES: Final[tuple[tuple[str, str], ...]] = (
    (N_("Tab / Shift+Tab"), N_("Next / previous field; always leaves a table")),
    (N_("Arrow keys"), N_("Move inside a table or list")),
    (N_("Enter"), N_("Open the selected item, or the next field; on the last field, commit")),
    (N_("Ctrl+Enter"), N_("Commit the dialog or form from any field")),
    (VOID_KEY, N_("Void the open customer's last payment (a shift leader approves)")),
    (
        N_("Alt+O / Alt+L"),
        N_("Shift tab: open / close the shift (Alt with a button's underlined letter)"),
    ),
    (N_("Esc"), N_("Back out one level: close the dialog, or back to the search box")),
)


def keyed_text(text: str, key: str) -> str:
    """A button's text with its function key shown: "Pay (F2)"."""
    return _("{label} ({key})").format(label=text, key=key)


def numbered_choice(number: int, text: str) -> str:
    """A picker's choice with its number in front ("3 Service attitude"): Qt's combo box
    selects the choice whose text starts with the typed digit, one key per answer."""
    return _("{number} {choice}").format(number=number, choice=text)


def commits_on_enter(field: QWidget) -> None:
    """Enter in ``field`` commits its dialog instead of moving to the next field."""
    field.setProperty(ENTER_COMMITS, True)


def starts_here(widget: QWidget) -> None:
    """``widget`` takes its dialog's first focus (even if it is not an input field)."""
    widget.setProperty(FIRST_FOCUS, True)


def enter_form(container: QWidget, commit: QAbstractButton) -> None:
    """``container`` (not a dialog) is a form: Enter moves between its fields as in a
    dialog, and on its last field, or Ctrl+Enter in any of them, presses ``commit``."""
    container.setProperty(ENTER_FORM, commit)


def form_of(widget: QWidget) -> QWidget | None:
    """The nearest container of ``widget`` marked with :func:`enter_form`, if any."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent.property(ENTER_FORM), QAbstractButton):
            return parent
        parent = parent.parentWidget()
    return None


def is_input_field(widget: QWidget) -> bool:
    return isinstance(widget, _FIRST_FIELDS) and not (
        isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit) and widget.isReadOnly()
    )


def _focusable(widget: QWidget) -> bool:
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.focusProxy() is None
    )


def focus_chain(window: QWidget) -> list[QWidget]:
    """The widgets of ``window``'s focus chain that Tab can reach, in Tab order."""
    chain: list[QWidget] = []
    widget = window.nextInFocusChain()
    seen: set[int] = set()
    while widget is not None and widget is not window and id(widget) not in seen:
        seen.add(id(widget))
        if widget.window() is window and _focusable(widget):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def first_field(window: QWidget) -> QWidget | None:
    chain = focus_chain(window)
    for widget in chain:
        if widget.property(FIRST_FOCUS):
            return widget
    for widget in chain:
        if is_input_field(widget):
            return widget
    return None


def next_field(window: QWidget, current: QWidget, within: QWidget | None = None) -> QWidget | None:
    """The next input field after ``current`` in ``window``'s focus chain (inside
    ``within`` when given), if any before the chain wraps (then ``current`` is the last
    field)."""
    chain = focus_chain(window)
    if within is not None:
        chain = [w for w in chain if within.isAncestorOf(w)]
    try:
        position = chain.index(current)
    except ValueError:
        return None
    for widget in chain[position + 1 :]:
        if is_input_field(widget):
            return widget
    return None


def _ours(widget: QWidget) -> bool:
    """A dialog of the workbench (Qt's own file and print dialogs keep their manners)."""
    return type(widget).__module__.split(".", 1)[0] == "ui"


def focus_first_field(dialog: QDialog) -> None:
    """Put the focus on ``dialog``'s first input field unless it is already in one."""
    if not dialog.isVisible():
        return
    # The dialog's own choice (its focus widget, even before the window is active).
    focused = dialog.focusWidget()
    if (
        focused is not None
        and (is_input_field(focused) or focused.property(FIRST_FOCUS))
        and _focusable(focused)
    ):
        return
    field = first_field(dialog)
    if field is not None:
        field.setFocus(Qt.FocusReason.TabFocusReason)


class KeyboardModel(QObject):
    """The application-wide event filter that applies the rules of this module.

    ``dialogFinished`` fires when one of our dialogs closes, with True when it was
    accepted (a task finished: the main window puts the focus back in the search box);
    ``viewPolished`` when an item view is polished.
    """

    dialogFinished = Signal(QDialog, bool)
    #: An item view was polished (before its first showing): ``ui.column_widths`` adopts
    #: it, so every table gets its user's widths without doing anything.
    viewPolished = Signal(QAbstractItemView)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _VIEW_EVENTS and isinstance(watched, QAbstractItemView):
            watched.setTabKeyNavigation(False)
            if kind == QEvent.Type.Polish:
                self.viewPolished.emit(watched)
        elif kind == QEvent.Type.Show and isinstance(watched, QDialog) and _ours(watched):
            self._dialog_shown(watched)
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() not in ENTER_KEYS or not isinstance(watched, QWidget):
                return False
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                return self._commit(watched)
            if isinstance(watched, _ENTER_FIELDS):
                return self._enter(watched, event)
            if isinstance(watched, QPushButton) and not isinstance(watched.window(), QDialog):
                return self._press(watched, event)
        return False

    def _commit(self, widget: QWidget) -> bool:
        """Ctrl+Enter: press the default button of ``widget``'s dialog, or the commit
        button of its form."""
        form = form_of(widget)
        button: object = form.property(ENTER_FORM) if form is not None else None
        window = widget.window()
        if button is None and isinstance(window, QDialog) and _ours(window):
            button = next(
                (
                    b
                    for b in window.findChildren(QPushButton)
                    if b.isDefault() and b.window() is window
                ),
                None,
            )
        if not isinstance(button, QAbstractButton):
            return False
        if button.isVisible() and button.isEnabled():
            button.click()
        return True

    @staticmethod
    def _press(button: QPushButton, event: QKeyEvent) -> bool:
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier or not _ours(button.window()):
            return False
        if button.isEnabled():
            button.click()
        return True

    def _dialog_shown(self, dialog: QDialog) -> None:
        # After Qt's own choice (the default button) has been made on showing.
        QTimer.singleShot(0, dialog, lambda: focus_first_field(dialog))
        if not dialog.property("keyboardModelSeen"):
            # A signal, not the Hide event: a widget being destroyed is hidden too.
            dialog.setProperty("keyboardModelSeen", True)
            dialog.finished.connect(
                lambda code: self.dialogFinished.emit(
                    dialog, code == QDialog.DialogCode.Accepted.value
                )
            )

    def _enter(self, field: QWidget, event: QKeyEvent) -> bool:
        if event.key() not in ENTER_KEYS:
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if isinstance(field, QComboBox) and field.view().isVisible():
            return False  # Enter chooses in the open list
        window = field.window()
        form = form_of(field)
        if form is not None:
            following = next_field(window, field, within=form)
            if following is None or field.property(ENTER_COMMITS):
                return self._commit(field)
        else:
            if not isinstance(window, QDialog) or not _ours(window):
                return False
            if field.property(ENTER_COMMITS):
                return False
            following = next_field(window, field)
            if following is None:
                return False  # the last field: the dialog's default button commits
        # Leaving the field finishes its editing as Tab would (a spin box interprets its
        # text, a line edit signals editingFinished).
        following.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(following, QLineEdit | QAbstractSpinBox):
            following.selectAll()
        return True


def install_keyboard_model(app: QApplication) -> KeyboardModel:
    """Install the keyboard model on ``app`` (once; later calls return the same filter)."""
    existing = app.findChild(KeyboardModel, "keyboardModel")
    if isinstance(existing, KeyboardModel):
        return existing
    model = KeyboardModel(app)
    model.setObjectName("keyboardModel")
    app.installEventFilter(model)
    return model
