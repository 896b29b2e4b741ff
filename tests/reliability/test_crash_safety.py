"""kill -9 at any point loses nothing that was acknowledged: a learned block is committed
to the journal before ``learn_source`` returns, a feedback event before ``record``
returns; two processes learning into one data directory both keep everything; an index
left behind mid-write is found out of step and rebuilt."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
from tests.conftest import ROOT
from tests.reliability.conftest import wait_until

QUERY = ("reducer", "aggregation.sum", "total orders")

CHILD = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from tests.reliability.test_crash_safety import _handler
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
tag, base = sys.argv[1], int(sys.argv[2])
library = PatternLibrary(Path({data!r}), HashingEmbedder())
n = 0
while True:
    n += 1
    source, where = _handler(base + n), f"/ws/node_orders_reducer/handlers/h_{{base + n}}.py"
    report = library.learn_source(source, where)
    print("block", report.learned[0].id, flush=True)   # acknowledged: committed
    library.journal.record("applied", None, {{"who": tag, "n": n}})
    print("event", tag, n, flush=True)
"""


def _start(tmp_path: Path, tag: str, base: int) -> tuple[subprocess.Popen[bytes], Path]:
    script = tmp_path / f"child_{tag}.py"
    script.write_text(CHILD.format(root=str(ROOT), data=str(tmp_path / "data")))
    out = tmp_path / f"out_{tag}.txt"
    with out.open("w") as handle:
        child = subprocess.Popen([sys.executable, str(script), tag, str(base)], stdout=handle)
    return child, out


def _acknowledged(outputs: list[Path]) -> tuple[set[str], set[str]]:
    blocks: set[str] = set()
    events: set[str] = set()
    for out in outputs:
        for line in out.read_text().splitlines():
            kind, *rest = line.split()
            if kind == "block" and len(rest) == 1 and len(rest[0]) == 36:
                blocks.add(rest[0])
            elif kind == "event" and len(rest) == 2:
                events.add(" ".join(rest))
    return blocks, events


def _lines(out: Path) -> int:
    return out.read_text().count("\n")


def test_two_processes_killed_mid_write_lose_no_acknowledged_block_or_event(
    tmp_path: Path,
) -> None:
    rng = random.Random(12)
    started = [_start(tmp_path, "a", 10_000), _start(tmp_path, "b", 20_000)]
    wait_until(lambda: all(_lines(out) >= 20 for _, out in started), timeout=120)
    time.sleep(rng.random() * 0.5)
    for child, _ in started:
        os.kill(child.pid, signal.SIGKILL)
        time.sleep(rng.random() * 0.2)
        child.wait()
    blocks, events = _acknowledged([out for _, out in started])
    assert len(blocks) >= 20 and {e.split()[0] for e in events} == {"a", "b"}

    library = PatternLibrary(tmp_path / "data", HashingEmbedder())
    try:
        journalled = {b.id for _, b in library.journal.blocks()}
        assert blocks <= journalled
        recorded = {
            f"{e['who']} {e['n']}" for e in library.journal.events() if e["type"] == "applied"
        }
        assert events <= recorded
        # The index (whatever the kill left of it) offers every journalled block.
        found = library.candidates(*QUERY, limit=len(journalled) + 10)
        assert {c.block.id for c in found} == journalled
    finally:
        library.close()


OPENER = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from onex_lsp.learning.journal import Journal
start = float(sys.argv[1])
while time.time() < start:
    pass
journal = Journal(Path({path!r}))
print(journal.problem or "open", flush=True)
"""


def test_editor_windows_opening_a_new_data_directory_together_all_learn(tmp_path: Path) -> None:
    """Several servers creating one journal at the same moment: none pauses learning.

    (SQLite refuses at once, without waiting, a connection that races another one
    switching a new file to WAL or writing its schema; before the fix about two trials
    in three paused one of the four windows.)
    """
    for trial in range(6):
        script = tmp_path / f"opener_{trial}.py"
        journal = tmp_path / f"data_{trial}" / "journal.sqlite3"
        script.write_text(OPENER.format(root=str(ROOT), path=str(journal)))
        start = f"{time.time() + 1.0:.3f}"  # every window past its imports
        windows = [
            subprocess.Popen(
                [sys.executable, str(script), start], stdout=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        said = [window.communicate(timeout=60)[0].strip() for window in windows]
        assert said == ["open"] * 4, f"trial {trial}: {said}"


SYNCER = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
library = PatternLibrary(Path({data!r}), HashingEmbedder())
while True:  # wipe and refill the index over and over: a kill lands mid-write
    library.reindex()
    print("rebuilt", flush=True)
"""


def test_an_index_killed_mid_rebuild_is_rebuilt_at_the_next_open(tmp_path: Path) -> None:
    data = tmp_path / "data"
    library = PatternLibrary(data, HashingEmbedder())
    for n in range(300):
        library.learn_source(_handler(n), f"/ws/node_orders_reducer/handlers/h_{n}.py", index=False)
    library.close()
    script = tmp_path / "syncer.py"
    script.write_text(SYNCER.format(root=str(ROOT), data=str(data)))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "rebuilt"
    time.sleep(random.Random(3).random() * 0.5)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    meta = data / "index" / HashingEmbedder.id / "onex-index.json"
    assert not meta.exists() or json.loads(meta.read_text())["synced_seq"] <= 300
    reopened = PatternLibrary(data, HashingEmbedder())
    try:
        assert len(reopened.candidates(*QUERY, limit=400)) == 300
    finally:
        reopened.close()


def _handler(n: int) -> str:
    return (
        "from ..models.model_orders_input import ModelOrdersInput\n"
        "from ..models.model_orders_output import ModelOrdersOutput\n\n\n"
        f"def handle_total_orders(request: ModelOrdersInput) -> ModelOrdersOutput:\n"
        f"    total = sum(float(item.get('amount', 0)) for item in request.items) * {n}\n"
        "    return ModelOrdersOutput(operation='total_orders', data={'total': total})\n"
    )
