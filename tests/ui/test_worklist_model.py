"""The lazy worklist model queries only on the task worker, paints its first rows before
the whole id list arrives, drops the results of a superseded query and keeps a bounded
number of pages however far the view scrolls. Nothing here is timed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.ui.worklist import settle
from ui.tasks import TaskRunner
from ui.worklist_model import LazyWorklistModel

ROWS = 1000
PAGE = 10


class Source:
    """Ids 0..n-1 (descending when ``sort`` says so, multiples of ``filter`` only); every
    call records the thread it ran on."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.calls: list[tuple[str, Any]] = []
        self.hold_full_list = threading.Event()
        self.hold_full_list.set()

    def worklist_ids(self, filter: int, sort: bool, limit: int | None = None) -> list[int]:
        self.threads.append(threading.current_thread())
        self.calls.append(("ids", (filter, sort, limit)))
        if limit is None:
            assert self.hold_full_list.wait(30)
        ids = [i for i in range(ROWS) if i % filter == 0]
        ids = ids[::-1] if sort else ids
        return ids[:limit] if limit is not None else ids

    def worklist_rows(self, ids: list[int]) -> list[str]:
        self.threads.append(threading.current_thread())
        self.calls.append(("rows", len(ids)))
        return [f"row {i}" for i in ids]


class Model(LazyWorklistModel[int, str, int, bool]):
    def data(self, index: Any, role: int = 0) -> Any:
        row = self.cached_row(index.row())
        return row if role == 0 else None


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.wait()


def make(source: Source, runner: TaskRunner, max_pages: int = 4) -> Model:
    key = lambda row: int(row.split()[1])  # noqa: E731
    return Model(source, runner, ["A"], key, 1, False, page_size=PAGE, max_pages=max_pages)


def test_no_query_runs_on_the_gui_thread_and_pages_stay_bounded(
    qtbot: QtBot, runner: TaskRunner, qtmodeltester: ModelTester
) -> None:
    source = Source()
    model = make(source, runner)
    model.set_query()
    assert source.calls == [] or threading.main_thread() not in source.threads
    settle(model)
    seen: list[str | None] = []
    for row in range(model.rowCount()):  # painted in order, as scrolling to the end would
        if model.cached_row(row) is None:
            settle(model)
        seen.append(model.cached_row(row))
        assert len(model.loaded_pages()) <= 4
    assert seen == [f"row {i}" for i in range(ROWS)]
    model.set_query(filter=3, sort=True)
    settle(model)
    model.reload()
    settle(model)
    assert model.ids()[:3] == [999, 996, 993]
    qtmodeltester.check(model, force_py=True)
    assert source.threads and threading.main_thread() not in source.threads
    assert len(model.loaded_pages()) <= 4
    assert model.rowCount() == model.total_count() == len(range(0, ROWS, 3))


def test_first_rows_are_painted_before_the_whole_list_arrives(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    source = Source()
    source.hold_full_list.clear()  # the full id list takes its time
    model = make(source, runner)
    with qtbot.waitSignal(model.modelReset, timeout=10000):
        model.set_query()
    assert model.busy and model.rowCount() == PAGE
    assert [model.cached_row(r) for r in range(PAGE)] == [f"row {i}" for i in range(PAGE)]
    with qtbot.waitSignal(model.loaded, timeout=10000):
        source.hold_full_list.set()
    assert not model.busy and model.rowCount() == ROWS
    assert model.cached_row(0) == "row 0"  # the first page was kept


def test_a_newer_query_supersedes_the_older(qtbot: QtBot, runner: TaskRunner) -> None:
    source = Source()
    model = make(source, runner)
    source.hold_full_list.clear()
    model.set_query(filter=2)
    model.set_query(filter=5)  # before the first one's work ran
    source.hold_full_list.set()
    settle(model)
    assert model.ids() == list(range(0, ROWS, 5))
    # the first query's work was skipped at its start: only the second one's ids were read
    asked = [args for kind, args in source.calls if kind == "ids"]
    assert all(args[0] == 5 for args in asked[1:]), asked
