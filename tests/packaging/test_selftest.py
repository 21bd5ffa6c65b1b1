"""``halldesk --self-test`` from source: a working checkout passes, a broken one says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import cli, logs, paths, selftest

from .conftest import PYTHON, ROOT, run_self_test


def test_self_test_from_source_passes_and_logs(tmp_path: Path) -> None:
    done = run_self_test([PYTHON, "-m", "app.cli"], tmp_path / "data", cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "self-test passed"
    names = [line.split()[1] for line in lines[1:-1]]
    assert names == ["files", "catalogs", "tls", "qt", "store", "receipt", "workbook", "qt-i18n"]
    assert all(line.startswith("ok ") for line in lines[1:-1])
    assert "缴费收据" in done.stdout  # the receipt's text, read back from the PDF
    assert "取消" in done.stdout  # Qt's own Chinese catalog
    log = (tmp_path / "data" / "logs" / logs.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "self-test passed" in log
    # The self-test's store is temporary: nothing is left in the data folder but the log.
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["logs"]


def test_a_missing_font_fails_the_self_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(paths, "font_path", lambda bold=False: tmp_path / "missing.ttf")
    report = selftest.run_self_test()
    failed = [r.name for r in report.results if not r.ok]
    assert "files" in failed and not report.ok
    assert "missing.ttf" in report.text()
    assert report.text().endswith(f"self-test FAILED: {len(failed)} check(s)")


def test_cli_exit_status_follows_the_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> str:
        raise RuntimeError("catalog gone")

    monkeypatch.setattr(selftest, "check_catalogs", broken)
    try:
        assert cli.main(["--self-test"]) == 1
    finally:
        logs.teardown_logging()
    out = capsys.readouterr().out
    assert "FAIL catalogs   RuntimeError: catalog gone" in out
    assert out.rstrip().endswith("self-test FAILED: 1 check(s)")
    assert "ok   receipt" in out  # the other checks still ran


def test_the_receipt_check_reads_the_title_from_the_pdf(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="not in the receipt's text"):
        selftest.check_receipt(tmp_path, lambda pdf: "no Chinese here")
    assert "缴费收据" in selftest.check_receipt(tmp_path, lambda pdf: "自检营业厅\n缴费收据")


def test_run_new_store_creates_no_demo_and_goes_to_the_wizard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ui.app

    opened: list[Path] = []
    monkeypatch.setattr(ui.app, "run_gui", lambda path: opened.append(path) or 0)
    monkeypatch.setattr(cli, "_demo_data", lambda *a: pytest.fail("no demo store wanted"))
    try:
        assert cli.main(["run", "--new-store"]) == 0
    finally:
        logs.teardown_logging()
    assert opened == [paths.default_db_path()]
    assert not paths.default_db_path().exists()  # run_gui creates it, then the wizard runs


def test_catalogs_pass_in_an_editable_install_without_the_mo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: after the README's ``pip install -e``, ``halldesk --self-test`` failed on
    the missing ``messages.mo``; the program itself compiles the ``.po`` in memory."""
    import shutil

    from app import i18n, paths

    i18n_dir = tmp_path / "i18n"
    shutil.copytree(paths.i18n_dir(), i18n_dir, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(paths, "i18n_dir", lambda: i18n_dir)
    monkeypatch.setattr(i18n, "_loaded", {})
    assert "compiled in memory" in selftest.check_catalogs()
    shutil.rmtree(i18n_dir / "zh_CN")
    monkeypatch.setattr(i18n, "_loaded", {})
    with pytest.raises(FileNotFoundError):
        selftest.check_catalogs()
