"""Each report from a script with a period and a path: the Python entry points and
``halldesk report``; the workbook is the one the dialog writes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from app import cli
from app.cli.report import REPORT_KINDS
from app.i18n import in_language
from app.services.reports import (
    LeaderReports,
    ReportKind,
    export_arrears_report,
    export_complaints_report,
    export_etiquette_report,
    export_hall_day_report,
)
from tests.services.reports.readback import check_workbook
from tests.services.reports.scenario import DAY1, DAY3, Fortnight, Hall


def test_entry_points_write_each_report(hall: Hall, facts: Fortnight, tmp_path: Path) -> None:
    hall.store.close()  # a script opens the store itself
    entries = {
        ReportKind.HALL_DAY: export_hall_day_report,
        ReportKind.COMPLAINTS: export_complaints_report,
        ReportKind.ARREARS: export_arrears_report,
        ReportKind.ETIQUETTE: export_etiquette_report,
    }
    for kind, export in entries.items():
        with in_language("zh_CN"):
            written = export(hall.path, DAY1, DAY3, tmp_path / f"{kind}.xlsx", staff_no="L001")
        assert written == tmp_path / f"{kind}.xlsx"
        assert openpyxl.load_workbook(written).worksheets[0]["B2"].value
    from tests.services.reports.scenario import open_hall

    again = open_hall(hall.path, hall.clock)
    try:
        with in_language("zh_CN"):
            book = (
                LeaderReports(again.store, again.clock)
                .build(again.leader, ReportKind.ARREARS, DAY1, DAY3)
                .book
            )
        check_workbook(tmp_path / "arrears.xlsx", book)
    finally:
        again.store.close()


def test_the_command_line(
    hall: Hall, facts: Fortnight, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hall.store.close()
    out = tmp_path / "day.xlsx"
    args = ["report", "hall_day", "--db", str(hall.path), "--staff", "L001"]
    assert cli.main([*args, "--from", "2026-11-15", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.worksheets[0]["B4"].value.date().isoformat() == "2026-11-15"  # From
    assert wb.worksheets[0]["B5"].value.date().isoformat() == "2026-11-15"  # To: --from
    clerk = ["report", "hall_day", "--db", str(hall.path), "--staff", "A001"]
    assert cli.main([*clerk, "--from", "2026-11-15", "--out", str(tmp_path / "x.xlsx")]) == 1
    assert not (tmp_path / "x.xlsx").exists()
    missing = ["report", "arrears", "--db", str(tmp_path / "none.sqlite3"), "--staff", "L001"]
    assert cli.main([*missing, "--from", "2026-11-15", "--out", str(tmp_path / "y.xlsx")]) == 1
    with pytest.raises(SystemExit) as exit_:
        cli.main([*args, "--from", "15/11/2026", "--out", str(out)])
    assert exit_.value.code == 2
    assert set(REPORT_KINDS) == {k.value for k in ReportKind}
