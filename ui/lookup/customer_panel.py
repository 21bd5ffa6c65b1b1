"""The customer panel: who the customer is, what they owe, and their accounts.

Personal data arrives masked from the service. It is shown in full only after an identity
check in this panel, for the customer on screen; opening another customer masks it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import HallDeskError
from app.i18n import _, format_datetime, ngettext
from app.services.customers import CustomerDetail, UnmaskedIdentity
from app.store.models import VerificationMethod
from ui.context import AppContext
from ui.errors import show_error
from ui.keyboard import VERIFY_KEY, keyed_text
from ui.lookup import complaints_section
from ui.lookup.account_view import AccountsView
from ui.lookup.arrears_section import TITLE as ARREARS_TITLE
from ui.lookup.arrears_section import ArrearsHistorySection
from ui.lookup.identity_dialog import IdentityCheckDialog
from ui.lookup.profile import BalanceCard, HugeChargeBanner, ProfileGrid
from ui.widgets import (
    Palette,
    customer_kind_text,
    heading_label,
    scrolling,
    set_text_colour,
    verification_method_text,
)

#: A section title: an English msgid (marked with ``N_``), or a function giving the text.
SectionTitle = str | Callable[[], str]


class CustomerPanel(QWidget):
    """Shows one customer (``show_customer``) and runs the identity check and unmasking.

    Further sections (complaints, reminders …) are added with ``add_section`` and follow
    the customer through ``customerChanged``.
    """

    customerChanged = Signal(object)  # the customer id shown, or None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerPanel")
        self._ctx = ctx
        self._detail: CustomerDetail | None = None
        self._verified: tuple[VerificationMethod, datetime] | None = None
        self._unmasked: UnmaskedIdentity | None = None
        self._section_titles: list[SectionTitle] = []

        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("customerPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        set_text_colour(self.placeholder, Palette.MUTED)

        self.name_label = heading_label(self, point_delta=6)
        self.name_label.setObjectName("customerName")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind_badge = QLabel(self)
        self.kind_badge.setObjectName("customerKindBadge")
        self.kind_badge.setStyleSheet(
            "background: #e3edf9; color: #1c4f8c; border-radius: 9px; padding: 2px 10px;"
        )
        self.identity_status = QLabel(self)
        self.identity_status.setObjectName("identityStatus")
        self.verify_button = QPushButton(self)
        self.verify_button.setObjectName("verifyIdentityButton")
        self.verify_button.clicked.connect(lambda *_a: self.verify_identity())
        self.unmask_button = QPushButton(self)
        self.unmask_button.setObjectName("unmaskButton")
        self.unmask_button.clicked.connect(self.toggle_personal_data)

        self.banner = HugeChargeBanner(self)
        self.profile = ProfileGrid(self)
        self.balance = BalanceCard(self)
        self.accounts = AccountsView(ctx.hall.timezone, self.business_date, self)
        self.sections = QTabWidget(self)
        self.sections.setObjectName("customerSections")
        self.sections.setDocumentMode(True)
        self.add_section(self._accounts_title, self.accounts)
        self.arrears_history = ArrearsHistorySection(ctx, self, self)
        self.add_section(ARREARS_TITLE, self.arrears_history)
        self.add_section(complaints_section.TITLE, complaints_section.ComplaintsSection(ctx, self))

        header = QHBoxLayout()
        header.addWidget(self.name_label)
        header.addSpacing(8)
        header.addWidget(self.kind_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        header.addWidget(self.identity_status)
        header.addSpacing(8)
        header.addWidget(self.verify_button)
        header.addWidget(self.unmask_button)
        summary = QHBoxLayout()
        summary.addWidget(self.profile, 3)
        summary.addWidget(self.balance, 1)

        content = QWidget(self)
        content.setObjectName("customerContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addLayout(summary)
        layout.addWidget(self.sections, 1)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        # In a scroll area: the panel's minimum height (header, profile, services, bills)
        # under the search results and a fault banner is more than a 1366×768 screen has;
        # its lower part scrolls there instead of pushing the window below the screen.
        self.stack.addWidget(scrolling(content, self))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.retranslate_ui()

    # -- public ---------------------------------------------------------------------------

    @property
    def detail(self) -> CustomerDetail | None:
        return self._detail

    @property
    def customer_id(self) -> int | None:
        return self._detail.customer_id if self._detail else None

    def business_date(self) -> date:
        """Today in the hall's time zone: what "overdue" is measured against."""
        return datetime.now(ZoneInfo(self._ctx.hall.timezone)).date()

    def add_section(self, title: SectionTitle, widget: QWidget) -> int:
        """Add a section tab below the profile and return its index.

        ``title`` is an English msgid marked with ``N_`` (translated when shown), or a
        function returning the translated text, for titles with a count.
        """
        self._section_titles.append(title)
        index = self.sections.addTab(widget, "")
        self._retitle_sections()
        return index

    def retitle_sections(self) -> None:
        """Recompute the section titles (a section whose count changed calls this)."""
        self._retitle_sections()

    def show_customer(self, customer_id: int) -> bool:
        """Load and show a customer; a refusal is shown to the user and False returned."""
        try:
            detail = self._ctx.customers.detail(customer_id)
        except HallDeskError as exc:
            show_error(self, exc)
            return False
        self.show_detail(detail)
        return True

    def refresh(self) -> bool:
        """Reload the shown customer after a change made here (a payment): the identity
        check, the unmasked data and the open section stay, as the same customer is still
        at the counter. Opening a customer (``show_customer``) starts masked again."""
        if self._detail is None:
            return False
        try:
            detail = self._ctx.customers.detail(self._detail.customer_id)
        except HallDeskError as exc:
            show_error(self, exc)
            return False
        kept = (self._verified, self._unmasked, self.sections.currentIndex())
        self.show_detail(detail)
        self._verified, self._unmasked, section = kept
        self.sections.setCurrentIndex(section)
        self._fill()
        return True

    def show_detail(self, detail: CustomerDetail) -> None:
        """Show ``detail`` masked: an identity check belongs to the customer it was made for."""
        self._detail = detail
        self._verified = None
        self._unmasked = None
        self.banner.set_charges(detail.huge_charges())
        self.balance.set_detail(detail, self.business_date())
        self.accounts.set_accounts(detail.accounts)
        self.sections.setCurrentIndex(0)
        self._retitle_sections()
        self._fill()
        self.stack.setCurrentIndex(1)
        self.customerChanged.emit(detail.customer_id)

    def clear(self) -> None:
        self._detail = None
        self._verified = None
        self._unmasked = None
        self.stack.setCurrentIndex(0)
        self.customerChanged.emit(None)

    def is_unmasked(self) -> bool:
        return self._unmasked is not None

    # -- identity -------------------------------------------------------------------------

    def verify_identity(self) -> IdentityCheckDialog | None:
        """Open the identity check (window-modal, F6); returns it (tests). The panel
        shows the customer verified when the dialog is accepted for the customer still on
        screen."""
        if self._detail is None:
            return None
        detail = self._detail
        dialog = IdentityCheckDialog(
            self._ctx, detail.customer_id, detail.name, detail.has_service_password, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def checked() -> None:
            if self._detail is detail and dialog.verified_method and dialog.verified_at:
                self.set_verified(dialog.verified_method, dialog.verified_at)

        dialog.accepted.connect(checked)
        dialog.open()
        return dialog

    def set_verified(self, method: VerificationMethod, at: datetime) -> None:
        self._verified = (method, at)
        self._fill()

    def toggle_personal_data(self) -> None:
        if self._unmasked is not None:
            self._unmasked = None
            self._fill()
        else:
            self.show_personal_data()

    def show_personal_data(self) -> None:
        """Ask the service for the full ID number and phone (audited there)."""
        if self._detail is None or self._verified is None:
            return
        customer_id = self._detail.customer_id
        customers, actor = self._ctx.customers, self._ctx.actor
        self.unmask_button.setEnabled(False)
        self._ctx.tasks.run(
            lambda: customers.unmask(actor, customer_id),
            on_done=lambda value: self._unmasked_arrived(customer_id, value),
            on_error=self._unmask_failed,
        )

    def _unmasked_arrived(self, customer_id: int, value: UnmaskedIdentity) -> None:
        if self.customer_id == customer_id and self._verified is not None:
            self._unmasked = value
        self._fill()

    def _unmask_failed(self, exc: BaseException) -> None:
        self._fill()
        show_error(self, exc)

    # -- texts ----------------------------------------------------------------------------

    def _fill(self) -> None:
        detail = self._detail
        if detail is None:
            return
        self.name_label.setText(detail.name)
        self.kind_badge.setText(customer_kind_text(detail.kind))
        self.profile.set_detail(detail, self._unmasked)
        self.balance.set_detail(detail, self.business_date())
        verified = self._verified
        if verified is None:
            self.identity_status.setText(_("Identity not verified"))
            set_text_colour(self.identity_status, Palette.MUTED)
        else:
            method, at = verified
            text = _("Identity verified ({method}) at {time}").format(
                method=verification_method_text(method),
                time=format_datetime(at, self._ctx.hall.timezone),
            )
            if self._unmasked is not None:
                text = _("{status} · personal data shown").format(status=text)
            self.identity_status.setText(text)
            set_text_colour(self.identity_status, Palette.OK)
        self.unmask_button.setEnabled(verified is not None)
        self.unmask_button.setText(
            _("Hide personal data") if self._unmasked else _("Show personal data")
        )
        self.unmask_button.setToolTip(
            "" if verified else _("Verify the customer's identity first.")
        )

    def _retitle_sections(self) -> None:
        for index, title in enumerate(self._section_titles):
            self.sections.setTabText(index, title() if callable(title) else _(title))

    def _accounts_title(self) -> str:
        if self._detail is None:
            return _("Accounts")
        count = len(self._detail.accounts)
        return ngettext("Account ({count})", "Accounts ({count})", count).format(count=count)

    def retranslate_ui(self) -> None:
        self.placeholder.setText(
            _("Search for a customer above and press Enter to open them here.")
        )
        self.verify_button.setText(keyed_text(_("Verify identity"), VERIFY_KEY))
        self._retitle_sections()
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
