"""The window's long-lived objects are frozen out of the full collections (gui.heap) only when new
modules were imported since the last time (so a run's own objects are not frozen run after run),
garbage is freed first (never frozen), and the window settles the heap after a run."""

from __future__ import annotations

import gc
import importlib
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from sep_port_doctor.gui import heap
from sep_port_doctor.gui.app import keep_heap_settled
from sep_port_doctor.gui.main_window import MainWindow


class _Node:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def new_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The name of a module that no one has imported yet (imported by the test)."""
    name = f"sepd_heap_test_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text("VALUE = [1, 2, 3]\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


@pytest.fixture(autouse=True)
def unfrozen_after() -> Iterator[None]:
    """The test process's objects go back to the collector's sight afterwards."""
    yield
    gc.unfreeze()


def test_the_heap_is_settled_only_when_modules_were_imported(new_module: str) -> None:
    heap.settle_heap()  # whatever the tests imported so far
    frozen = gc.get_freeze_count()
    assert frozen > 0
    assert heap.settle_heap() is False  # nothing imported since: a run's objects are not frozen
    assert gc.get_freeze_count() == frozen

    cycle = _Node()  # garbage only the collector frees
    freed = weakref.ref(cycle)
    del cycle
    importlib.import_module(new_module)
    assert heap.settle_heap() is True
    assert gc.get_freeze_count() > frozen
    assert freed() is None  # collected before the freeze, not frozen with the living
    assert heap.settle_heap() is False


def test_the_window_settles_the_heap_after_a_run_that_imported_modules(
    main_window: MainWindow, new_module: str
) -> None:
    keep_heap_settled(main_window)
    heap.settle_heap()
    frozen = gc.get_freeze_count()
    wizard = main_window.wizard
    assert wizard is not None
    wizard.run_finished.emit()
    assert gc.get_freeze_count() == frozen  # nothing new imported
    importlib.import_module(new_module)
    wizard.run_finished.emit()
    assert gc.get_freeze_count() > frozen
