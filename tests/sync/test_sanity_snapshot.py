"""The money sanity check compares one consistent picture (issue 13, item 8): "a payment
taken while a sync is pulling gives a false 'payments differ' and re-sends the whole day
... the CLI then still prints the first comparison"."""

from __future__ import annotations

from pathlib import Path

from app.centre.service import Centre
from app.i18n import in_language
from app.sync.client import SyncReport
from app.sync.service import SyncService
from tests.sync.conftest import Hall, load_hall, new_hall_pc, pay


def test_a_payment_taken_while_the_sync_pulls_is_no_false_alarm(
    centre: Centre, tiny_demo: Path, tmp_path: Path
) -> None:
    load_hall(centre, "H1", tiny_demo)
    hall: Hall = new_hall_pc(centre, "H1", tmp_path / "pc.sqlite3")
    pay(hall.store, 100, account_id=1)
    taken: list[object] = []

    def counter_pays_meanwhile(point: str) -> None:
        if point == "pull.after_page_apply" and not taken:
            taken.append(pay(hall.store, 250, account_id=1))

    hall.sync.crash = counter_pays_meanwhile
    report = hall.sync.sync()
    assert taken and report.applied == 1
    assert (report.mismatches, report.resent) == ([], 0)
    hall.sync.crash = lambda _p: None
    after = hall.sync.sync()  # the payment taken meanwhile goes now, and all agree
    assert (after.applied, after.mismatches, after.resent) == (1, [], 0)
    assert str(taken[0]) in centre.records("H1", "payment")


def test_the_cli_reports_the_comparison_after_the_resend() -> None:
    fixed = SyncReport(mismatches=[{"day": "2026-11-14"}], resent=3)
    with in_language("en"):
        lines = SyncService.report_lines(fixed)
    assert lines == ["Payments of 2026-11-14 differed from the centre's and were sent again."]
    still = SyncReport(
        mismatches=[{"day": "2026-11-14"}],
        resent=3,
        mismatches_after_resend=[{"day": "2026-11-14"}],
    )
    with in_language("en"):
        assert (
            SyncService.report_lines(still)[-1]
            == "Payments of 2026-11-14 differ from the centre's."
        )
