"""The upper half of the customer panel: profile, amount owed, and the huge-charge banner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.domain.ledger import HUGE_CHARGE_FACTOR, SettledBill
from app.i18n import _, format_date, format_money, ngettext
from app.services.customers import CustomerDetail, UnmaskedIdentity
from ui.widgets import Palette, heading_label, id_type_text, set_text_colour

BANNER_LINES = 3


def _value_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class ProfileGrid(QFrame):
    """Who the customer is; the ID number and phone are masked unless ``unmasked`` is given."""

    _FIELDS = (
        ("customerIdNumber", 0, 0),
        ("customerPhone", 0, 1),
        ("customerAddress", 1, 0),
        ("customerSince", 1, 1),
        ("customerGridUnit", 2, 0),
        ("gridManager", 2, 1),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerProfile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._detail: CustomerDetail | None = None
        self._unmasked: UnmaskedIdentity | None = None
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        for name, row, pair in self._FIELDS:
            caption = QLabel(self)
            set_text_colour(caption, Palette.MUTED)
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = _value_label(self, name)
            grid.addWidget(caption, row, pair * 2)
            grid.addWidget(value, row, pair * 2 + 1)
            self.captions[name] = caption
            self.values[name] = value
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        grid.setRowStretch(3, 1)
        self.retranslate_ui()

    def set_detail(self, detail: CustomerDetail, unmasked: UnmaskedIdentity | None) -> None:
        self._detail = detail
        self._unmasked = unmasked
        self._fill()

    def _fill(self) -> None:
        d = self._detail
        if d is None:
            return
        shown = self._unmasked
        self.values["customerIdNumber"].setText(
            _("{id_type} {number}").format(
                id_type=id_type_text(d.id_type),
                number=shown.id_number if shown else d.id_number_masked,
            )
        )
        self.values["customerPhone"].setText(shown.contact_phone if shown else d.phone_masked)
        self.values["customerAddress"].setText(
            (shown.address if shown else d.address_masked) or "—"
        )
        for name in ("customerIdNumber", "customerPhone", "customerAddress"):
            set_text_colour(self.values[name], Palette.INFO if shown else None)
        self.values["customerSince"].setText(format_date(d.created_on))
        self.values["customerGridUnit"].setText(d.grid_unit or "—")
        self.values["gridManager"].setText(
            _("{name}, {phone}").format(name=d.grid_manager, phone=d.grid_manager_phone)
            if d.grid_manager
            else "—"
        )

    def retranslate_ui(self) -> None:
        captions = {
            "customerIdNumber": _("ID document"),
            "customerPhone": _("Contact phone"),
            "customerAddress": _("Address"),
            "customerSince": _("Customer since"),
            "customerGridUnit": _("Grid unit"),
            "gridManager": _("Grid manager"),
        }
        for name, text in captions.items():
            self.captions[name].setText(text)
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class BalanceCard(QFrame):
    """The amount owed, large and red when there is any; the balance and what is overdue.

    Arrears add up per account (a credit on one account does not pay another's bills),
    so the amount owed can exceed minus the overall balance.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("balanceCard")
        self._detail: CustomerDetail | None = None
        self._today: date | None = None
        self.caption = QLabel(self)
        self.amount = heading_label(self, point_delta=10)
        self.amount.setObjectName("arrearsAmount")
        self.overdue = QLabel(self)
        self.overdue.setObjectName("overdueAmount")
        self.overdue.setWordWrap(True)
        self.balance = QLabel(self)
        self.balance.setObjectName("balanceAmount")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.amount)
        layout.addWidget(self.overdue)
        layout.addWidget(self.balance)
        layout.addStretch(1)
        self.setMinimumWidth(260)
        self.retranslate_ui()

    def set_detail(self, detail: CustomerDetail, today: date) -> None:
        self._detail = detail
        self._today = today
        self._fill()

    def in_arrears(self) -> bool:
        return self._detail is not None and self._detail.arrears_fen > 0

    def _fill(self) -> None:
        d, today = self._detail, self._today
        if d is None or today is None:
            return
        owing = d.arrears_fen > 0
        colour = Palette.DANGER if owing else Palette.OK
        background = "#fdecea" if owing else "#edf7ee"
        self.setStyleSheet(
            f"#balanceCard {{ background: {background}; border: 1px solid {colour.name()};"
            " border-radius: 6px; }"
        )
        self.amount.setText(format_money(d.arrears_fen))
        set_text_colour(self.amount, colour)
        overdue = sum(a.ledger.overdue_fen(today) for a in d.accounts)
        dues = [a.ledger.oldest_unpaid_due() for a in d.accounts]
        oldest = min((due for due in dues if due is not None), default=None)
        if overdue > 0 and oldest is not None:
            self.overdue.setText(
                _("Overdue {amount} since {date}").format(
                    amount=format_money(overdue), date=format_date(oldest)
                )
            )
            set_text_colour(self.overdue, Palette.DANGER)
        elif owing:
            self.overdue.setText(_("Not yet due"))
            set_text_colour(self.overdue, Palette.WARNING)
        else:
            self.overdue.setText(_("All bills paid"))
            set_text_colour(self.overdue, Palette.OK)
        self.balance.setText(
            _("Balance of all accounts: {amount}").format(amount=format_money(d.balance_fen))
        )

    def retranslate_ui(self) -> None:
        self.caption.setText(_("Amount owed"))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class HugeChargeBanner(QFrame):
    """Warns of bills above five times the average of the three before them: the clerk
    must go through the usage with the customer before asking for the money."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hugeChargeBanner")
        self.setStyleSheet(
            "#hugeChargeBanner { background: #fff4e5; border: 1px solid #e0a030;"
            " border-radius: 6px; } #hugeChargeBanner QLabel { color: #5c3b00; }"
        )
        self._charges: tuple[tuple[str, SettledBill], ...] = ()
        self.icon = QLabel("⚠", self)
        font = self.icon.font()
        font.setPointSizeF(font.pointSizeF() + 8)
        self.icon.setFont(font)
        self.title = heading_label(self, point_delta=0)
        self.text = QLabel(self)
        self.text.setObjectName("hugeChargeText")
        self.text.setWordWrap(True)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.title)
        column.addWidget(self.text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(column, 1)
        self.hide()
        self.retranslate_ui()

    def set_charges(self, charges: Sequence[tuple[str, SettledBill]]) -> None:
        self._charges = tuple(charges)
        self.setVisible(bool(self._charges))
        self._fill()

    def _fill(self) -> None:
        count = len(self._charges)
        if not count:
            return
        self.title.setText(
            ngettext(
                "Abnormally high bill: check the usage with the customer before asking for payment",
                "{count} abnormally high bills: check the usage with the customer before "
                "asking for payment",
                count,
            ).format(count=count)
        )
        lines = [
            _(
                "Account {account}, period {period}: {amount}, more than {factor} times the "
                "average of the three bills before it."
            ).format(
                account=account,
                period=bill.bill.period,
                amount=format_money(bill.bill.amount_fen),
                factor=HUGE_CHARGE_FACTOR,
            )
            for account, bill in self._charges[-BANNER_LINES:]
        ]
        hidden = count - len(lines)
        if hidden > 0:
            lines.append(
                ngettext(
                    "… and {count} earlier one.", "… and {count} earlier ones.", hidden
                ).format(count=hidden)
            )
        self.text.setText("\n".join(lines))

    def retranslate_ui(self) -> None:
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
