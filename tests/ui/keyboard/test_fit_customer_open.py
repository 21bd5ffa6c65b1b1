"""The window still fits 1366×768 with a customer open and a fault notice's banner shown.

Found by the real-screen check (docs/make_screenshots_xvfb.py, under Xvfb and openbox at
1366×768 with a 40 px panel): opening a customer made the maximised main window 791 px
high, 88 px below the panel's top, as the customer panel's minimum height (header,
profile, services, bills) added up with the fault banner's two lines. The issue asks for
"every tab and dialog usable at 1366×768 with a 40 px panel (…) nothing ever below the
edge".
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from PySide6.QtWidgets import QApplication, QScrollArea

from app.services.complaints.faults import FaultNoticeRequest, FaultNoticeService
from tests.ui.keyboard.keys import Keys
from tests.ui.keyboard.test_budgets import owing_single_account_service
from tests.ui.keyboard.test_fit import FIT_HEIGHT, FIT_WIDTH
from ui.complaints.fault_banner import notices_changed
from ui.language import apply_language
from ui.lookup.tab import LookupTab
from ui.main_window import MainWindow


def _show_fault_banner(window: MainWindow) -> None:
    ctx = window.ctx
    now = ctx.clock()
    ctx.service(FaultNoticeService).create(
        ctx.actor,
        ctx.auth.leader_credential("L001", "demo"),
        FaultNoticeRequest(
            level=2,
            services="移动数据（4G/5G）",
            areas="浦东新区陆家嘴片区",
            started_at=now - timedelta(minutes=40),
            expected_recovery_at=now + timedelta(hours=8),
            wording="陆家嘴片区基站设备故障，手机上网缓慢或无法上网，通话不受影响，"
            "预计今晚 21 时前恢复。给您带来不便，敬请谅解。" * 2,
        ),
    )
    notices_changed()


def test_a_customer_open_under_a_fault_banner_fits_1366x728(
    window: MainWindow, keys: Keys, db: sqlite3.Connection
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    _show_fault_banner(window)
    keys.wait_for(lambda: window.fault_banner.isVisible())
    keys.wait_focus("lookupSearch")
    keys.type(owing_single_account_service(window, db))
    keys.enter()
    lookup = window.tab(LookupTab)
    assert lookup is not None and lookup.panel.customer_id is not None
    for language in ("zh_CN", "en"):
        apply_language(app, language)
        keys.settle()
        hint = window.minimumSizeHint().expandedTo(window.minimumSize())
        assert hint.width() <= FIT_WIDTH and hint.height() <= FIT_HEIGHT, (language, hint)
    # The panel's lower part scrolls instead: the services and bills are still there.
    area = lookup.panel.findChild(QScrollArea, "customerContentScroll")
    assert area is not None and area.isVisible()
    assert lookup.panel.accounts.bills_table.isVisibleTo(area)
