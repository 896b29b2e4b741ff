"""The tripwire the end-to-end tests arm: disk access on a running event loop raises."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from onex_lsp import loop_guard
from onex_lsp.learning.journal import Journal
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.workspace_fs import read_texts


@pytest.fixture
def armed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop_guard, "ARMED", True)


def test_journal_and_files_on_the_loop_raise_when_armed(armed: None, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")  # outside any loop: fine

    async def on_the_loop() -> None:
        with pytest.raises(loop_guard.BlockingOnLoopError):
            journal.events()
        with pytest.raises(loop_guard.BlockingOnLoopError):
            read_texts(tmp_path, ["a.py"])
        assert await asyncio.to_thread(journal.events) == []  # a worker thread may

    asyncio.run(on_the_loop())


def test_unarmed_it_costs_nothing_and_raises_nothing(tmp_path: Path) -> None:
    assert not loop_guard.ARMED
    journal = Journal(tmp_path / "j.sqlite3")

    async def on_the_loop() -> list[dict[str, object]]:
        return journal.events()

    assert asyncio.run(on_the_loop()) == []


def test_the_writer_keeps_order_and_drops_events_after_close(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    writer = JournalWriter()
    writer.record("shown", None, {"pattern": "lost"})  # not attached yet: dropped
    writer.attach(journal)
    for n in range(20):
        writer.record("shown", None, {"pattern": f"p{n}"})
    writer.flush()
    assert [e["pattern"] for e in journal.events()] == [f"p{n}" for n in range(20)]
    writer.close()
    writer.record("shown", None, {"pattern": "late"})
    assert len(journal.events()) == 20
