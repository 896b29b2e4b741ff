"""The optional deep check: omnibase-core's validator run on save in the user's venv.

The interpreter is a restricted setting: it is run only when it comes with the options
the editor starts the server with (user or trusted settings), never when a
``workspace/configuration`` answer or push names it (a workspace could steer those)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import ROOT
from tests.e2e.lsp_client import FAST_OPTIONS, SERVER_COMMAND, SERVER_ENV, initialize, uri, wait_for

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient, tmp_path: Path) -> Any:
    lsp_client.workspace_root = tmp_path  # type: ignore[attr-defined]
    yield lsp_client  # each test starts the session with its own options
    await lsp_client.shutdown_session()


async def _start(client: LanguageClient, interpreter: str | None) -> None:
    options = {**FAST_OPTIONS["onex"], "validationInterpreter": interpreter}
    await initialize(client, "visual-studio-code", client.workspace_root, {"onex": options})  # type: ignore[attr-defined]


def _program(folder: Path, name: str) -> Path:
    """An executable that leaves a mark when run (and is no Python)."""
    mark = folder / f"{name}.ran"
    program = folder / name
    program.write_text(f"#!/bin/sh\ntouch {mark}\n")
    program.chmod(0o755)
    return mark


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
    await _start(client, missing)
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
    await _start(client, str(py312))
    text = EXAMPLE.read_text().replace("tags:", "bogus: 1\ntags:")
    doc_uri = _open_and_save(client, client.workspace_root / "contract.yaml", text)  # type: ignore[attr-defined]
    await wait_for(
        lambda: any(d.code == "framework-violation" for d in client.diagnostics.get(doc_uri, ())),
        timeout=60,
    )
    (violation,) = [d for d in client.diagnostics[doc_uri] if d.code == "framework-violation"]
    assert violation.message == "omnibase-core: bogus: Extra inputs are not permitted"
    assert violation.range.start.line == text.splitlines().index("bogus: 1")


async def test_an_interpreter_named_by_workspace_configuration_is_never_run(
    client: LanguageClient,
) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    answered, pushed = _program(workspace, "answered"), _program(workspace, "pushed")
    client.set_configuration({"onex": {"validationInterpreter": str(workspace / "answered")}})
    await _start(client, None)
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(
            settings={"onex": {"validationInterpreter": str(workspace / "pushed")}}
        )
    )
    doc_uri = _open_and_save(client, workspace / "contract.yaml", EXAMPLE.read_text(), saves=2)
    await wait_for(lambda: doc_uri in client.diagnostics)
    await wait_for(lambda: len(client.messages) >= 2)

    assert not answered.exists() and not pushed.exists()
    assert all(m.type == lsp.MessageType.Warning for m in client.messages)
    assert all("onex.validationInterpreter ignored" in m.message for m in client.messages)


async def test_an_interpreter_from_the_start_up_options_is_run(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    mark = _program(workspace, "trusted")
    await _start(client, str(workspace / "trusted"))
    _open_and_save(client, workspace / "contract.yaml", EXAMPLE.read_text())
    await wait_for(mark.exists)
