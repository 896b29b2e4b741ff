"""The language server end to end over stdio, with the client profiles of real editors.

Parameterised over pytest-lsp's VS Code, Neovim and Emacs (eglot) capability profiles:
VS Code creates files through ``documentChanges``; Neovim announces no
``documentChanges`` and Emacs no resource operations, so for them the server writes the
files itself through the ``onex.generateNode`` command.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from tests.conftest import ROOT, recorded_files
from tests.e2e.lsp_client import (
    PROFILES,
    SERVER_COMMAND,
    SERVER_ENV,
    apply_action,
    initialize,
    open_document,
    request_actions,
    uri,
    wait_for,
)

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV), params=PROFILES
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    await initialize(lsp_client, request.param, workspace)
    yield lsp_client
    await lsp_client.shutdown_session()


async def _generate_actions(client: LanguageClient, doc_uri: str) -> list[lsp.CodeAction]:
    return await request_actions(client, doc_uri, "source.onex.generateNode")


async def test_generate_node_writes_what_the_cli_writes(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    contract_path = workspace / "user_management_effect.yaml"
    shutil.copy(EXAMPLE, contract_path)
    doc_uri = open_document(client, contract_path)

    await wait_for(lambda: doc_uri in client.diagnostics)
    assert list(client.diagnostics[doc_uri]) == []

    actions = await _generate_actions(client, doc_uri)
    assert [a.title for a in actions] == [
        "Generate EFFECT node user_management — CRUD 0.95 (create, get, update, delete, list)"
    ]
    assert actions[0].is_preferred
    assert actions[0].kind == "source.onex.generateNode"

    await apply_action(client, actions[0])

    package = workspace / "node_user_management_effect"
    contract = load_contract(EXAMPLE.read_text(), str(contract_path)).contract
    assert contract is not None
    generated = plan_package(contract, Location(contract_path, workspace))
    expected = {f"{package.name}/{rel}": text for rel, text in recorded_files(generated).items()}
    written = {
        p.relative_to(workspace).as_posix(): p.read_text()
        for p in package.rglob("*")
        if p.is_file()
    }
    assert written == expected

    caps = client.capabilities  # generating opens the node for the user, however applied
    if caps and caps.window and caps.window.show_document:
        assert [d.uri for d in client.shown_documents] == [uri(package / "node.py")]
    applied = [m.message for m in client.log_messages if "suggestion applied" in m.message]
    assert len(applied) == 1

    # The package exists now: no second generate action (at most a disabled one saying
    # why), and nothing is overwritten.
    assert all(a.disabled is not None for a in await _generate_actions(client, doc_uri))


async def test_generation_progress_is_reported(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    contract_path = workspace / "user_management_effect.yaml"
    shutil.copy(EXAMPLE, contract_path)
    doc_uri = open_document(client, contract_path)
    (action,) = await _generate_actions(client, doc_uri)
    await apply_action(client, action)
    kinds = [[type(v).__name__ for v in values] for values in client.progress_reports.values()]
    assert ["WorkDoneProgressBegin", "WorkDoneProgressEnd"] in kinds


async def test_diagnostics_appear_with_ranges_and_clear(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    path = workspace / "contract.yaml"
    good = EXAMPLE.read_text()
    path.write_text(good)
    doc_uri = open_document(client, path)
    await wait_for(lambda: doc_uri in client.diagnostics)
    assert list(client.diagnostics[doc_uri]) == []

    bad = good.replace("node_type: EFFECT_GENERIC", "node_type: gizmo").replace(
        "tags:", "version: 1\ntags:"
    )
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=doc_uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=bad)],
        )
    )
    await wait_for(lambda: len(client.diagnostics[doc_uri]) == 2)
    found = {
        (d.code, d.range.start.line, d.range.start.character, d.severity)
        for d in client.diagnostics[doc_uri]
    }
    assert found == {
        ("invalid-node-type", 4, 11, lsp.DiagnosticSeverity.Error),
        ("deprecated-version-key", 8, 0, lsp.DiagnosticSeverity.Error),
    }
    assert all(d.source == "onex-lsp" for d in client.diagnostics[doc_uri])
    # Nothing to generate from a broken contract.
    assert await _generate_actions(client, doc_uri) == []

    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=doc_uri, version=3),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=good)],
        )
    )
    await wait_for(lambda: list(client.diagnostics[doc_uri]) == [])
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=doc_uri))
    )


async def test_hover_explains_the_detected_pattern(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    path = workspace / "contract.yaml"
    text = EXAMPLE.read_text()
    path.write_text(text)
    doc_uri = open_document(client, path)
    line = next(i for i, ln in enumerate(text.splitlines()) if "operation: get_user" in ln)
    column = text.splitlines()[line].index("get_user") + 2
    result = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=doc_uri),
            position=lsp.Position(line=line, character=column),
        )
    )
    assert result is not None
    assert isinstance(result.contents, lsp.MarkupContent)
    assert "**get_user** → `crud.read` (confidence 0.95)" in result.contents.value
    assert "get_user: verb 'get' → CRUD read" in result.contents.value
    assert "Handler: `handle_get_user` in `node_user_management_effect/handlers/" in (
        result.contents.value
    )
    first_line = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=doc_uri),
            position=lsp.Position(line=0, character=0),
        )
    )
    assert first_line is not None and isinstance(first_line.contents, lsp.MarkupContent)
    assert first_line.contents.value.startswith("**ONEX contract** — strict typed contract")
    assert "EFFECT node `user_management`" in first_line.contents.value
    between = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=doc_uri),
            position=lsp.Position(line=2, character=0),
        )
    )
    assert between is None


async def test_show_detected_patterns_and_settings_change(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    path = workspace / "contract.yaml"
    path.write_text(EXAMPLE.read_text())
    doc_uri = open_document(client, path)

    async def blocks() -> list[str]:
        result = await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="onex.showDetectedPatterns", arguments=[doc_uri])
        )
        assert result["node"] == "node_user_management_effect"
        assert result["patterns"][0]["pattern"] == "crud"
        return [op["block"] for op in result["operations"]]

    assert await blocks() == ["crud.create", "crud.read", "crud.update", "crud.delete", "crud.list"]

    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"onex": {"threshold": 0.99}})
    )
    await wait_for(lambda: True)
    assert await blocks() == ["stub"] * 5

    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"onex": {"threshold": "high"}})
    )
    await wait_for(lambda: any("onex.threshold" in m.message for m in client.log_messages))
    assert await blocks() == ["crud.create", "crud.read", "crud.update", "crud.delete", "crud.list"]


async def test_bad_setting_is_one_message_naming_the_key(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"onex": {"threshold": 7}})
    )
    await wait_for(lambda: client.messages)
    assert len(client.messages) == 1
    assert "onex.threshold" in client.messages[0].message
    assert client.messages[0].type == lsp.MessageType.Warning
