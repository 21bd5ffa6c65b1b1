"""The etiquette tab on the demo store: an inspection answered with the keyboard, refused
while mandatory items are open, signed with a shift leader's credential; then the report is
printed, a correction is made, a self-check signed and a template edited."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app import i18n
from app.documents import titles
from app.domain.etiquette_scoring import TemplateKind
from app.services.etiquette import EtiquetteService
from app.services.etiquette.reports import EtiquetteReports
from app.services.staff.auth import AuthService
from app.settings import MemoryBackend
from app.store.database import open_store, sqlite_url
from ui.context import AppContext
from ui.etiquette.answer_grid import COL_ANSWER
from ui.etiquette.inspection_form import InspectionForm
from ui.etiquette.tab import PAGE_ACTIONS, PAGE_REPORTS, EtiquetteTab
from ui.etiquette.template_editor import COL_ZH, TemplateEditor
from ui.printing import pdf_file_printer, print_file_name
from ui.service_dialogs import LeaderDialog

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def _ctx(demo_db_copy: Path, staff_no: str) -> AppContext:
    store = open_store(sqlite_url(demo_db_copy))
    return AppContext.create(
        store, AuthService(store).actor_for(staff_no), MemoryBackend(), clock=lambda: NOW
    )


@pytest.fixture
def leader_ctx(demo_db_copy: Path) -> Iterator[AppContext]:
    ctx = _ctx(demo_db_copy, "L001")
    yield ctx
    ctx.tasks.wait()
    ctx.store.close()


@pytest.fixture
def tab(qtbot: QtBot, leader_ctx: AppContext, tmp_path: Path) -> EtiquetteTab:
    widget = EtiquetteTab(leader_ctx)
    qtbot.addWidget(widget)
    widget.print_function = pdf_file_printer(tmp_path / "printed")
    widget.form_opened = QDialog.show
    widget.show()
    return widget


def _answer_all_by_keyboard(qtbot: QtBot, form: InspectionForm, skip: set[str]) -> None:
    form.grid.items.setFocus()
    form.grid.items.setCurrentCell(0, COL_ANSWER)
    for row in form.grid.rows:
        if row.item.key in skip:
            qtbot.keyClick(form.grid.items, Qt.Key.Key_Down)
            continue
        if row.item.key == "no_phone":
            qtbot.keyClick(form.grid.items, Qt.Key.Key_F)
        elif row.item.response.value == "scale":
            qtbot.keyClick(form.grid.items, str(row.item.max_points)[-1])
        else:
            qtbot.keyClick(form.grid.items, Qt.Key.Key_P)


def _sign_with_leader(qtbot: QtBot, form: InspectionForm) -> None:
    qtbot.mouseClick(form.sign_button, Qt.MouseButton.LeftButton)
    dialog = form.leader_dialog
    assert isinstance(dialog, LeaderDialog)
    dialog.findChild(QLineEdit, "leaderStaffNo").setText("L001")
    dialog.findChild(QLineEdit, "leaderPassword").setText("demo")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: form.signed is not None, timeout=10000)


def test_inspection_run_through_signing(
    qtbot: QtBot,
    qtmodeltester: Any,
    tab: EtiquetteTab,
    leader_ctx: AppContext,
    tmp_path: Path,
) -> None:
    assert tab.inspections_model.rowCount() == 0
    form = tab.open_form(TemplateKind.INSPECTION)
    assert isinstance(form, InspectionForm) and form.objectName() == "inspectionForm"
    form.clerk.setCurrentIndex(form.clerk.findText("A002", Qt.MatchFlag.MatchStartsWith))
    form.counter.setCurrentIndex(2)

    _answer_all_by_keyboard(qtbot, form, skip={"badge_worn"})
    score = form.findChild(type(form.score), "inspectionScore")
    assert "1 mandatory item unanswered" in score.text()
    qtbot.mouseClick(form.sign_button, Qt.MouseButton.LeftButton)
    assert form.leader_dialog is None  # refused before any credential is asked
    assert form.error.isVisible() and "Mandatory items not answered yet: 1" in form.error.text()

    badge = next(i for i, r in enumerate(form.grid.rows) if r.item.key == "badge_worn")
    form.grid.items.setCurrentCell(badge, COL_ANSWER)
    qtbot.keyClick(form.grid.items, Qt.Key.Key_P)
    assert form.grid.rows[badge].value == "pass"
    assert "unanswered" not in score.text() and "Score:" in score.text()
    form.grid.comment.setFocus()
    form.grid.items.setCurrentCell(
        next(i for i, r in enumerate(form.grid.rows) if r.item.key == "no_phone"), COL_ANSWER
    )
    qtbot.keyClicks(form.grid.comment, "phone out twice")
    photo = tmp_path / "phone.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    form.grid.pick_photo = lambda _parent: str(photo)
    qtbot.mouseClick(form.grid.photo_button, Qt.MouseButton.LeftButton)
    assert form.grid.photo_button.text() == "Remove photo"

    _sign_with_leader(qtbot, form)
    assert form.signed is not None and form.signed.passed
    assert len(form.signed.opened_actions) == 1
    assert tab.inspections_model.rowCount() == 1
    row = tab.inspections_model.row_at(0)
    assert row.clerk.startswith("A002") and row.inspector.startswith("L001")
    assert tab.actions_model.rowCount() == 1
    assert tab.actions_model.row_at(0).item_key == "no_phone"

    detail = EtiquetteReports(leader_ctx.store).inspection(leader_ctx.actor, row.inspection_id)
    phone_answer = next(a for a in detail.answers if a.item_key == "no_phone")
    assert phone_answer.comment == "phone out twice"
    assert phone_answer.photo_answer_id is not None
    assert detail.counter.startswith("C02")

    tab.select_row(0)
    tab.print_selected()
    title = titles.inspection_report(row.business_date, row.clerk)
    printed = tmp_path / "printed" / f"{print_file_name(title)}.pdf"
    qtbot.waitUntil(printed.exists, timeout=10000)
    leader_ctx.tasks.wait()
    assert len(PdfReader(io.BytesIO(printed.read_bytes())).pages) >= 1

    # The next inspection of A002 shows the action to recheck and closes it.
    second = tab.open_form(TemplateKind.INSPECTION)
    assert isinstance(second, InspectionForm)
    second.clerk.setCurrentIndex(second.clerk.findText("A002", Qt.MatchFlag.MatchStartsWith))
    assert second.rechecks.isVisible() and "No phone use" in second.rechecks.text()
    _answer_all_by_keyboard(qtbot, second, skip=set())
    phone = next(i for i, r in enumerate(second.grid.rows) if r.item.key == "no_phone")
    second.grid.set_answer(phone, "pass")
    _sign_with_leader(qtbot, second)
    assert second.signed is not None and len(second.signed.closed_actions) == 1
    assert tab.actions_model.rowCount() == 0
    tab.pages.setCurrentIndex(PAGE_REPORTS)
    assert len(tab.chart.points) == 0  # the report clerk is A001, inspected by nobody
    tab.report_clerk.setCurrentIndex(
        tab.report_clerk.findText("A002", Qt.MatchFlag.MatchStartsWith)
    )
    assert [p.score_tenths for p in tab.chart.points][-1] == 1000
    tab.pages.setCurrentIndex(PAGE_ACTIONS)
    for model in (
        tab.inspections_model,
        tab.actions_model,
        tab.ranking_model,
        tab.failed_model,
        tab.item_rates_model,
        tab.section_rates_model,
    ):
        qtmodeltester.check(model)


def test_a_correction_prefills_and_supersedes(
    qtbot: QtBot, tab: EtiquetteTab, leader_ctx: AppContext
) -> None:
    form = tab.open_form(TemplateKind.INSPECTION)
    assert isinstance(form, InspectionForm)
    _answer_all_by_keyboard(qtbot, form, skip=set())
    answered = form.answers()
    _sign_with_leader(qtbot, form)
    tab.select_row(0)
    fix = tab.correct_selected()
    assert isinstance(fix, InspectionForm)
    assert fix.answers() == answered  # prefilled from the record
    assert not fix.clerk.isEnabled()
    phone = next(i for i, r in enumerate(fix.grid.rows) if r.item.key == "no_phone")
    fix.grid.set_answer(phone, "pass")
    qtbot.mouseClick(fix.sign_button, Qt.MouseButton.LeftButton)
    # no reason yet: refused before the credential is asked; the answers stay
    assert fix.leader_dialog is None and "reason" in fix.error.text()
    assert fix.grid.rows[phone].value == "pass"
    fix.reason.setText("no_phone was someone else")
    _sign_with_leader(qtbot, fix)
    rows = tab.inspections_model.rows
    assert len(rows) == 2 and sum(r.superseded for r in rows) == 1
    assert tab.actions_model.rowCount() == 0


def test_self_check_by_a_clerk(qtbot: QtBot, demo_db_copy: Path) -> None:
    ctx = _ctx(demo_db_copy, "A003")
    try:
        widget = EtiquetteTab(ctx)
        qtbot.addWidget(widget)
        widget.form_opened = QDialog.show
        widget.show()
        assert not widget.new_button.isVisible() and not widget.templates_button.isVisible()
        form = widget.open_form(TemplateKind.SELF_CHECK)
        assert isinstance(form, InspectionForm)
        assert form.clerk.currentText().startswith("A003")
        _answer_all_by_keyboard(qtbot, form, skip=set())
        qtbot.mouseClick(form.sign_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: form.signed is not None, timeout=10000)
        assert [r.kind for r in widget.inspections_model.rows] == [TemplateKind.SELF_CHECK]
    finally:
        ctx.tasks.wait()
        ctx.store.close()


def test_template_editor_saves_a_new_version(
    qtbot: QtBot, tab: EtiquetteTab, leader_ctx: AppContext
) -> None:
    editor = tab.open_template_editor()
    assert isinstance(editor, TemplateEditor) and editor.objectName() == "templateEditor"
    qtbot.addWidget(editor)
    editor.template.setCurrentIndex(editor.template.findData("counter_inspection"))
    editor.set_cell_text(0, COL_ZH, "化淡妆上岗（自然）")
    editor.add_row()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.error.isVisible()  # the new row has no text yet: nothing written
    last = editor.items.rowCount() - 1
    editor.set_cell_text(last, COL_ZH, "工号牌端正")
    editor.note.setText("makeup wording; badge straight")
    qtbot.mouseClick(editor.findChild(QPushButton, "templateEditorSave"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.saved is not None, timeout=10000)
    assert editor.saved is not None and editor.saved.version == 3  # after shipped version 2
    current = EtiquetteService(leader_ctx.store).templates(leader_ctx.actor)
    spec = next(t for t in current if t.code == "counter_inspection").spec
    assert spec.item("light_makeup").text.zh == "化淡妆上岗（自然）"
    assert spec.items[-1].text.zh != "" or any(i.text.zh == "工号牌端正" for i in spec.items)
    assert any(i.text.zh == "工号牌端正" for i in spec.items)


def test_language_change_retranslates_tab_and_template_texts(
    qtbot: QtBot, tab: EtiquetteTab
) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    assert tab.pages.tabText(0) == "Checklists"
    form = tab.open_form(TemplateKind.INSPECTION)
    assert isinstance(form, InspectionForm)
    assert form.grid.items.item(0, 1).text().startswith("Light make-up")
    i18n.set_language("zh_CN")
    for widget in (tab, form):
        QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
    assert tab.pages.tabText(0) == "检查记录"
    assert form.sign_button.text() == "签字…"
    # item texts are data in both languages: the row shows the one of the interface
    assert form.grid.items.item(0, 1).text().startswith("化淡妆上岗")
    assert form.grid.items.item(0, 0).text() == "仪容仪表"
    assert form.template.currentText().startswith("营业员服务规范检查表")
    form.reject()
