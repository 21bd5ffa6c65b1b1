"""Editing a checklist template (shift leaders and administrators).

One row per item: its section, key, Chinese and English text, response set (pass/fail or a
0–N scale with a pass mark), weight, and whether it is mandatory, critical and may be
answered "not applicable". Saving stores the whole template as its next version
(``EtiquetteService.save_template``); inspections already signed keep the version they
used. The table is checked by the domain's template rules before anything is written, and
a refusal leaves every edit in place.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.domain.etiquette_scoring import (
    ItemSpec,
    LocalText,
    ResponseKind,
    SectionSpec,
    TemplateError,
    TemplateSpec,
)
from app.i18n import N_, _, current_language
from app.services.etiquette import EtiquetteService, TemplateInfo
from ui.context import AppContext
from ui.errors import error_text
from ui.widgets import BusyGuardDialog, Palette, heading_label, set_text_colour

(
    COL_SECTION,
    COL_KEY,
    COL_ZH,
    COL_EN,
    COL_RESPONSE,
    COL_MAX,
    COL_MARK,
    COL_WEIGHT,
    COL_MANDATORY,
    COL_CRITICAL,
    COL_NA,
) = range(11)
_HEADERS: Final = (
    N_("Section"),
    N_("Key"),
    N_("Chinese text"),
    N_("English text"),
    N_("Response"),
    N_("Scale max"),
    N_("Pass mark"),
    N_("Weight"),
    N_("Mandatory"),
    N_("Critical"),
    N_("N/A allowed"),
)
_CHECKS: Final = (COL_MANDATORY, COL_CRITICAL, COL_NA)


class TemplateEditor(BusyGuardDialog):
    """See the module docstring; ``saved`` is the new version once written."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateEditor")
        self._ctx = ctx
        self._service = ctx.service(EtiquetteService)
        self.saved: TemplateInfo | None = None
        self._templates: list[TemplateInfo] = []

        self.heading = heading_label(self)
        self.template = QComboBox(self)
        self.template.setObjectName("templateEditorTemplate")
        self.template.currentIndexChanged.connect(self._load)
        self.pass_percent = QSpinBox(self)
        self.pass_percent.setObjectName("templateEditorPassPercent")
        self.pass_percent.setRange(0, 100)
        self.pass_percent.setSuffix("%")
        self.version = QLabel(self)
        self.items = QTableWidget(0, len(_HEADERS), self)
        self.items.setObjectName("templateEditorItems")
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.verticalHeader().setVisible(False)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ZH, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_EN, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("templateEditorAdd")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("templateEditorRemove")
        self.remove_button.clicked.connect(self.remove_row)
        self.note = QLineEdit(self)
        self.note.setObjectName("templateEditorNote")
        self.note.setMaxLength(200)
        self.error = QLabel(self)
        self.error.setObjectName("templateEditorError")
        self.error.setWordWrap(True)
        set_text_colour(self.error, Palette.DANGER)
        self.error.hide()
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("templateEditorSave")
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.reject)
        self.labels = {k: QLabel(self) for k in ("template", "pass", "note")}

        top = QHBoxLayout()
        top.addWidget(self.labels["template"])
        top.addWidget(self.template, 1)
        top.addWidget(self.version)
        top.addWidget(self.labels["pass"])
        top.addWidget(self.pass_percent)
        rows = QHBoxLayout()
        rows.addWidget(self.add_button)
        rows.addWidget(self.remove_button)
        rows.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.labels["note"])
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.items, 1)
        layout.addLayout(rows)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self.resize(1100, 640)
        self.retranslate_ui()
        self.reload()

    def reload(self, select_code: str | None = None) -> None:
        self._templates = self._service.templates(self._ctx.actor)
        language = current_language()
        self.template.blockSignals(True)
        self.template.clear()
        for info in self._templates:
            self.template.addItem(info.spec.title.pick(language), info.code)
        if select_code:
            self.template.setCurrentIndex(max(0, self.template.findData(select_code)))
        self.template.blockSignals(False)
        self._load()

    @property
    def current(self) -> TemplateInfo | None:
        index = self.template.currentIndex()
        return self._templates[index] if 0 <= index < len(self._templates) else None

    def _load(self) -> None:
        info = self.current
        self.items.setRowCount(0)
        if info is None:
            return
        self.version.setText(_("Version {version}").format(version=info.version))
        self.pass_percent.setValue(info.spec.pass_percent)
        for section in info.spec.sections:
            for item in section.items:
                self._append(section.key, item)
        self.clear_error()

    def _sections(self) -> list[SectionSpec]:
        info = self.current
        return list(info.spec.sections) if info else []

    def _append(self, section_key: str, item: ItemSpec) -> None:
        r = self.items.rowCount()
        self.items.insertRow(r)
        section = QComboBox(self.items)
        language = current_language()
        for s in self._sections():
            section.addItem(s.title.pick(language), s.key)
        section.setCurrentIndex(max(0, section.findData(section_key)))
        self.items.setCellWidget(r, COL_SECTION, section)
        for col, text in ((COL_KEY, item.key), (COL_ZH, item.text.zh), (COL_EN, item.text.en)):
            self.items.setItem(r, col, QTableWidgetItem(text))
        response = QComboBox(self.items)
        response.addItem(_("Pass / fail"), ResponseKind.PASS_FAIL.value)
        response.addItem(_("Scale 0–N"), ResponseKind.SCALE.value)
        response.setCurrentIndex(response.findData(item.response.value))
        self.items.setCellWidget(r, COL_RESPONSE, response)
        for col, value, low, high in (
            (COL_MAX, item.max_points, 1, 10),
            (COL_MARK, item.pass_mark, 1, 10),
            (COL_WEIGHT, item.weight, 1, 100),
        ):
            spin = QSpinBox(self.items)
            spin.setRange(low, high)
            spin.setValue(value)
            self.items.setCellWidget(r, col, spin)
        for col, checked in (
            (COL_MANDATORY, item.mandatory),
            (COL_CRITICAL, item.critical),
            (COL_NA, item.allow_na),
        ):
            cell = QTableWidgetItem()
            cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            cell.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.items.setItem(r, col, cell)

    def add_row(self) -> None:
        row = self.items.currentRow()
        section = self._sections()[0].key if self._sections() else "general"
        if row >= 0:
            combo = self.items.cellWidget(row, COL_SECTION)
            assert isinstance(combo, QComboBox)
            section = combo.currentData()
        n = self.items.rowCount() + 1
        self._append(section, ItemSpec(f"new_item_{n}", LocalText("", "")))
        self.items.setCurrentCell(self.items.rowCount() - 1, COL_ZH)

    def remove_row(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            self.items.removeRow(row)

    def _checked(self, row: int, col: int) -> bool:
        cell = self.items.item(row, col)
        return cell is not None and cell.checkState() == Qt.CheckState.Checked

    def cell_text(self, row: int, col: int) -> str:
        cell = self.items.item(row, col)
        return cell.text().strip() if cell else ""

    def set_cell_text(self, row: int, col: int, text: str) -> None:
        cell = self.items.item(row, col)
        assert cell is not None
        cell.setText(text)

    def spec(self) -> TemplateSpec:
        """The table as a template; ValidationError names what is wrong."""
        info = self.current
        if info is None:
            raise ValidationError("template", N_("Choose a checklist."))
        by_section: dict[str, list[ItemSpec]] = {s.key: [] for s in info.spec.sections}
        for r in range(self.items.rowCount()):
            widgets = {
                col: self.items.cellWidget(r, col)
                for col in (COL_SECTION, COL_RESPONSE, COL_MAX, COL_MARK, COL_WEIGHT)
            }
            section, response = widgets[COL_SECTION], widgets[COL_RESPONSE]
            assert isinstance(section, QComboBox) and isinstance(response, QComboBox)
            spins = {col: widgets[col] for col in (COL_MAX, COL_MARK, COL_WEIGHT)}
            values = {col: s.value() for col, s in spins.items() if isinstance(s, QSpinBox)}
            kind = ResponseKind(response.currentData())
            checks = {col: self._checked(r, col) for col in _CHECKS}
            try:
                text = LocalText.from_dict(
                    {"zh_CN": self.cell_text(r, COL_ZH), "en": self.cell_text(r, COL_EN)},
                    str(r + 1),
                )
                item = ItemSpec(
                    key=self.cell_text(r, COL_KEY),
                    text=text,
                    response=kind,
                    max_points=1 if kind is ResponseKind.PASS_FAIL else values[COL_MAX],
                    pass_mark=1 if kind is ResponseKind.PASS_FAIL else values[COL_MARK],
                    weight=values[COL_WEIGHT],
                    mandatory=checks[COL_MANDATORY],
                    critical=checks[COL_CRITICAL],
                    allow_na=checks[COL_NA],
                )
            except TemplateError as exc:
                raise ValidationError(
                    "items",
                    N_("Row {row}: {reason}"),
                    row=r + 1,
                    reason=str(exc),
                ) from exc
            by_section[section.currentData()].append(item)
        try:
            return TemplateSpec(
                code=info.spec.code,
                kind=info.spec.kind,
                title=info.spec.title,
                sections=tuple(
                    SectionSpec(s.key, s.title, tuple(by_section[s.key]))
                    for s in info.spec.sections
                    if by_section[s.key]
                ),
                pass_percent=self.pass_percent.value(),
                scenarios=info.spec.scenarios,
            )
        except TemplateError as exc:
            raise ValidationError(
                "items", N_("The checklist is not valid: {reason}"), reason=str(exc)
            ) from exc

    def save(self) -> None:
        if self._busy:
            return
        self.clear_error()
        try:
            spec = self.spec()
        except ValidationError as exc:
            self.show_error(exc.user_message())
            return
        service, actor, note = self._service, self._ctx.actor, self.note.text()
        self._busy = True
        self.save_button.setEnabled(False)
        self._ctx.tasks.run(
            lambda: service.save_template(actor, spec, note),
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, info: TemplateInfo) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.saved = info
        self.note.clear()
        self.reload(info.code)
        self.version.setText(_("Saved as version {version}").format(version=info.version))

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.show_error(error_text(exc))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def clear_error(self) -> None:
        self.error.hide()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Checklist templates"))
        self.heading.setText(_("Checklist templates"))
        self.labels["template"].setText(_("Checklist:"))
        self.labels["pass"].setText(_("Pass mark:"))
        self.labels["note"].setText(_("What changed:"))
        self.items.setHorizontalHeaderLabels([_(h) for h in _HEADERS])
        self.add_button.setText(_("Add item"))
        self.remove_button.setText(_("Remove item"))
        self.save_button.setText(_("Save as new version"))
        self.close_button.setText(_("Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
