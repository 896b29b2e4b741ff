"""kill -9 of the language server during rapid saves loses no save: each accepted save is
journalled (a pending save) before it waits to be learned, and the next server learns
what a killed one left pending. The data it leaves is private (0700 / 0600)."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
from tests.conftest import ROOT
from tests.e2e.lsp_client import apply_workspace_edit
from tests.reliability.conftest import handler, wait_until
from tests.reliability.lsp_runner import FuzzCounts, LspRunner, change_text, open_text

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"
SAVES = 25


def _count(data: Path, query: str) -> int:
    journal = data / "journal.sqlite3"
    if not journal.exists():
        return 0
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5) as db:
        return int(db.execute(query).fetchone()[0])


def _pending(data: Path) -> int:
    return _count(data, "SELECT count(*) FROM events WHERE type = 'save-pending'")


def _blocks(data: Path) -> int:
    return _count(data, "SELECT count(*) FROM blocks")


async def _generate(runner: LspRunner) -> Path:
    """Generate the example's package through the server and apply it, as VS Code does."""
    contract = runner.workspace / EXAMPLE.name
    contract.write_text(EXAMPLE.read_text())
    doc = open_text(runner.client, contract, contract.read_text(), "yaml")
    await runner.diagnostics_for(doc, 1)
    origin = lsp.Position(line=0, character=0)
    actions = await runner.client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri=doc),
            lsp.Range(start=origin, end=origin),
            lsp.CodeActionContext([], only=["source.onex.generateNode"]),
        )
    )
    resolved = await runner.client.code_action_resolve_async(actions[0])  # type: ignore[index, arg-type]
    apply_workspace_edit(resolved.edit)
    command: Any = resolved.command
    await runner.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )
    return runner.workspace / "node_user_management_effect" / "handlers" / "handler_create_user.py"


def _save_rapidly(runner: LspRunner, path: Path) -> None:
    client = runner.client
    doc = open_text(client, path, path.read_text(), "python")
    for n in range(1, SAVES + 1):
        change_text(client, doc, n + 1, handler(1000 + n))
        client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc))
        )


def _distinct_blocks(data: Path, where: Path) -> int:
    """The blocks the saved texts hold (some repeat one another once normalised)."""
    library = PatternLibrary(data, HashingEmbedder())
    try:
        for n in range(1, SAVES + 1):
            library.learn_source(handler(1000 + n), str(where))
        return _blocks(data)
    finally:
        library.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_kill_9_during_rapid_saves_loses_no_save(tmp_path: Path) -> None:
    data, workspace = tmp_path / "data", tmp_path / "workspace"
    workspace.mkdir()
    first = LspRunner(workspace, FuzzCounts(), data_dir=data)
    try:
        handler_path = first.call(_generate(first))
        _save_rapidly(first, handler_path)
        wait_until(lambda: _pending(data) == SAVES, timeout=60)
        learned_before_kill = _blocks(data)
        server: Any = first.client._server  # type: ignore[attr-defined]
        os.kill(server.pid, signal.SIGKILL)
        wait_until(lambda: not first.alive())
    finally:
        first.stop()
    assert learned_before_kill < SAVES, "the saves were learned before the kill: no test"

    started = time.monotonic()
    second = LspRunner(workspace, FuzzCounts(), data_dir=data)
    try:
        learned = "SELECT count(*) FROM events WHERE type = 'save-learned'"
        wait_until(lambda: _count(data, learned) == SAVES, timeout=120)
        recovered = time.monotonic() - started
        assert _blocks(data) == _distinct_blocks(tmp_path / "reference", handler_path)
    finally:
        second.stop()
    print(f"\nkill -9 after {SAVES} saves: {learned_before_kill} block(s) learned before the "
          f"kill, all {SAVES} saves learned {recovered:.1f} s after the restart")  # fmt: skip
    assert _mode(data) == 0o700
    journal_files = list(data.glob("journal.sqlite3*"))
    assert journal_files and {_mode(p) for p in journal_files} == {0o600}
    index_files = [p for p in (data / "index").rglob("*") if p.is_file()]
    assert index_files and {_mode(p) for p in index_files} == {0o600}
