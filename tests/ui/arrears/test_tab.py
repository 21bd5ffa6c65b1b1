"""The arrears tab on the 300-customer demo store: the lazy worklist, its filters and SQL
sorting, the ladder's actions with their refusals, the restore countdown, the SMS queue,
the policy editor, and every new table model under Qt's model tester."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QTabWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app import i18n
from app.domain.arrears_policy import StepKind
from app.services.arrears import WorklistFilter, WorklistRow, WorklistSort
from app.store.models import PaymentMethod
from app.store.models.arrears import CallResult
from tests.conftest import open_test_shift
from tests.ui.contexts import make_ctx
from tests.ui.worklist import loaded_rows, settle
from ui.arrears.models import (
    HistoryTableModel,
    PlanLinesTableModel,
    QuoteBillsTableModel,
    ReminderPlansTableModel,
    RestoreTableModel,
    SmsQueueTableModel,
    countdown_text,
)
from ui.arrears.payment_dialog import PaymentDialog
from ui.arrears.policy_dialog import PolicyDialog
from ui.arrears.tab import ArrearsTab
from ui.arrears.worklist_model import COL_DUE, COL_OWED, ArrearsWorklistTableModel
from ui.context import AppContext
from ui.lookup.tab import LookupTab
from ui.printing import ReceiptPrinting, pdf_file_printer
from ui.service_dialogs import qdate
from ui.widgets import Palette

LEADER, PASSWORD = "L001", "demo"


class Clock:
    """A settable clock: 10:00 in Shanghai on the demo's business day, movable by days."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(demo_db_copy: Path, clock: Clock, tmp_path: Path) -> Iterator[AppContext]:
    context = make_ctx(demo_db_copy, "A001", clock, tmp_path / "archive")
    open_test_shift(context.store, clock)
    yield context
    context.tasks.wait()
    context.store.close()


