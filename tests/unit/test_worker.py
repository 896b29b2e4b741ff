"""Extraction in a worker process: same blocks as in-process, a dead worker is replaced,
and no worker outlives its owner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from onex_lsp.learning.blocks import blocks_from_source
from onex_lsp.learning.worker import ExtractionWorker
from tests.conftest import ROOT
from tests.unit.test_library import handler, path


@pytest.fixture(scope="module")
def worker() -> Iterator[ExtractionWorker]:
    made = ExtractionWorker()
    yield made
    made.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_the_worker_returns_the_blocks_extracted_in_process(worker: ExtractionWorker) -> None:
    remote = worker.extract(handler(1), path(1))
    local = blocks_from_source(handler(1), path(1))
    assert [(b.id, b.template, b.embedding_text) for b in remote.blocks] == [
        (b.id, b.template, b.embedding_text) for b in local.blocks
    ]
    assert worker.pid() != os.getpid()


def test_the_worker_reads_the_package_contract_for_the_context(
    worker: ExtractionWorker, tmp_path: Path, minimal_effect: str
) -> None:
    package = tmp_path / "node_user_management_effect"
    (package / "handlers").mkdir(parents=True)
    (package / "contract.yaml").write_text(minimal_effect)
    saved = package / "handlers" / "handler_total_orders.py"
    (handler_block,) = worker.extract(handler(4), str(saved)).blocks
    assert handler_block.embedding_text.endswith("Manages users")


def test_a_file_that_does_not_parse_comes_back_as_a_located_error(
    worker: ExtractionWorker,
) -> None:
    outcome = worker.extract("def ok():\n    return 1\n\nx = = 2\n", path(2))
    assert outcome.blocks == ()
    assert outcome.error is not None and outcome.error.line == 4


def test_a_killed_worker_is_replaced(worker: ExtractionWorker) -> None:
    first = worker.pid()
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(first) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(worker.extract(handler(3), path(3)).blocks) == 1
    assert worker.pid() != first


def test_close_stops_the_worker() -> None:
    owned = ExtractionWorker()
    pid = owned.pid()
    owned.close()
    assert not _alive(pid)


OWNER = """
import sys, time
sys.path.insert(0, {root!r})
from onex_lsp.learning.worker import ExtractionWorker
if __name__ == "__main__":
    worker = ExtractionWorker()
    print(worker.pid(), flush=True)
    time.sleep(600)
"""


def test_a_worker_whose_owner_is_killed_exits(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(OWNER.format(root=str(ROOT / "server")))
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    pid = int(owner.stdout.readline())
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
