"""Every table model of the lookup tab passes Qt's model tester, with rows and empty."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app import i18n
from app.domain.ledger import BillLine, BillState, SettledBill
from app.i18n import N_, format_money
from app.services.customers import (
    CustomerDetail,
    CustomerRow,
    CustomerService,
    MatchKind,
    PaymentView,
    SearchHit,
    ServiceView,
)
from app.store.database import Store, open_store, sqlite_url
from app.store.models import CustomerKind
from ui.lookup.account_models import (
    BillsTableModel,
    PaymentsTableModel,
    ServicesTableModel,
)
from ui.lookup.results_model import CustomerResultsTableModel
from ui.widgets import Column, Palette, RowRole, RowTableModel

TODAY = date(2026, 11, 15)

DISPLAY = Qt.ItemDataRole.DisplayRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole


@pytest.fixture
def store(demo_db: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(demo_db), migrate=False)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def busy_detail(store: Store, demo_db: Path) -> CustomerDetail:
    """A customer with several services, bills and payments."""
    con = sqlite3.connect(f"file:{demo_db}?mode=ro", uri=True)
    try:
        (customer_id,) = con.execute(
            "SELECT a.customer_id FROM account a JOIN service s ON s.account_id = a.id "
            "GROUP BY a.id HAVING count(*) >= 2 AND "
            "(SELECT count(*) FROM payment p WHERE p.account_id = a.id) >= 3 LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    return CustomerService(store).detail(customer_id)


def _fake_rows(ids: list[int]) -> list[CustomerRow]:
    return [
        CustomerRow(i, f"客户{i}", CustomerKind.PERSON, "3101**********123X", "138****0000", "网格")
        for i in ids
        if i % 7 != 3  # as if removed by a sync between the search and the fetch
    ]


# -- results --------------------------------------------------------------------------------


def test_results_model_fetches_in_batches(qtmodeltester: ModelTester) -> None:
    model = CustomerResultsTableModel(_fake_rows)
    hits = [SearchHit(i, MatchKind.PINYIN, f"kehu{i}") for i in range(1, 131)]
    model.set_hits(hits)
    first = model.rowCount()
    assert 0 < first <= CustomerResultsTableModel.BATCH
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() > first
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == len([h for h in hits if h.customer_id % 7 != 3])
    assert model.hit_count() == 130
    qtmodeltester.check(model)


def test_results_model_with_store_rows(qtmodeltester: ModelTester, store: Store) -> None:
    service = CustomerService(store)
    model = CustomerResultsTableModel(service.rows)
    con = sqlite3.connect(f"file:{store.engine.url.database}?mode=ro", uri=True)
    (id_number,) = con.execute(
        "SELECT id_number FROM customer WHERE id_type = 'resident_id' LIMIT 1"
    ).fetchone()
    con.close()
    model.set_hits(service.search(id_number))
    assert model.rowCount() == 1
    customer_id = model.data(model.index(0, 0), CustomerResultsTableModel.CustomerIdRole)
    assert isinstance(model.data(model.index(0, 0), CustomerResultsTableModel.RowRole), CustomerRow)
    assert model.data(model.index(0, 0), CustomerResultsTableModel.MatchKindRole) == "id_number"
    assert customer_id == model.customer_id(0)
    assert id_number not in model.data(model.index(0, 5))  # the match is masked
    qtmodeltester.check(model)


def test_results_model_empty(qtmodeltester: ModelTester) -> None:
    model = CustomerResultsTableModel(_fake_rows)
    model.set_hits([])
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_results_headers_follow_the_language(qtbot: QtBot) -> None:
    model = CustomerResultsTableModel(_fake_rows)
    with qtbot.waitSignal(model.headerDataChanged):
        model.retranslate()
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(0, Qt.Orientation.Vertical) is None


# -- the customer panel's models ------------------------------------------------------------


def test_panel_models_with_rows(qtmodeltester: ModelTester, busy_detail: CustomerDetail) -> None:
    account = busy_detail.accounts[0]
    services = ServicesTableModel()
    services.set_rows(account.services)
    bills = BillsTableModel(lambda: TODAY)
    bills.set_rows(account.recent_bills(12))
    payments = PaymentsTableModel("Asia/Shanghai")
    payments.set_rows(account.payments)
    for model in (services, bills, payments):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    latest = account.recent_bills(12)[0]
    assert bills.data(bills.index(0, 0), DISPLAY) == latest.bill.period
    assert bills.data(bills.index(0, 1), DISPLAY) == format_money(latest.bill.amount_fen)
    assert bills.data(bills.index(0, 0), RowRole) is latest


@pytest.mark.parametrize(
    "model",
    [
        lambda: ServicesTableModel(),
        lambda: BillsTableModel(lambda: TODAY),
        lambda: PaymentsTableModel("Asia/Shanghai"),
    ],
)
def test_panel_models_empty(qtmodeltester: ModelTester, model: object) -> None:
    built = model()  # type: ignore[operator]
    built.set_rows(())
    qtmodeltester.check(built)


def test_bill_state_and_overdue_colours(qtmodeltester: ModelTester) -> None:
    line = BillLine("2026-09", 12_000, date(2026, 10, 1), date(2026, 10, 20))
    later = BillLine("2026-10", 99_000, date(2026, 11, 1), date(2026, 11, 20))
    rows = [
        SettledBill(later, 0, BillState.UNPAID, True),
        SettledBill(line, 5_000, BillState.PARTIAL, False),
        SettledBill(line, 12_000, BillState.PAID, False),
    ]
    model = BillsTableModel(lambda: TODAY)
    model.set_rows(rows)
    qtmodeltester.check(model)
    state = [model.data(model.index(r, 4), DISPLAY) for r in range(3)]
    assert state == ["Unpaid", "Partly paid, overdue", "Paid"]
    assert model.data(model.index(0, 4), FOREGROUND) == Palette.WARNING
    assert model.data(model.index(1, 4), FOREGROUND) == Palette.DANGER
    assert model.data(model.index(2, 4), FOREGROUND) == Palette.OK
    assert model.data(model.index(0, 1), FOREGROUND) == Palette.DANGER  # the huge charge
    assert model.data(model.index(1, 5), DISPLAY) == format_money(7_000)


def test_service_status_and_payment_texts(qtmodeltester: ModelTester) -> None:
    services = ServicesTableModel()
    services.set_rows(
        [
            ServiceView(1, "mobile", "13312345678", "5G", "restricted"),
            ServiceView(2, "broadband", "0211234567", "200M", "suspended"),
        ]
    )
    qtmodeltester.check(services)
    assert services.data(services.index(0, 0), DISPLAY) == "Mobile"
    assert services.data(services.index(0, 3), DISPLAY).startswith("Restricted")
    assert services.data(services.index(1, 3), FOREGROUND) == Palette.DANGER
    payments = PaymentsTableModel("Asia/Shanghai")
    payments.set_rows(
        [PaymentView(datetime(2026, 11, 1, 2, 0, tzinfo=UTC), -500, "wechat", "R1", "PC01-1")]
    )
    qtmodeltester.check(payments)
    assert payments.data(payments.index(0, 2), DISPLAY) == "WeChat Pay"
    assert payments.data(payments.index(0, 1), FOREGROUND) == Palette.DANGER
    assert "10:00" in payments.data(payments.index(0, 0), DISPLAY)  # hall time, not UTC


@dataclass(frozen=True)
class _Row:
    label: str
    count: int


def test_generic_row_model(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    model: RowTableModel[_Row] = RowTableModel(
        [Column(N_("Name"), lambda r: r.label), Column(N_("Count"), lambda r: str(r.count))]
    )
    model.set_rows([_Row("a", 1), _Row("b", 2)])
    qtmodeltester.check(model)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Count"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignals([model.headerDataChanged, model.dataChanged]):
        model.retranslate()


def test_a_heading_stands_over_its_values() -> None:
    """An amount column is right-aligned, and so is its heading: the X report's 净额 stood
    at the left of its column while its figures stood at the right edge of the table
    (seen on the 1366×768 screenshots)."""
    from ui.widgets import ALIGN_LEFT, ALIGN_RIGHT

    model: RowTableModel[_Row] = RowTableModel(
        [
            Column(N_("Name"), lambda r: r.label),
            Column(N_("Count"), lambda r: str(r.count), ALIGN_RIGHT),
        ]
    )
    align = Qt.ItemDataRole.TextAlignmentRole
    assert model.headerData(0, Qt.Orientation.Horizontal, align) == ALIGN_LEFT
    assert model.headerData(1, Qt.Orientation.Horizontal, align) == ALIGN_RIGHT
    model.set_rows([_Row("a", 1)])
    assert model.data(model.index(0, 1), align) == model.headerData(
        1, Qt.Orientation.Horizontal, align
    )
