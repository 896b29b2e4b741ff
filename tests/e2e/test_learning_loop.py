"""The whole learning loop over LSP with the real MiniLM model.

Generate a node, edit a handler in a house style, save it, then generate a second,
different contract: the learned style is the default block, and the package it makes
passes ruff, mypy --strict and its tests on omnibase-core (Python 3.12).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import ROOT
from tests.e2e.lsp_client import (
    SERVER_COMMAND,
    SERVER_ENV,
    apply_action,
    initialize,
    learned_ready,
    open_document,
    request_actions,
    uri,
    wait_for,
)

EXAMPLES = ROOT / "examples" / "contracts"
HOUSE_LINE = '    record.setdefault("status", "active")  # house style: new users start active\n'
pytestmark = pytest.mark.framework


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> Any:
    options = {"onex": {"diagnosticsDelayMs": 20, "store": {"perWorkspace": True}}}
    await initialize(lsp_client, "visual-studio-code", tmp_path, options)
    yield lsp_client
    await lsp_client.shutdown_session()


async def _generate(client: LanguageClient, contract: Path) -> list[lsp.CodeAction]:
    doc_uri = open_document(client, contract)
    await learned_ready(client, doc_uri)
    return await request_actions(client, doc_uri, "source.onex.generateNode")


async def test_learned_house_style_becomes_the_default_block(
    client: LanguageClient, py312: Path
) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    await wait_for(
        lambda: any("MiniLM ready" in m.message for m in client.log_messages), timeout=180
    )

    # 1. Generate the first node and accept it.
    first = workspace / "users" / "user_management_effect.yaml"
    first.parent.mkdir()
    shutil.copy(EXAMPLES / "user_management_effect.yaml", first)
    (action,) = await _generate(client, first)
    await apply_action(client, action)
    handler = first.parent / "node_user_management_effect" / "handlers" / "handler_create_user.py"
    original = handler.read_text()

    # 2. Edit the handler in the house style and save it.
    house = original.replace(
        "    stored = await repository.create(record)\n",
        HOUSE_LINE + "    stored = await repository.create(record)\n",
    )
    assert house != original
    handler_uri = uri(handler)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=handler_uri, language_id="python", version=1, text=original
            )
        )
    )
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=handler_uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=house)],
        )
    )
    handler.write_text(house)
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=handler_uri))
    )
    await wait_for(
        lambda: any("from handler_create_user.py" in m.message for m in client.log_messages),
        timeout=60,
    )
    learned = next(
        m.message for m in client.log_messages if "from handler_create_user.py" in m.message
    )
    assert learned.startswith("learned ") and not learned.startswith("learned 0 ")

    # 3. A different contract: its create operation gets the learned block by default.
    second = workspace / "crm" / "customer_records_effect.yaml"
    second.parent.mkdir()
    second.write_text(
        (EXAMPLES / "customer_records_effect.yaml")
        .read_text()
        .replace("upsert_customer", "create_customer")
    )
    actions = await _generate(client, second)
    titles = [a.title for a in actions]
    assert titles[0].endswith("+ your learned blocks (create_customer)"), titles
    assert actions[0].is_preferred
    assert any(t.endswith("built-in blocks only") for t in titles)
    await apply_action(client, actions[0])
    package = second.parent / "node_customer_records_effect"
    rendered = (package / "handlers" / "handler_create_customer.py").read_text()
    assert (
        'record.setdefault("status", "active")  # house style: new customers start active'
        in rendered
    )
    assert "learned from" in rendered and "similarity" in rendered

    # 4. The learned package passes the core bar on omnibase-core.
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    for args in (
        ["-m", "ruff", "check", "--isolated", package.name],
        ["-m", "mypy", "--strict", package.name],
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", package.name],
    ):
        proc = subprocess.run(
            [str(py312), *args],
            cwd=package.parent,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
