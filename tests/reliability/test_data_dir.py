"""A data directory that cannot be written (read-only, or a file in its place): learning
is off with one message, nothing raises into the caller, feedback is buffered, and it all
resumes by itself once the directory is fixed — no restart. Files are private (0700/0600)."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
from tests.reliability.conftest import fast_policy, handler, path, wait_until

QUERY = ("reducer", "aggregation.sum", "total orders")


def _pause_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "learning is paused" in r.getMessage()]


def _exercise_while_down(library: PatternLibrary) -> None:
    """What the server does while the directory is unusable: nothing may raise or hang."""
    assert library.problem is not None
    report = library.learn_source(handler(1), path(1))
    assert report.paused is not None and report.learned == ()
    assert library.journal.record("shown", None, {"pattern": "builtin:crud.create"}) == 0
    assert [e["type"] for e in library.journal.events()][-1] == "shown"  # buffered, visible
    started = time.monotonic()
    assert library.candidates(*QUERY) == []
    assert library.sync() == 0
    assert time.monotonic() - started < 2.0


def _recovered(library: PatternLibrary, events_before: int) -> None:
    assert library.problem is None
    assert len(library.candidates(*QUERY, limit=10)) >= 1  # the held save was learned
    types = [e["type"] for e in library.journal.events()]
    assert types.count("shown") == 1 and len(types) >= events_before + 2  # learned + shown


def test_a_blocked_data_dir_turns_learning_off_and_it_resumes_when_unblocked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="onex_lsp")
    data = tmp_path / "data"
    data.write_text("a file where the data directory should be")
    library = PatternLibrary(data, HashingEmbedder(), policy=fast_policy())
    try:
        assert "is not writable" in (library.problem or "")
        _exercise_while_down(library)
        time.sleep(0.5)  # retries happen meanwhile
        assert len(_pause_lines(caplog)) == 1
        data.unlink()
        recovery = wait_until(lambda: library.problem is None and library.journal.blocks())
        assert recovery < 5.0
        wait_until(lambda: library.candidates(*QUERY))
        _recovered(library, 0)
        assert any("usable again" in r.getMessage() for r in caplog.records)
    finally:
        library.close()


@contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """A folder no process may write to. Root ignores permission bits, so as root the
    folder is made immutable (chattr +i); where that is impossible the test is skipped."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    made = chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True)
    if not made or made.returncode != 0:
        pytest.skip("running as root without chattr +i: no way to make a folder read-only")
    try:
        yield
    finally:
        subprocess.run([str(chattr), "-i", str(folder)], check=True)


def test_a_read_only_data_dir_turns_learning_off_and_it_resumes_when_writable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    seeded = PatternLibrary(data, HashingEmbedder())
    seeded.learn_source(handler(0), path(0))
    seeded.close()
    caplog.set_level(logging.INFO, logger="onex_lsp")
    with _read_only(data):
        library = PatternLibrary(data, HashingEmbedder(), policy=fast_policy())
        try:
            assert "not writable" in (library.problem or "")
            _exercise_while_down(library)
            assert len(_pause_lines(caplog)) == 1
        except BaseException:
            library.close()
            raise
    try:
        wait_until(lambda: library.problem is None and len(library.journal.blocks()) == 2)
        wait_until(lambda: len(library.candidates(*QUERY, limit=10)) == 2)
        _recovered(library, 1)
    finally:
        library.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_is_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    library = PatternLibrary(data, HashingEmbedder())
    library.learn_source(handler(1), path(1))
    assert _mode(data) == 0o700
    journal_files = list(data.glob("journal.sqlite3*"))
    assert {p.name for p in journal_files} >= {"journal.sqlite3", "journal.sqlite3-wal"}
    assert {p.name: _mode(p) for p in journal_files} == {p.name: 0o600 for p in journal_files}
    library.close()
    index = data / "index"
    loose = [p for p in index.rglob("*") if _mode(p) != (0o700 if p.is_dir() else 0o600)]
    assert loose == []


def test_existing_loose_permissions_are_tightened_when_opened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = PatternLibrary(data, HashingEmbedder())
    first.learn_source(handler(1), path(1))
    first.close()
    for item in [data, *data.rglob("*")]:  # what an older onex-lsp (or a umask) left
        item.chmod(0o755 if item.is_dir() else 0o644)
    library = PatternLibrary(data, HashingEmbedder())
    assert len(library.candidates(*QUERY)) == 1  # opens the index too
    try:
        assert _mode(data) == 0o700
        assert _mode(data / "journal.sqlite3") == 0o600
        shard = data / "index" / HashingEmbedder.id / "shard"
        assert {_mode(p) for p in shard.rglob("*") if p.is_file()} == {0o600}
        assert {_mode(p) for p in shard.rglob("*") if p.is_dir()} == {0o700}
    finally:
        library.close()
