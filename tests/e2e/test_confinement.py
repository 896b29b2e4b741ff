"""Nothing written or proposed outside the workspace, symlinks included.

A folder of the package (or the contract's own folder) that is a symlink to a directory
outside the workspace: the edit VS Code would apply (``CreateFile``/``TextDocumentEdit``)
and the files the server writes itself for Neovim and Emacs are both refused, with a
message, and nothing appears outside.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import ROOT
from tests.e2e.lsp_client import (
    PROFILES,
    SERVER_COMMAND,
    SERVER_ENV,
    apply_workspace_edit,
    initialize,
    open_document,
    request_actions,
    wait_for,
)
from tests.e2e.test_drift import NEW_OPERATION, _generate_in_place

EXAMPLE = ROOT / "examples" / "contracts" / "user_management_effect.yaml"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV), params=PROFILES
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (tmp_path / "elsewhere").mkdir()
    await initialize(lsp_client, request.param, workspace)
    yield lsp_client
    await lsp_client.shutdown_session()


def _elsewhere(client: LanguageClient) -> Path:
    return client.workspace_root.parent / "elsewhere"  # type: ignore[attr-defined, no-any-return]


def _edit_paths(edit: lsp.WorkspaceEdit) -> list[Path]:
    paths = []
    for change in edit.document_changes or []:
        if isinstance(change, lsp.CreateFile):
            paths.append(Path(to_fs_path(change.uri)))
        elif isinstance(change, lsp.TextDocumentEdit):
            paths.append(Path(to_fs_path(change.text_document.uri)))
    return paths + [Path(to_fs_path(u)) for u in (edit.changes or {})]


async def _choose(client: LanguageClient, action: lsp.CodeAction) -> None:
    """Resolve and apply the action as the editor would (the edit, then the command, with
    which the server writes the files for Neovim and Emacs); any edit proposed must stay
    in the workspace."""
    if action.edit is None and action.command is None:
        action = await client.code_action_resolve_async(action)
    workspace = client.workspace_root.resolve()  # type: ignore[attr-defined]
    if action.edit is not None:
        outside = [p for p in _edit_paths(action.edit) if workspace not in p.resolve().parents]
        assert outside == [], "an edit proposed outside the workspace"
        apply_workspace_edit(action.edit)
    if action.command is not None:
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(
                command=action.command.command, arguments=action.command.arguments
            )
        )


async def _refused(client: LanguageClient, prefix: str) -> None:
    await wait_for(lambda: any(m.message.startswith(prefix) for m in client.messages))
    (message,) = [m for m in client.messages if m.message.startswith(prefix)]
    assert message.type == lsp.MessageType.Error
    assert "outside" in message.message
    assert [p for p in _elsewhere(client).rglob("*") if p.is_file()] == []


async def test_a_handlers_folder_linked_outside_is_not_generated_into(
    client: LanguageClient,
) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    contract_path = workspace / "user_management_effect.yaml"
    shutil.copy(EXAMPLE, contract_path)
    (workspace / "node_user_management_effect").mkdir()
    (workspace / "node_user_management_effect" / "handlers").symlink_to(_elsewhere(client))
    doc_uri = open_document(client, contract_path)
    await wait_for(lambda: doc_uri in client.diagnostics)

    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    await _choose(client, action)

    await _refused(client, "Not generated")
    assert not (workspace / "node_user_management_effect" / "node.py").exists()


async def test_a_contract_folder_linked_outside_is_not_generated_into(
    client: LanguageClient,
) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    shutil.copy(EXAMPLE, _elsewhere(client) / "user_management_effect.yaml")
    (workspace / "linked").symlink_to(_elsewhere(client))
    doc_uri = open_document(client, workspace / "linked" / "user_management_effect.yaml")
    await wait_for(lambda: doc_uri in client.diagnostics)

    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    (_elsewhere(client) / "user_management_effect.yaml").unlink()  # only what is written
    await _choose(client, action)

    await _refused(client, "Not generated")


async def test_a_handler_is_not_added_through_a_linked_folder(client: LanguageClient) -> None:
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    package = _generate_in_place(workspace, "user_management_effect.yaml")
    handlers = _elsewhere(client) / "handlers"
    shutil.move(package / "handlers", handlers)
    (package / "handlers").symlink_to(handlers)
    contract_path = package / "contract.yaml"
    contract_path.write_text(contract_path.read_text() + NEW_OPERATION)
    before = sorted(p.name for p in handlers.iterdir())
    doc_uri = open_document(client, contract_path)
    await wait_for(lambda: doc_uri in client.diagnostics)

    # The quick fix the client resolves (its data as the server sends it), and the command.
    data = {"type": "addHandler", "uri": doc_uri, "operation": "find_user", "suggestionId": "x"}
    await _choose(client, lsp.CodeAction(title="Add handler", kind="quickfix", data=data))
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="onex.addHandler", arguments=[doc_uri, "find_user", None])
    )

    await wait_for(lambda: len(_messages(client, "Handler not added")) >= 2)
    assert all("outside" in m.message for m in _messages(client, "Handler not added"))
    assert sorted(p.name for p in handlers.iterdir()) == before
    assert "find_user" not in (package / "node.py").read_text()


def _messages(client: LanguageClient, prefix: str) -> list[lsp.ShowMessageParams]:
    return [m for m in client.messages if m.message.startswith(prefix)]


async def test_generation_inside_the_workspace_still_works(client: LanguageClient) -> None:
    """The check refuses only what escapes: a symlink that stays inside is fine."""
    workspace: Path = client.workspace_root  # type: ignore[attr-defined]
    (workspace / "real").mkdir()
    (workspace / "alias").symlink_to(workspace / "real")
    shutil.copy(EXAMPLE, workspace / "real" / "user_management_effect.yaml")
    doc_uri = open_document(client, workspace / "alias" / "user_management_effect.yaml")
    await wait_for(lambda: doc_uri in client.diagnostics)

    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    await _choose(client, action)

    assert (workspace / "real" / "node_user_management_effect" / "node.py").is_file()
    assert not [m for m in client.messages if "outside" in m.message]
