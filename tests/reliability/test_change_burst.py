"""A burst of 1,000 didChange/s for 10 s through the real server: its memory stays
bounded, and it answers at once afterwards with the diagnostics of the last version.

The burst runs in two halves: the second may not grow the server's RSS by more than
a few MB (pygls 2.1 kept ~2 KB per notification, 10 MB per half: ``lsp/server.py``
``_Protocol``), and the peak (``VmHWM``) stays under its size after start-up plus a
generous ceiling. The figures are printed. ``ONEX_BURST_SECONDS`` makes it longer.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp

from tests.conftest import MINIMAL_EFFECT
from tests.reliability.lsp_runner import HANG_SECONDS, FuzzCounts, LspRunner, open_text

RATE = 1000  # didChange per second
SECONDS = float(os.environ.get("ONEX_BURST_SECONDS", "10"))
CEILING_MB = 300  # growth allowed over the server's start-up RSS
SECOND_HALF_MB = 6  # growth allowed in the second half (a 2 KB/change leak: 10 MB)


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def _typing(doc: str, version: int, line: int, insert: bool) -> lsp.DidChangeTextDocumentParams:
    """One keystroke at the start of ``line``: an "x" typed, or deleted again."""
    start = lsp.Position(line=line, character=0)
    end = start if insert else lsp.Position(line=line, character=1)
    return lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=doc, version=version),
        content_changes=[
            lsp.TextDocumentContentChangePartial(
                range=lsp.Range(start=start, end=end), text="x" if insert else ""
            )
        ],
    )


async def _burst(runner: LspRunner, docs: list[str], versions: dict[str, int]) -> tuple[int, float]:
    """``RATE`` changes a second for half of ``SECONDS``, spread over the documents;
    returns (sent, seconds)."""
    client, sent, started = runner.client, 0, time.monotonic()
    while (elapsed := time.monotonic() - started) < SECONDS / 2:
        for _ in range(int(elapsed * RATE) - sent):
            doc = docs[sent % len(docs)]
            versions[doc] += 1
            insert = versions[doc] % 2 == 0
            client.text_document_did_change(_typing(doc, versions[doc], 1, insert))
            sent += 1
        await asyncio.sleep(0.005)
    return sent, time.monotonic() - started


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_burst_of_changes_keeps_memory_bounded_and_the_server_answering(
    tmp_path: Path,
) -> None:
    runner = LspRunner(tmp_path, FuzzCounts())
    server: Any = runner.client._server  # type: ignore[attr-defined]
    contract = tmp_path / "node_user_management_effect" / "contract.yaml"
    contract.parent.mkdir()
    contract.write_text(MINIMAL_EFFECT)
    handler = contract.parent / "handlers" / "handler_create_user.py"
    handler.parent.mkdir()
    handler.write_text("def handle_create_user(request):\n    return request\n")

    async def scenario() -> tuple[int, float, float, list[lsp.Diagnostic]]:
        client = runner.client
        docs = [open_text(client, contract, contract.read_text(), "yaml"),
                open_text(client, handler, handler.read_text(), "python")]  # fmt: skip
        await runner.diagnostics_for(docs[0], 1)
        versions = dict.fromkeys(docs, 1)
        sent, took = await _burst(runner, docs, versions)
        await _settled(runner, docs[0], versions[docs[0]])
        halfway.append(_kb(server.pid, "VmRSS"))
        more, took_more = await _burst(runner, docs, versions)
        sent, took = sent + more, took + took_more
        started = time.monotonic()
        await runner.request(
            "hover",
            client.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(uri=docs[0]), lsp.Position(0, 2))
            ),
        )
        answered = time.monotonic() - started
        return sent, took, answered, await runner.diagnostics_for(docs[0], versions[docs[0]])

    halfway: list[int] = []
    try:
        before = _kb(server.pid, "VmRSS")
        sent, took, answered, diagnostics = runner.call(scenario(), timeout=SECONDS + 120)
        peak, after = _kb(server.pid, "VmHWM"), _kb(server.pid, "VmRSS")
        assert runner.alive() and runner.internal_error_logs() == []
    finally:
        runner.stop()
    print(f"\nburst: {sent} didChange in {took:.1f} s ({sent / took:.0f}/s); server RSS "
          f"{before // 1024} MB at start, {halfway[0] // 1024} MB halfway, peak "
          f"{peak // 1024} MB, {after // 1024} MB after; "
          f"hover answered {answered * 1000:.0f} ms after the burst")  # fmt: skip
    assert sent >= RATE * SECONDS * 0.9
    assert answered < HANG_SECONDS
    assert diagnostics == [] or all(d.range.start.line >= 0 for d in diagnostics)
    assert peak - before < CEILING_MB * 1024
    assert after - halfway[0] < SECOND_HALF_MB * 1024


async def _settled(runner: LspRunner, doc: str, version: int) -> None:
    """The server has caught up with the changes sent (it published their last version)."""
    await runner.diagnostics_for(doc, version)