@pytest.fixture
def db(demo_db_copy: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(demo_db_copy)
    yield con
    con.close()


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> ArrearsTab:
    widget = ArrearsTab(ctx)
    widget.printing = ReceiptPrinting(ctx, pdf_file_printer(tmp_path / "printed"))
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    loaded_rows(widget.model)  # the worklist queries on the worker: wait for its rows
    return widget


def rows(tab: ArrearsTab) -> list[WorklistRow]:
    return loaded_rows(tab.model)


def row_of(tab: ArrearsTab, predicate: object) -> int:
    for n, row in enumerate(rows(tab)):
        if predicate(row):  # type: ignore[operator]
            return n
    pytest.fail("no such account in the worklist: the test must set one up")


def new_large_debt(tab: ArrearsTab, db: sqlite3.Connection) -> int:
    """An account that owed nothing and has no step taken gets a ¥500 bill (of a period
    it was never billed for) that fell due 20 days ago: large arrears, no reminder yet (the
    demo replays the ladder, so none of its large debts is left unreminded). The worklist
    is reloaded. Its account id."""
    (account,) = db.execute(
        "SELECT l.account_id FROM account_ledger l WHERE l.oldest_unpaid_due IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM arrears_action x WHERE x.account_id = l.account_id) "
        "ORDER BY l.account_id LIMIT 1"
    ).fetchone()
    db.execute(
        "INSERT INTO bill (id, account_id, period, amount_fen, issue_date, due_date) "
        "SELECT max(id) + 1, ?, '1999-01', 50000, '2026-10-05', '2026-10-26' FROM bill",
        (account,),
    )
    db.commit()
    tab.reload()
    settle(tab.model)
    return int(account)


def choose(box: object, value: object) -> None:
    index = box.findData(value)  # type: ignore[attr-defined]
    assert index >= 0
    box.setCurrentIndex(index)  # type: ignore[attr-defined]


# -- the worklist -------------------------------------------------------------------------


def test_worklist_opens_with_the_accounts_in_arrears(tab: ArrearsTab) -> None:
    assert tab.worklist.objectName() == "arrearsWorklist"
    assert tab.worklist.model() is tab.model
    listed = rows(tab)
    assert listed and len(listed) == tab.model.total_count()
    assert all(r.owed_fen > 0 and r.days_overdue > 0 for r in listed)
    assert tab.filters.count_label.text() == f"{len(listed)} accounts in arrears"
    owed = [r.owed_fen for r in listed]
    assert owed == sorted(owed, reverse=True)  # most owed first
    assert "*" in listed[0].customer_name_masked  # personal data masked
    overdue = row_of(tab, lambda r: r.next_due is not None and r.next_due <= date(2026, 11, 15))
    colour = tab.model.index(overdue, COL_DUE).data(Qt.ItemDataRole.ForegroundRole)
    assert colour == Palette.DANGER


def test_sorting_by_amount_reorders_in_sql(
    qtbot: QtBot, tab: ArrearsTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[WorklistSort] = []
    original = tab._ctx.arrears.worklist_ids
    settle(tab.model)

    def spy(filter: WorklistFilter, sort: WorklistSort, limit: int | None = None) -> list[int]:
        asked.append(sort)
        return original(filter, sort, limit)

    monkeypatch.setattr(tab._ctx.arrears, "worklist_ids", spy)
    header = tab.worklist.horizontalHeader()
    descending = [r.owed_fen for r in rows(tab)]
    header.sectionClicked.emit(COL_OWED)  # the column already sorted: flips the order
    ascending = [r.owed_fen for r in rows(tab)]
    assert asked == [WorklistSort("owed", False)] * 2  # the first page, then every id
    assert ascending == sorted(descending) and ascending != descending
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    header.sectionClicked.emit(1)  # services: not sortable, nothing asked
    assert len(asked) == 2 and header.sortIndicatorSection() == COL_OWED
    tab.sort_by("days", True)
    days = [r.days_overdue for r in rows(tab)]
    assert days == sorted(days, reverse=True)


def test_tier_filter_narrows(tab: ArrearsTab) -> None:
    settle(tab.model)
    everyone = tab.model.total_count()
    assert tab.filters.tier_filter.objectName() == "arrearsTierFilter"
    choose(tab.filters.tier_filter, "small")
    small = rows(tab)
    assert small and len(small) < everyone
    assert {r.tier for r in small} == {"small"}
    assert tab.filters.count_label.text().startswith(str(len(small)))
    choose(tab.filters.tier_filter, None)
    settle(tab.model)
    assert tab.model.total_count() == everyone


def test_overdue_range_and_stage_filters(qtbot: QtBot, tab: ArrearsTab) -> None:
    tab.filters.min_days.setValue(100)
    tab.apply_filters()  # the spin boxes wait for typing to pause
    assert rows(tab) and all(r.days_overdue >= 100 for r in rows(tab))
    tab.filters.max_days.setValue(200)
    tab.apply_filters()
    assert all(100 <= r.days_overdue <= 200 for r in rows(tab))
    tab.filters.min_days.setValue(0)
    tab.filters.max_days.setValue(0)
    choose(tab.filters.stage_filter, StepKind.SUSPEND.value)
    assert all(r.stage == "suspend" for r in rows(tab))
    choose(tab.filters.stage_filter, "none")
    assert rows(tab) and all(r.stage == "none" for r in rows(tab))
    choose(tab.filters.stage_filter, None)
    grid = rows(tab)[0].grid_unit
    tab.filters.grid_filter.setCurrentIndex(tab.filters.grid_filter.findText(grid))
    assert tab.filters.grid_filter.currentData() is not None
    assert rows(tab) and {r.grid_unit for r in rows(tab)} == {grid}


def test_worklist_model_fetches_pages_and_passes_the_model_tester(
    qtmodeltester: ModelTester, ctx: AppContext
) -> None:
    asked: list[int] = []

    class Source:
        def worklist_ids(
            self, filter: WorklistFilter, sort: WorklistSort, limit: int | None = None
        ) -> list[int]:
            return ctx.arrears.worklist_ids(filter, sort, limit)

        def worklist_rows(self, account_ids: list[int]) -> list[WorklistRow]:
            asked.append(len(account_ids))
            found = ctx.arrears.worklist_rows(account_ids)
            return [r for r in found if r.account_id % 5 != 1]  # some left meanwhile

    today = lambda: date(2026, 11, 15)  # noqa: E731
    model = ArrearsWorklistTableModel(Source(), ctx.tasks, today, page_size=4)
    model.set_query()
    settle(model)
    assert model.rowCount() == model.total_count() > 4
    qtmodeltester.check(model, force_py=True)

    loaded = ArrearsWorklistTableModel(Source(), ctx.tasks, today, page_size=4)
    loaded.set_query()
    listed = loaded_rows(loaded)
    assert max(asked) <= 4
    assert len(listed) == loaded.total_count() > 4
    # a row that left the worklist meanwhile shows empty until the next query
    assert all(r is None or r.account_id % 5 != 1 for r in listed)
    assert all(r is None for n, r in enumerate(listed) if loaded.key_at(n) % 5 == 1)
    empty = ArrearsWorklistTableModel(Source(), ctx.tasks, today)
    qtmodeltester.check(empty, force_py=True)


def test_language_switch_retranslates_the_worklist(qtbot: QtBot, tab: ArrearsTab) -> None:
    with qtbot.waitSignal(tab.model.headerDataChanged):
        i18n.set_language("zh_CN")
        QCoreApplication.sendEvent(tab, QEvent(QEvent.Type.LanguageChange))
    chinese = tab.pay_button.text()
    i18n.set_language("en")
    QCoreApplication.sendEvent(tab, QEvent(QEvent.Type.LanguageChange))
    assert tab.pay_button.text() == "Collect payment (F2)"
    assert tab.model.headerData(COL_OWED, Qt.Orientation.Horizontal) == "Owed"
    if (Path(i18n.__file__).parents[1] / "i18n" / "zh_CN").exists():
        assert chinese  # translated when the catalog has it


# -- actions ------------------------------------------------------------------------------


def test_buttons_follow_the_selection(tab: ArrearsTab) -> None:
    assert not tab.pay_button.isEnabled() and not tab.remind_button.isEnabled()
    rows(tab)
    tab.select_rows([0])
    assert tab.pay_button.isEnabled() and tab.restrict_button.isEnabled()
    tab.select_rows([0, 1])
    assert tab.remind_button.isEnabled() and not tab.pay_button.isEnabled()


def test_restrict_before_any_reminder_is_refused_with_the_reason(
    qtbot: QtBot, tab: ArrearsTab, db: sqlite3.Connection
) -> None:
    account = new_large_debt(tab, db)
    row = row_of(tab, lambda r: r.account_id == account)
    assert tab.model.row_at(row).tier == "large" and tab.model.row_at(row).stage == "none"
    steps = db.execute("SELECT count(*) FROM arrears_action").fetchone()[0]
    tab.select_rows([row])
    assert tab.restrict() is None  # no leader is asked for a refused step
    box = tab.last_refusal
    assert box is not None and box.objectName() == "arrearsRefusal"
    assert "Send a reminder before restricting" in box.text()
    assert "Send a reminder before restricting" in tab.message.text()
    assert tab.message.styleSheet().endswith(f"{Palette.DANGER.name()};")
    box.close()
    assert db.execute("SELECT count(*) FROM arrears_action").fetchone()[0] == steps


def test_reminder_then_suspend_before_the_30_day_floor_is_refused(
    qtbot: QtBot, tab: ArrearsTab, clock: Clock, db: sqlite3.Connection
) -> None:
    row = row_of(tab, lambda r: r.tier == "large" and r.days_overdue < 29)
    account = tab.model.row_at(row).account_id
    tab.select_rows([row])
    dialog = tab.send_reminders()
    assert dialog is not None and dialog.objectName() == "reminderDialog"
    plan = dialog.model.row_at(0)
    assert plan.refusal is None and "*" in plan.phone_masked and plan.text
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.ok_button.click()
    assert "1 reminder queued" in tab.message.text()
    assert tab.side.sms_counts.text().startswith("1 waiting for export")

    clock.advance(days=1)
    tab.reload()
    settle(tab.model)
    tab.select_accounts([account])
    assert tab.suspend() is None
    assert tab.last_refusal is not None
    text = tab.last_refusal.text()
    assert "Suspension is allowed only from" in text and "art. 34" in text
    tab.last_refusal.close()

    leader = tab.restrict()  # notice was given yesterday: a leader may restrict now
    assert leader is not None and leader.objectName() == "leaderDialog"
    leader.staff_no.setText(LEADER)
    leader.password.setText("wrong")
    leader.submit()
    qtbot.waitUntil(lambda: leader.error.isVisibleTo(leader), timeout=10000)
    assert "wrong password" in leader.error.text()
    leader.password.setText(PASSWORD)
    with qtbot.waitSignal(leader.accepted, timeout=10000):
        leader.submit()
    assert "restricted" in tab.message.text()
    (stage,) = {r.stage for r in rows(tab) if r.account_id == account}
    assert stage == "restrict"
    approvals = db.execute(
        "SELECT DISTINCT s.staff_no FROM arrears_action a JOIN staff s ON s.id = a.approved_by "
        "WHERE a.kind = 'restrict'"
    ).fetchall()
    assert approvals == [(LEADER,)]  # one row per line of the account, all approved


def test_reminder_batch_and_sms_export(
    qtbot: QtBot, tab: ArrearsTab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab.select_rows([0, 1, 2])
    dialog = tab.send_reminders()
    assert dialog is not None and dialog.model.rowCount() == 3
    assert "3 of 3 selected accounts" in dialog.intro.text()
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.ok_button.click()
    assert tab.side.sms_model.rowCount() == 3
    assert tab.side.export_button.isEnabled()

    folder = tmp_path / "sms"
    folder.mkdir()
    tab.choose_folder = lambda parent, title: str(folder)
    tab.side.export_button.click()
    qtbot.waitUntil(lambda: "Exported to" in tab.side.export_path.text(), timeout=10000)
    (exported,) = folder.glob("*.csv")
    assert str(exported) in tab.side.export_path.text()
    with exported.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 4  # header and three messages
    assert tab.side.sms_counts.text() == "0 waiting for export · 3 exported"
    assert not tab.side.export_button.isEnabled()

    tab.choose_folder = lambda parent, title: None  # cancelled: nothing happens
    tab.export_sms()
    assert tab.side.sms_counts.text() == "0 waiting for export · 3 exported"


def test_log_a_call_with_a_promise(qtbot: QtBot, tab: ArrearsTab, db: sqlite3.Connection) -> None:
    tab.select_rows([0])
    dialog = tab.log_call()
    assert dialog is not None and dialog.objectName() == "callDialog"
    dialog.promised.setMinimumDate(qdate(date(2026, 11, 1)))  # as if typed past the limit
    dialog.promised.setDate(qdate(date(2026, 11, 10)))
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10000)
    assert "from today on" in dialog.error.text()  # the service's rule, in the dialog
    dialog.promised.setDate(qdate(date(2026, 11, 20)))
    dialog.note.setPlainText("will pay on payday")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.ok_button.click()
    assert db.execute(
        "SELECT result, promised_on, note FROM arrears_action ORDER BY rowid DESC"
    ).fetchone() == (
        CallResult.PROMISED.value,
        "2026-11-20",
        "will pay on payday",
    )
    assert tab.message.text() == "Phone call recorded."


def test_dispute_freeze_needs_a_leader(
    qtbot: QtBot, tab: ArrearsTab, db: sqlite3.Connection
) -> None:
    tab.select_rows([0])
    dialog = tab.freeze()
    assert dialog is not None and dialog.objectName() == "freezeDialog"
    dialog.amount.setText("12.345")
    dialog.reason.setText("customer disputes the roaming charges")
    dialog.staff_no.setText(LEADER)
    dialog.password.setText(PASSWORD)
    dialog.submit()
    assert "two decimal places" in dialog.error.text()
    dialog.amount.setText("100")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.submit()
    assert db.execute(
        "SELECT amount_fen, reason FROM dispute_freeze ORDER BY rowid DESC"
    ).fetchone() == (
        10000,
        "customer disputes the roaming charges",
    )


def test_notice_prints_and_is_recorded(
    qtbot: QtBot, tab: ArrearsTab, tmp_path: Path, db: sqlite3.Connection
) -> None:
    rows(tab)
    tab.select_rows([0])
    account = tab.model.row_at(0).account_no
    tab.print_notice()
    qtbot.waitUntil(lambda: "notice printed" in tab.message.text(), timeout=20000)
    assert list((tmp_path / "printed").glob(f"*{account}*.pdf"))
    assert db.execute(
        "SELECT count(*) FROM arrears_action WHERE kind = 'notice_printed'"
    ).fetchone() == (1,)


def test_open_customer_switches_to_the_lookup_tab(qtbot: QtBot, ctx: AppContext) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    lookup, arrears = LookupTab(ctx), ArrearsTab(ctx)
    tabs.addTab(lookup, "lookup")
    tabs.addTab(arrears, "arrears")
    tabs.resize(1400, 900)
    tabs.show()
    tabs.setCurrentWidget(arrears)
    loaded_rows(arrears.model)
    arrears.select_rows([0])
    assert arrears.open_customer()
    assert tabs.currentWidget() is lookup
    assert lookup.panel.customer_id == arrears.model.row_at(0).customer_id


def test_restore_request_counts_down_and_is_marked_done(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    tab: ArrearsTab,
    ctx: AppContext,
    clock: Clock,
    db: sqlite3.Connection,
) -> None:
    # An account with a line cut before HallDesk: paying it in full asks for a restore.
    # The demo store may have none: one is made (the cut recorded on the line only, as a
    # store taken over from the operator's system has it).
    found = db.execute(
        "SELECT s.account_id FROM service s JOIN account_ledger l ON l.account_id = s.account_id "
        "WHERE s.status IN ('restricted', 'suspended') AND l.owed_fen > 0 LIMIT 1"
    ).fetchone()
    if found is None:
        found = db.execute(
            "SELECT s.account_id FROM service s JOIN account_ledger l "
            "ON l.account_id = s.account_id WHERE s.kind = 'mobile' AND s.status = 'normal' "
            "AND l.owed_fen > 0 ORDER BY s.account_id LIMIT 1"
        ).fetchone()
        db.execute("UPDATE service SET status = 'suspended' WHERE account_id = ?", found)
        db.commit()
    dialog = PaymentDialog(ctx, found[0], printing=tab.printing)
    qtbot.addWidget(dialog)
    dialog.entry_page.set_method(PaymentMethod.CASH)
    assert dialog.next(), dialog.entry_page.error.text()
    assert dialog.plan is not None and dialog.plan.restores
    with qtbot.waitSignal(dialog.paymentRecorded, timeout=10000):
        dialog.record()
    with qtbot.waitSignal(dialog.receiptFinished, timeout=20000):
        pass
    tab.reload()
    assert tab.side.restore_model.rowCount() >= 1
    qtmodeltester.check(tab.side.restore_model, force_py=True)
    countdown = tab.side.restore_model.index(0, RestoreTableModel.COUNTDOWN_COLUMN)
    assert countdown.data().endswith("left") and countdown.data().startswith("24:00")
    clock.advance(hours=25)
    tab._tick()
    assert countdown.data().startswith("overdue 1:00:00")
    assert countdown.data(Qt.ItemDataRole.ForegroundRole) == Palette.DANGER
    assert (
        "past their deadline" in tab.side.restore_hint.text()
        or "past its" in tab.side.restore_hint.text()
    )

    tab.side.restore_list.selectRow(0)
    confirm = tab.mark_restored()
    assert confirm is not None and confirm.objectName() == "restoreDialog"
    with qtbot.waitSignal(confirm.accepted, timeout=10000):
        confirm.ok_button.click()
    assert "marked as restored" in tab.message.text()
    assert db.execute("SELECT count(*) FROM restore_request WHERE done_at IS NULL").fetchone() == (
        tab.side.restore_model.rowCount(),
    )


def test_countdown_text() -> None:
    deadline = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
    assert countdown_text(deadline, deadline - timedelta(hours=3, seconds=5)) == "3:00:05 left"
    assert countdown_text(deadline, deadline + timedelta(minutes=2)) == "overdue 0:02:00"


# -- policy -------------------------------------------------------------------------------


@pytest.fixture
def admin_ctx(demo_db_copy: Path, clock: Clock, tmp_path: Path) -> Iterator[AppContext]:
    context = make_ctx(demo_db_copy, "ADMIN", clock, tmp_path / "archive")
    yield context
    context.tasks.wait()
    context.store.close()


def test_policy_editor_explains_the_law_and_saves_a_version(
    qtbot: QtBot, admin_ctx: AppContext
) -> None:
    dialog = PolicyDialog(admin_ctx)
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "policyDialog"
    editors = dialog.tier_editors()
    large = next(e for e in editors if e.code.text() == "large")
    large.offsets[StepKind.SUSPEND].setValue(25)
    dialog.save()
    assert "at least 30 days after the due date" in dialog.error.text()
    large.offsets[StepKind.SUSPEND].setValue(30)
    dialog.penalty.setValue(5)
    dialog.save()
    assert "between 0 and 3‰" in dialog.error.text()
    dialog.penalty.setValue(2)
    large.threshold.setText("three hundred")
    dialog.save()
    assert "threshold in yuan" in dialog.error.text()
    large.threshold.setText("300")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.save()
    assert dialog.saved_version == 2
    version, policy = admin_ctx.arrears.current_policy()
    assert version == 2 and policy.penalty_per_mille_per_day == 2
    assert next(t for t in policy.tiers if t.code == "large").min_fen == 30000


def test_policy_editor_refuses_an_early_restriction_of_small_arrears(
    qtbot: QtBot, admin_ctx: AppContext
) -> None:
    """Issue 12 item 9 (seed 第十一条: "对于少额欠费的用户,可以通过电话、短信等方式进行催缴;
    对于大额欠费的用户,应当采取更加严格的措施,包括但不限于限制通信服务"): restriction before
    day 30 belongs to the large-arrears tier only."""
    dialog = PolicyDialog(admin_ctx)
    qtbot.addWidget(dialog)
    assert dialog.large.text() == "200"
    small = next(e for e in dialog.tier_editors() if e.code.text() == "small")
    small.enabled[StepKind.RESTRICT].setChecked(True)
    small.offsets[StepKind.RESTRICT].setValue(20)
    dialog.save()
    assert "Tier small restricts service on day 20, before the 30-day floor" in (
        dialog.error.text()
    )
    dialog.large.setText("٢٠٠")
    dialog.save()
    assert "another script" in dialog.error.text()
    dialog.large.setText("200")
    small.offsets[StepKind.RESTRICT].setValue(30)
    small.enabled[StepKind.SUSPEND].setChecked(True)
    small.offsets[StepKind.SUSPEND].setValue(31)
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        dialog.save()
    _version, policy = admin_ctx.arrears.current_policy()
    assert next(t for t in policy.tiers if t.code == "small").step(StepKind.RESTRICT) is not None


def test_a_clerk_cannot_save_the_policy(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = PolicyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10000)
    assert "administrator" in dialog.error.text()


# -- the other table models ---------------------------------------------------------------


def test_every_new_table_model_passes_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    ctx: AppContext,
    db: sqlite3.Connection,
    clock: Clock,
) -> None:
    ids = ctx.arrears.worklist_ids(WorklistFilter(), WorklistSort())
    quote = ctx.payments.quote(ids[0])
    bills = QuoteBillsTableModel(lambda: date(2026, 11, 15))
    bills.set_rows(quote.unpaid_bills)

    from app.services.payments import PaymentRequest

    plan = ctx.payments.prepare(
        ctx.actor, PaymentRequest(ids[0], quote.total_due_fen, PaymentMethod.CASH)
    )
    lines = PlanLinesTableModel()
    dialog = PaymentDialog(ctx, ids[0])
    qtbot.addWidget(dialog)
    dialog.confirm_page.fill_plan(plan, None, dialog.quote.services)
    lines.set_rows(dialog.confirm_page.plan_model.rows)
    plans = ReminderPlansTableModel({ids[0]: "x"})
    plans.set_rows(ctx.arrears.reminder_preview(ctx.actor, ids[:3]))
    sms = SmsQueueTableModel("Asia/Shanghai")
    ctx.arrears.send_reminders(ctx.actor, ids[:2])
    sms.set_rows(ctx.arrears.sms_queue(pending_only=False))
    (customer,) = db.execute("SELECT customer_id FROM account WHERE id = ?", (ids[0],)).fetchone()
    history = HistoryTableModel("Asia/Shanghai")
    history.set_rows(ctx.arrears.history(customer))
    restores = RestoreTableModel(clock, "Asia/Shanghai")
    fake = ctx.arrears.pending_restores()
    restores.set_rows(fake)
    for model in (bills, lines, plans, sms, history, restores):
        assert model.rowCount() or model is restores
        qtmodeltester.check(model, force_py=True)
        model.set_rows(())
        qtmodeltester.check(model, force_py=True)


def test_the_worklist_headings_stand_over_their_values(tab: ArrearsTab) -> None:
    """The amounts and days are right-aligned, and so are their headings (the 1366×768
    screenshots showed 欠费金额 at the left of its column, its figures at the right)."""
    from ui.arrears.worklist_model import COLUMNS

    align = Qt.ItemDataRole.TextAlignmentRole
    headings = [
        tab.model.headerData(n, Qt.Orientation.Horizontal, align) for n in range(len(COLUMNS))
    ]
    assert headings == [int(c.align) for c in COLUMNS]
    assert headings[COL_OWED] == int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
