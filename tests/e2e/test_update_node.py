"""Update node through the language server: the drift diagnostic on the contract, the
quick fix and source action, the edit (VS Code: annotated WorkspaceEdit; Neovim: the
``onex.updateNode`` command writing on the server side)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.e2e.lsp_client import (
    SERVER_COMMAND,
    SERVER_ENV,
    apply_action,
    apply_workspace_edit,
    initialize,
    open_document,
    request_actions,
    wait_for,
)
from tests.update_helpers import edit_contract, generated_package, insert_line, run_cli

USER_LINE = "    # my audit hook: keep me"
TITLE = "Update node — 2 operations added, 1 removed"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER_COMMAND, server_env=SERVER_ENV),
    params=["visual-studio-code", "neovim"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    await initialize(lsp_client, request.param, tmp_path)
    yield lsp_client
    await lsp_client.shutdown_session()


def _drift(client: LanguageClient, doc_uri: str) -> list[lsp.Diagnostic]:
    return [d for d in client.diagnostics.get(doc_uri, []) if d.code == "node-drift"]


async def test_drift_is_diagnosed_and_update_node_keeps_the_users_lines(
    client: LanguageClient,
) -> None:
    package = generated_package(client.workspace_root)  # type: ignore[attr-defined]
    handler = package / "handlers" / "handler_create_user.py"
    insert_line(handler, '"""Create a user record', USER_LINE)
    edit_contract(package, ("add", "find_user"), ("add", "count_users"), ("remove", "delete_user"))
    doc_uri = open_document(client, package / "contract.yaml")
    await wait_for(lambda: bool(_drift(client, doc_uri)))
    (diagnostic,) = _drift(client, doc_uri)
    assert diagnostic.severity == lsp.DiagnosticSeverity.Warning
    assert "added: find_user, count_users; removed: delete_user" in diagnostic.message

    (source,) = await request_actions(client, doc_uri, "source.onex.updateNode", [])
    assert source.title == TITLE
    fixes = await request_actions(client, doc_uri, "quickfix", [diagnostic])
    (fix,) = [f for f in fixes if f.title.startswith("Update node")]
    assert fix.title == TITLE and list(fix.diagnostics or []) == [diagnostic]
    if client.profile == "visual-studio-code":  # type: ignore[attr-defined]
        resolved = await client.code_action_resolve_async(fix)
        assert resolved.edit is not None and resolved.edit.change_annotations is not None
        merge = resolved.edit.change_annotations["merge"]
        assert merge.needs_confirmation is True  # VS Code shows its refactor preview
        assert resolved.edit.change_annotations["create"].needs_confirmation is False
        fix = resolved
    await apply_action(client, fix)

    assert USER_LINE in handler.read_text()
    assert "async def handle_find_user(" in (package / "handlers/handler_find_user.py").read_text()
    assert "def handle_count_users(" in (package / "handlers/handler_count_users.py").read_text()
    removed = (package / "handlers/handler_delete_user.py").read_text()
    assert removed.startswith("# onex-lsp update: the contract no longer has 'delete_user'")
    node = (package / "node.py").read_text()
    assert "handle_find_user" in node and "handle_delete_user" not in node
    await wait_for(lambda: not _drift(client, doc_uri))  # the record follows the contract


async def test_update_node_command_takes_the_contract_uri(client: LanguageClient) -> None:
    """What a CodeLens or a key binding runs: ``onex.updateNode {uri}``."""
    package = generated_package(client.workspace_root)  # type: ignore[attr-defined]
    node = package / "node.py"
    node.write_text(
        node.read_text().replace('    "list_users",\n)', '    "list_users",  # mine\n)')
    )
    edit_contract(package, ("rename", "list_users", "search_users"))
    doc_uri = open_document(client, package / "contract.yaml")
    result = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="onex.updateNode", arguments=[{"uri": doc_uri}])
    )
    assert str(package / "handlers/handler_search_users.py") in result["written"]
    assert str(package / "handlers/handler_list_users.py") in result["removed"]
    text = node.read_text()
    line = text[: text.index("<<<<<<< yours")].count("\n") + 1
    assert result["conflicts"] == [f"{node}:{line}"]  # the same line changed on both sides
    assert '"list_users",  # mine' in text and '"search_users",' in text
    assert "return await handle_search_users(" in text  # the rest merged cleanly

    node_uri = open_document(client, node, language="python")  # the conflict is diagnosed
    await wait_for(lambda: bool(client.diagnostics.get(node_uri)))
    (conflict,) = client.diagnostics[node_uri]
    assert conflict.code == "update-conflict" and conflict.range.start.line == line - 1
    resolved = re.sub(r"<<<<<<< yours\n.*?=======\n(.*?)>>>>>>> [^\n]*\n", r"\1", text, flags=re.S)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=node_uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=resolved)],
        )
    )
    await wait_for(lambda: not client.diagnostics.get(node_uri))  # resolved: cleared


def _apply_with_moves(edit: lsp.WorkspaceEdit) -> None:
    """What VS Code does with the update's edit: renames and deletes included."""
    for change in edit.document_changes or []:
        if isinstance(change, lsp.RenameFile):
            source, target = Path(to_fs_path(change.old_uri)), Path(to_fs_path(change.new_uri))
            assert not target.exists()
            source.rename(target)
        elif isinstance(change, lsp.DeleteFile):
            Path(to_fs_path(change.uri)).unlink()
        else:
            apply_workspace_edit(lsp.WorkspaceEdit(document_changes=[change]))


async def test_a_rename_through_the_edit_matches_the_command_line(
    client: LanguageClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if client.profile != "visual-studio-code":  # type: ignore[attr-defined]
        pytest.skip("only VS Code applies the edit itself; Neovim runs the command (above)")
    package = generated_package(client.workspace_root)  # type: ignore[attr-defined]
    handler = package / "handlers" / "handler_list_users.py"
    insert_line(handler, "records = await repository.query(filters)", "    records.sort(key=str)")
    edit_contract(package, ("rename", "list_users", "search_users"))
    twin = tmp_path_factory.mktemp("cli") / package.name
    shutil.copytree(package, twin)
    assert run_cli("update", str(twin / "contract.yaml"))[0] == 0

    doc_uri = open_document(client, package / "contract.yaml")
    (action,) = await request_actions(client, doc_uri, "source.onex.updateNode", [])
    assert action.title == "Update node — 1 operation renamed"
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None and resolved.edit.change_annotations is not None
    assert resolved.edit.change_annotations["move"].needs_confirmation is True
    _apply_with_moves(resolved.edit)

    def files(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*.py")}

    assert files(package) == files(twin)
    assert "records.sort(key=str)" in (package / "handlers/handler_search_users.py").read_text()
