"""Little free space under the data directory: the index stays closed (its engine dies
with SIGBUS when the disk fills under a mapped file), learning pauses with one log line,
generation keeps working, and everything resumes by itself when space returns."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary, learned_options
from tests.conftest import EXAMPLES
from tests.reliability.conftest import GB, FreeSpace, fast_policy, handler, path, wait_until

MB = 1024 * 1024
QUERY = ("reducer", "aggregation.sum", "total orders")


def _paused_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "MB free" in r.getMessage()]


def test_low_space_keeps_the_index_closed_pauses_learning_and_resumes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="onex_lsp")
    space = FreeSpace(free=5 * MB)
    library = PatternLibrary(tmp_path, HashingEmbedder(), policy=fast_policy(space))
    try:
        report = library.learn_source(handler(1), path(1))
        assert report.learned == () and report.paused is not None
        assert "5 MB free" in report.paused
        started = time.monotonic()
        assert library.candidates(*QUERY) == []
        assert time.monotonic() - started < 2.0
        assert not (tmp_path / "index").exists()  # the engine never mapped a file
        library.learn_source(handler(2), path(2))  # a second save while paused: held too
        time.sleep(0.3)  # several retry rounds while the disk is still full
        assert len(_paused_lines(caplog)) == 1  # one clear line, not one per retry

        space.free = 10 * GB
        recovery = wait_until(lambda: len(library.candidates(*QUERY)) == 2)
        assert recovery < 5.0
        assert len(library.journal.blocks()) == 2  # both saves learned after the pause
        assert any("learning resumed" in r.getMessage() for r in caplog.records)
    finally:
        library.close()


def test_space_running_out_while_open_closes_the_index(tmp_path: Path) -> None:
    space = FreeSpace(free=10 * GB)
    library = PatternLibrary(tmp_path, HashingEmbedder(), policy=fast_policy(space))
    try:
        library.learn_source(handler(1), path(1))
        assert len(library.candidates(*QUERY)) == 1
        space.free = 1 * MB
        assert library.learn_source(handler(2), path(2)).paused is not None
        assert library.store_description == "not open"  # closed before it could grow
        assert library.candidates(*QUERY) == []
        space.free = 10 * GB
        wait_until(lambda: len(library.candidates(*QUERY)) == 2)
    finally:
        library.close()


def test_generation_keeps_working_while_learning_is_paused(tmp_path: Path) -> None:
    library = PatternLibrary(tmp_path, HashingEmbedder(), policy=fast_policy(FreeSpace(0)))
    try:
        contract_path = next(p for p in EXAMPLES if p.name == "sales_metrics_reducer.yaml")
        contract = load_contract(contract_path.read_text(), str(contract_path)).contract
        assert contract is not None
        generated = plan_package(contract, Location(tmp_path / "contract.yaml", tmp_path))
        assert learned_options(library, contract, generated.plan, 0.7) == {}
        assert any(name.endswith("node.py") for name in generated.files)
    finally:
        library.close()
