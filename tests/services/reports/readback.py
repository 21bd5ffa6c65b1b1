"""Reading a report back from its workbook (openpyxl) and its PDF (pypdf) and checking
both against the book the screen shows, cell by cell."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from pypdf import PdfReader

from app.documents.report_tables import Cell, Money, Percent, ReportBook, cell_text
from app.documents.workbook import PERCENT_FORMAT, YUAN_FORMAT, table_sheet
from app.i18n import _

_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def same_cell(cell: Cell, stored: Any, number_format: str) -> bool:
    """Whether an Excel cell holds ``cell`` as the workbook must: money as yuan with the ¥
    format, a rate as a fraction with the percent format, a date as a date."""
    if cell is None:
        return stored is None
    if isinstance(cell, Money):
        return (
            isinstance(stored, (int, float))
            and round(stored * 100) == cell.fen
            and number_format == YUAN_FORMAT
        )
    if isinstance(cell, Percent):
        if cell.tenths is None:
            return stored is None
        return (
            isinstance(stored, (int, float))
            and round(stored * 1000) == cell.tenths
            and number_format == PERCENT_FORMAT
        )
    if isinstance(cell, date):
        return stored == datetime(cell.year, cell.month, cell.day)
    if isinstance(cell, int):
        return stored == cell and not isinstance(stored, bool)
    return bool(stored == cell or (isinstance(cell, str) and cell == "" and stored is None))


def check_workbook(path: Path, book: ReportBook) -> None:
    """Every table's sheet has the headers, every row and the total, cell for cell; the
    summary sheet has every headline figure; the header row is frozen."""
    wb = openpyxl.load_workbook(path)
    summary = wb.worksheets[0]
    pairs = {row[0].value: row[1] for row in summary.iter_rows(min_row=2)}
    for label, value in book.headline:
        stored = pairs[label]
        assert same_cell(value, stored.value, stored.number_format), (label, stored.value)
    assert pairs[_("Hall")].value == book.hall_name
    for table in book.tables:
        ws = wb[table_sheet(book, table.key)]
        assert ws.freeze_panes == "A2", table.key
        assert [c.value for c in ws[1]] == list(table.headers), table.key
        rows = list(ws.iter_rows(min_row=2))
        assert len(rows) == len(table.all_rows()), table.key
        for expected, got in zip(table.all_rows(), rows, strict=True):
            for cell, stored in zip(expected, got, strict=True):
                assert same_cell(cell, stored.value, stored.number_format), (
                    table.key,
                    cell,
                    stored.value,
                    stored.number_format,
                )


def check_pdf(pdf: bytes, book: ReportBook) -> str:
    """Every headline figure beside its label and every row of every table, its cells in
    order, are in the PDF's text (white space aside). Returns the squeezed text."""
    text = squeeze(pdf_text(pdf))
    assert squeeze(book.title) in text and squeeze(book.hall_name) in text
    for label, value in book.headline:
        assert squeeze(label + cell_text(value)) in text, (label, cell_text(value))
    for table in book.tables:
        assert squeeze(table.title) in text, table.title
        assert squeeze("".join(table.headers)) in text, table.headers
        for row in table.all_rows():
            line = squeeze("".join(cell_text(c) for c in row))
            assert line in text, (table.key, [cell_text(c) for c in row])
    return text
