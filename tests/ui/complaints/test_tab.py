"""The Complaints tab end to end on the demo store: intake → classify → forward → plan →
handle → feed back → archive, validation messages, the acknowledgement printed through the
receipts' print step, the worklist's filters and marking, the fault banner and notices,
the customer panel's section, and the reports' exports."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import i18n
from app.documents import titles
from app.domain.complaint_clock import Level
from app.domain.complaint_flow import EventKind, Status
from app.services.complaints import ComplaintService
from app.services.complaints.faults import FaultNoticeService
from app.services.staff.auth import AuthService
from app.settings import MemoryBackend
from app.store.database import open_store, sqlite_url
from tests.ui.worklist import loaded_rows, settle
from ui.complaints.case_view import StepDialog
from ui.complaints.fault_banner import FaultBanner, install_fault_banner
from ui.complaints.tab import PAGE_INTAKE, ComplaintsTab
from ui.complaints.worklist_model import BACKGROUND_ROLE, ComplaintWorklistModel
from ui.context import AppContext

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


def make_ctx(path: Path, staff_no: str) -> AppContext:
    store = open_store(sqlite_url(path))
    return AppContext.create(
        store, AuthService(store).actor_for(staff_no), MemoryBackend(), clock=lambda: NOW
    )


@pytest.fixture
def ctx(demo_db_copy: Path) -> Iterator[AppContext]:
    context = make_ctx(demo_db_copy, "A001")
    yield context
    context.tasks.wait()
    context.store.close()


class Printer:
    def __init__(self) -> None:
        self.jobs: list[tuple[bytes, str]] = []

    def __call__(self, data: bytes, title: str, parent: object) -> bool:
        self.jobs.append((data, title))
        return True


@pytest.fixture
def printer() -> Printer:
    return Printer()


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext, printer: Printer) -> ComplaintsTab:
    widget = ComplaintsTab(ctx, print_function=printer)
    qtbot.addWidget(widget)
    widget.resize(1400, 850)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def step(tab: ComplaintsTab, kind: str, note: str = "", **choose: str) -> StepDialog:
    dialog = tab.case.run_step(kind)
    assert isinstance(dialog, StepDialog)
    dialog.note.setPlainText(note)
    for name, value in choose.items():
        box = getattr(dialog, name)
        index = box.findData(value)
        assert index >= 0, (name, value)
        box.setCurrentIndex(index)
    return dialog


def test_intake_to_archive(qtbot: QtBot, tab: ComplaintsTab, printer: Printer) -> None:
    form = tab.start_intake()
    assert tab.pages.currentIndex() == PAGE_INTAKE
    assert form.objectName() == "complaintForm"
    form.name.setText("王小明")
    form.phone.setText("13800138000")
    form.category.setCurrentIndex(form.category.findData("network"))
    form.subcategory.setCurrentIndex(form.subcategory.findData("network_no_signal"))
    form.description.setPlainText("家里客厅手机没有信号，已经一周了")
    form.request.setText("尽快修好")
    recorded = form.submit()
    assert recorded is not None
    assert recorded.number in form.result.text()

    form.print_ack()
    qtbot.waitUntil(lambda: len(printer.jobs) == 1)
    pdf, title = printer.jobs[0]
    assert title == titles.complaint_slip(recorded.number)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert recorded.number in text and "12300" in text and "投诉受理回执" in text
    tab.ctx.tasks.wait()
    with tab.ctx.store.read() as session:
        from sqlalchemy import select

        from app.store.models import AuditEvent

        logged = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == str(recorded.complaint_id))
        ).all()
    assert "complaint_received" in logged and "complaint_ack_printed" in logged

    assert tab.case.case is not None and tab.case.case.number == recorded.number
    assert not tab.case.buttons[EventKind.HANDLED].isEnabled()
    assert step(tab, EventKind.CLASSIFIED, subcategory="network_dropped_calls").confirm()
    refused = step(tab, EventKind.FORWARDED, "", department="technical")
    assert not refused.confirm()
    assert refused.error.text() == "This field is required."
    refused.reject()
    assert step(tab, EventKind.FORWARDED, "请查基站", department="technical").confirm()
    assert step(tab, EventKind.PLANNED, "派人上门测试").confirm()
    assert step(tab, EventKind.HANDLED, "更换天线").confirm()
    no_rating = step(tab, EventKind.FED_BACK, "已电话告知")
    assert not no_rating.confirm()
    assert "satisfaction" in no_rating.error.text()
    no_rating.reject()
    assert step(tab, EventKind.FED_BACK, "已电话告知", satisfaction="satisfied").confirm()
    assert step(tab, EventKind.ARCHIVED, "基站覆盖不足").confirm()
    case = tab.case.case
    assert case is not None and case.state.status is Status.ARCHIVED
    assert [e.kind for e in case.events][-1] == "archived"
    assert tab.case.events.rowCount() == 7
    assert tab.case.buttons[EventKind.REOPENED].isEnabled()
    assert not tab.case.buttons[EventKind.FORWARDED].isEnabled()
    assert "Archived" in tab.case.title.text()


@pytest.mark.parametrize(
    ("fill", "message", "focus"),
    [
        ({}, "Choose the category of the complaint.", "category"),
        ({"category": "billing"}, "This field is required.", "description"),
        ({"category": "billing", "description": "短"}, "at least 5", "description"),
        (
            {"category": "billing", "description": "多收了五十元话费"},
            "A walk-in complaint needs the customer's name.",
            "name",
        ),
        (
            {"category": "billing", "description": "多收了五十元话费", "name": "王明"},
            "Enter a phone number to contact the customer.",
            "phone",
        ),
        (
            {
                "category": "billing",
                "description": "多收了五十元话费",
                "name": "王明",
                "phone": "1380013",
            },
            "11 digits",
            "phone",
        ),
    ],
)
def test_validation_messages_keep_what_was_typed(
    qtbot: QtBot, tab: ComplaintsTab, fill: dict[str, str], message: str, focus: str
) -> None:
    form = tab.start_intake()
    if "category" in fill:
        form.category.setCurrentIndex(form.category.findData(fill["category"]))
    form.description.setPlainText(fill.get("description", ""))
    form.name.setText(fill.get("name", ""))
    form.phone.setText(fill.get("phone", ""))
    assert form.submit() is None
    assert message in form.error.text()
    assert form.description.toPlainText() == fill.get("description", "")
    assert form.phone.text() == fill.get("phone", "")
    qtbot.waitUntil(lambda: getattr(form, focus).hasFocus())


def test_worklist_is_lazy_sorted_and_filtered(tab: ComplaintsTab, ctx: AppContext) -> None:
    table = tab.findChild(type(tab.table), "complaintWorklist")
    assert table is tab.table
    model = tab.model
    assert isinstance(model, ComplaintWorklistModel)
    rows = loaded_rows(model)
    total = model.total_count()
    assert total > 0 and model.rowCount() == total == len(rows)
    open_rows = [
        r for r in rows if r.reading.level not in (Level.ANSWERED, Level.LATE) and not r.paused
    ]
    dues = [r.reading.deadline.due_at for r in open_rows]
    assert dues == sorted(dues)
    for r, row in enumerate(rows):
        colour = model.data(model.index(r, 0), BACKGROUND_ROLE)
        if row.reading.level is Level.AMBER:
            assert colour is not None
        if row.reading.level is Level.OK:
            assert colour is None
    tab.category_filter.setCurrentIndex(tab.category_filter.findData("billing"))
    assert all(r.category == "billing" for r in loaded_rows(model))
    tab.status_filter.setCurrentIndex(tab.status_filter.findData("archived"))
    assert all(r.status == "archived" for r in loaded_rows(model))
    tab.status_filter.setCurrentIndex(tab.status_filter.findData(None))
    tab.category_filter.setCurrentIndex(0)
    settle(model)
    assert model.total_count() == ctx.service(ComplaintService).worklist_count(tab.current_filter())


def test_worklist_model_passes_qtmodeltester(qtmodeltester: object, tab: ComplaintsTab) -> None:
    settle(tab.model)
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]


def test_fault_banner_shows_active_notices(
    qtbot: QtBot, ctx: AppContext, demo_db_copy: Path
) -> None:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    banner = install_fault_banner(window, ctx)
    window.show()
    assert isinstance(banner, FaultBanner) and banner.objectName() == "faultBanner"
    assert banner.isVisible()  # the demo has one active notice
    assert "光缆" in banner.text.text()
    leader = AuthService(ctx.store).actor_for("L001")
    for notice in ctx.service(FaultNoticeService).active():
        ctx.service(FaultNoticeService).close(ctx.actor, leader, notice.notice_id)
    banner.refresh()
    assert not banner.isVisible()
    # A window opened with no active notice shows no empty banner row.
    again = QMainWindow()
    qtbot.addWidget(again)
    quiet = install_fault_banner(again, ctx)
    again.show()
    bar = quiet.parentWidget()
    assert bar is not None and not bar.isVisible() and not quiet.isVisible()


def test_leader_issues_a_fault_notice(qtbot: QtBot, demo_db_copy: Path) -> None:
    leader_ctx = make_ctx(demo_db_copy, "L001")
    try:
        tab = ComplaintsTab(leader_ctx)
        qtbot.addWidget(tab)
        tab.show()
        faults = tab.faults
        assert faults.editor.isVisibleTo(tab.faults)
        assert faults.issue() is None
        assert faults.error.text() == "This field is required."
        faults.services.setText("移动数据")
        faults.areas.setText("陆家嘴")
        faults.wording.setPlainText("基站故障，正在抢修。")
        dialog = faults.issue()
        assert dialog is not None
        dialog.staff_no.setText("L001")
        dialog.password.setText("demo")
        dialog.submit()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
        services = {n.services for n in leader_ctx.service(FaultNoticeService).active()}
        assert "移动数据" in services
        assert any(r.services == "移动数据" for r in faults.model.rows)
        assert tab.day_count_button.isVisible()
        chooser = tab.edit_day_count()
        assert chooser is not None
        chooser.choice.setCurrentIndex(chooser.choice.findData("working"))
        assert chooser.confirm()
        assert "Working days" in tab.day_count_label.text()
    finally:
        leader_ctx.tasks.wait()
        leader_ctx.store.close()


def test_clerk_sees_no_editor(tab: ComplaintsTab) -> None:
    assert not tab.faults.editor.isVisibleTo(tab.faults)
    assert not tab.day_count_button.isVisibleTo(tab)


def test_reports_export(tab: ComplaintsTab, tmp_path: Path) -> None:
    reports = tab.reports
    reports.start.setDate(reports.start.date().addDays(-120))
    data = reports.run()
    assert data is not None and data.received > 0
    assert str(data.received) in reports.summary.text()
    reports.chooser = lambda _p, _t, name: str(tmp_path / name)
    pdf = reports.export("pdf")
    csv = reports.export("csv")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    assert csv is not None and "Complaints report" in csv.read_text(encoding="utf-8-sig")


def test_customer_panel_section_starts_intake(qtbot: QtBot, ctx: AppContext) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(ctx, idle_timeout_ms=0)
    qtbot.addWidget(window)
    from ui.lookup.tab import LookupTab

    lookup = window.tab(LookupTab)
    assert isinstance(lookup, LookupTab)
    panel = lookup.panel
    assert panel.show_customer(1)
    section = panel.findChild(object, "customerComplaints")
    assert section is not None
    complaints = window.tab(ComplaintsTab)
    assert isinstance(complaints, ComplaintsTab)
    section.new_complaint()
    assert window.tabs.currentWidget() is complaints
    assert complaints.pages.currentIndex() == PAGE_INTAKE
    assert complaints.form.customer_id == 1
    form = complaints.form
    form.category.setCurrentIndex(form.category.findData("billing"))
    form.description.setPlainText("本月话费比平时多出五十元")
    assert form.submit() is not None
    section.refresh()
    assert section.model.rowCount() >= 1
    banner = window.findChild(FaultBanner, "faultBanner")
    assert banner is not None
    window.close()


def test_pause_resume_and_call_back_from_the_case(tab: ComplaintsTab, ctx: AppContext) -> None:
    form = tab.start_intake()
    form.name.setText("李雷")
    form.phone.setText("021-12345678")
    form.category.setCurrentIndex(form.category.findData("billing"))
    form.description.setPlainText("上月宽带费重复扣了两次")
    recorded = form.submit()
    assert recorded is not None
    no_reason = step(tab, EventKind.PAUSED, "")
    assert not no_reason.confirm()
    no_reason.reject()
    assert step(tab, EventKind.PAUSED, "等客户提供银行流水").confirm()
    assert tab.case.case is not None and tab.case.case.state.is_paused
    assert "Paused" in tab.case.clock.text()
    assert tab.case.buttons[EventKind.RESUMED].isEnabled()
    assert not tab.case.buttons[EventKind.PAUSED].isEnabled()
    assert step(tab, EventKind.RESUMED, "").confirm()
    callback = step(tab, "callback", "下午三点前回电")
    assert callback.confirm()
    assert tab.case.callbacks.rowCount() == 1
    assert tab.case.callback_done.isEnabled()
    tab.case.complete_callback()
    case = tab.case.case
    assert case is not None and case.callbacks[0].done_at is not None
    assert not tab.case.callback_done.isEnabled()
    assert tab.case.reveal_phone() == "02112345678"


def test_case_and_worklist_show_the_statutory_date_beside_the_halls(
    tab: ComplaintsTab, ctx: AppContext
) -> None:
    """Issue 12 items 6 and 8: received 10:00 on 29 Oct, paused after 2 days, resumed 10
    days later; on 15 Nov (17 days, unanswered) the hall's deadline is 23 Nov, but the
    statutory date (15 days from receipt, "在接到⽤户投诉之⽇起15⽇内答复⽤户") was 13 Nov:
    the row is red and the case says the customer may appeal, in the same words as the
    slip ("end of …", never the next day's midnight)."""
    from app.services.complaints import ComplaintRequest

    at = [datetime(2026, 10, 29, 2, 0, tzinfo=UTC)]
    earlier = ComplaintService(ctx.store, lambda: at[0])
    request = ComplaintRequest(
        channel="counter",
        category="network",
        description="家里客厅手机没有信号，已经一周了",
        contact_phone="13800138000",
        contact_name="王小明",
    )
    cid = earlier.intake(ctx.actor, request).complaint_id
    at[0] += timedelta(days=2)
    earlier.pause(ctx.actor, cid, "等客户提供通话记录")
    at[0] += timedelta(days=10)
    earlier.resume(ctx.actor, cid)
    tab.apply_filters()
    tab.case.show_complaint(cid)
    text = tab.case.clock.text()
    assert "May appeal · 9 days left" in text
    assert "Answer due end of 11/23/26 (15 calendar days)" in text
    assert "Statutory date end of 11/13/26" in text
    assert "No answer within 15 days of receipt" in tab.case.risks.text()
    model = tab.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = headers.index("Statutory date")
    row = next(n for n, r in enumerate(loaded_rows(model)) if r.complaint_id == cid)
    assert model.data(model.index(row, column)) == "end of 11/13/26"
    assert model.data(model.index(row, 0), BACKGROUND_ROLE) is not None
