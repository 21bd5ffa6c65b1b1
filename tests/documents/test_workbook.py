"""The shared workbook helper: money is a number with a ¥ format (never text), rates and
dates are typed, the header row is styled and frozen, columns fit their content with a
CJK character counted double, text that looks like a formula stays text, and a failed
write leaves the old file as it was."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from app.documents.report_tables import (
    ChartSeries,
    ChartStyle,
    Money,
    Percent,
    ReportBook,
    cell_text,
    table,
)
from app.documents.workbook import (
    PERCENT_FORMAT,
    YUAN_FORMAT,
    display_width,
    save_workbook,
    sheet_title,
    table_sheet,
    write_book,
)
from app.i18n import in_language


def book() -> ReportBook:
    days = table(
        "days",
        "每日营业收入",
        ("日期", "营业收入", "按时答复率", "备注"),
        [
            (date(2026, 11, 15), Money(31450), Percent.of(7, 8), "=SUM(A1:A9)"),
            (date(2026, 11, 16), Money(-700), Percent.of(0, 0), "陈晓燕在岗"),
        ],
        total=("合计", Money(30750), Percent.of(7, 8), None),
    )
    return ReportBook(
        key="test",
        title="测试报表",
        hall_name="世纪大道营业厅",
        start=date(2026, 11, 15),
        end=date(2026, 11, 16),
        generated_at=datetime(2026, 11, 16, 4, tzinfo=UTC),
        timezone="Asia/Shanghai",
        headline=(("营业收入合计", Money(30750)), ("班次", 3)),
        tables=(days, table("empty", "Empty: [none]?", ("A",), [])),
        charts=(
            ChartSeries(
                "takings",
                "每日营业收入",
                ChartStyle.BARS,
                ((date(2026, 11, 15), Money(31450)), (date(2026, 11, 16), Money(-700))),
                table="days",
                column=1,
            ),
        ),
        notes=("说明" * 40,),
    )


def test_money_rates_and_dates_are_typed_cells(tmp_path: Path) -> None:
    path = write_book(book(), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[table_sheet(book(), "days")]
    assert [c.value for c in ws[1]] == ["日期", "营业收入", "按时答复率", "备注"]
    amount = ws["B2"]
    assert isinstance(amount.value, (int, float)) and round(amount.value * 100) == 31450
    assert amount.number_format == YUAN_FORMAT and "¥" in amount.number_format
    assert ws["B3"].value == -7 and "[Red]-" in ws["B3"].number_format
    assert ws["C2"].value == pytest.approx(0.875) and ws["C2"].number_format == PERCENT_FORMAT
    assert ws["C3"].value is None  # 0 of 0: no rate, an empty cell, not 0 %
    assert ws["A2"].value == datetime(2026, 11, 15) and ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].value == "=SUM(A1:A9)" and ws["D2"].data_type == "s"
    assert ws["A4"].value == "合计" and ws["A4"].font.bold and ws["B4"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb.endswith("DCE6F1")
    assert ws.auto_filter.ref == "A1:D3"
    assert len(ws._charts) == 1  # the chart beside its figures


def test_columns_fit_their_content_with_cjk_counted_double(tmp_path: Path) -> None:
    assert display_width("abc") == 3 and display_width("陈晓燕") == 6
    assert display_width("１２") == 4  # full-width digits are wide too
    wb = openpyxl.load_workbook(write_book(book(), tmp_path / "r.xlsx"))
    ws = wb[table_sheet(book(), "days")]
    # "陈晓燕在岗" is 10 columns wide and "=SUM(A1:A9)" 11: the wider, plus a margin.
    assert ws.column_dimensions["D"].width == 13
    # "营业收入" (8) is wider than "¥314.50" (7) and "-¥7.00".
    assert ws.column_dimensions["B"].width == 10
    summary = wb.worksheets[0]
    assert summary.column_dimensions["B"].width == 60  # capped; the long note wraps
    note = next(r[1] for r in summary.iter_rows() if r[0].value == "备注")
    assert note.alignment.wrap_text


def test_summary_sheet_carries_the_report_and_its_headline(tmp_path: Path) -> None:
    with in_language("zh_CN"):
        wb = openpyxl.load_workbook(write_book(book(), tmp_path / "r.xlsx"))
    ws = wb.worksheets[0]
    values = {row[0].value: row[1].value for row in ws.iter_rows(min_row=2)}
    assert values["营业厅"] == "世纪大道营业厅"
    assert values["营业收入合计"] == Decimal("307.50") or values["营业收入合计"] == 307.5
    assert values["班次"] == 3
    assert wb.properties.creator == "HallDesk" and wb.properties.title == "测试报表"


def test_sheet_titles_are_what_excel_accepts() -> None:
    taken: set[str] = set()
    assert sheet_title("Empty: [none]?", taken) == "Empty_ _none__"
    long = "x" * 40
    assert sheet_title(long, taken) == "x" * 31
    assert sheet_title(long.upper(), taken) == "X" * 27 + " (2)"
    assert sheet_title("", taken) == "Sheet"


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / "r.xlsx"
    path.write_bytes(b"the old workbook")

    def broken(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken)
    with pytest.raises(OSError):
        save_workbook(openpyxl.Workbook(), path)
    assert path.read_bytes() == b"the old workbook"
    assert sorted(p.name for p in folder.iterdir()) == ["r.xlsx"]


def test_cell_text_is_the_one_text_of_a_figure() -> None:
    assert cell_text(Money(123450)) == "¥1,234.50"
    assert cell_text(Money(-700)) == "-¥7.00"
    assert cell_text(Percent.of(1, 8)) == "12.5%"
    assert cell_text(Percent.of(1, 16)) == "6.3%"  # half-up, not half-even
    assert cell_text(Percent.of(0, 0)) == "—"
    assert cell_text(None) == "—" and cell_text(date(2026, 1, 2)) == "2026-01-02"
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cell_text(datetime(2026, 1, 2, tzinfo=UTC))
