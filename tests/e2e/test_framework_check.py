"""The optional deep check: omnibase-core's validator run on save in the user's venv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import ROOT
from tests.e2e.lsp_client import SERVER_COMMAND, SERVER_ENV, initialize, uri, wait_for

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> Any:
    await initialize(lsp_client, "visual-studio-code", tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


def _open_and_save(client: LanguageClient, path: Path, text: str, saves: int = 1) -> str:
    doc_uri = uri(path)
    path.write_text(text)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=doc_uri, language_id="yaml", version=1, text=text
            )
        )
    )
    for _ in range(saves):
        client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc_uri))
        )
    return doc_uri


async def test_a_broken_interpreter_is_one_clear_message(client: LanguageClient) -> None:
    missing = "/nonexistent/python3.12"
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"onex": {"validationInterpreter": missing}})
    )
    _open_and_save(client, client.workspace_root / "contract.yaml", EXAMPLE.read_text(), saves=3)  # type: ignore[attr-defined]
    await wait_for(lambda: client.messages)
    await wait_for(
        lambda: sum(m.message.startswith("cannot run") for m in client.log_messages) >= 3
    )
    assert len(client.messages) == 1
    assert missing in client.messages[0].message
    assert client.messages[0].type == lsp.MessageType.Error


@pytest.mark.framework
async def test_framework_violations_are_published_on_save(
    client: LanguageClient, py312: Path
) -> None:
    python = str(py312)
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"onex": {"validationInterpreter": python}})
    )
    text = EXAMPLE.read_text().replace("tags:", "bogus: 1\ntags:")
    doc_uri = _open_and_save(client, client.workspace_root / "contract.yaml", text)  # type: ignore[attr-defined]
    await wait_for(
        lambda: any(d.code == "framework-violation" for d in client.diagnostics.get(doc_uri, ())),
        timeout=60,
    )
    (violation,) = [d for d in client.diagnostics[doc_uri] if d.code == "framework-violation"]
    assert violation.message == "omnibase-core: bogus: Extra inputs are not permitted"
    assert violation.range.start.line == text.splitlines().index("bogus: 1")
