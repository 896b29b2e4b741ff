"""Helpers for driving onex-lsp over stdio with pytest-lsp, as an editor would."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import LanguageClient, client_capabilities

SERVER_COMMAND = [sys.executable, "-m", "onex_lsp", "serve"]
# Servers under test keep their pattern library away from the user's own data.
# Every server under test also fails loudly on disk I/O on its event loop (loop_guard.py).
SERVER_ENV = {
    **os.environ,
    "ONEX_LSP_DATA_DIR": tempfile.mkdtemp(prefix="onex-lsp-test-data-"),
    "ONEX_LSP_CHECK_LOOP": "1",
}
# Tests that are not about learning use the lexical embedder: no model to load.
FAST_OPTIONS = {"onex": {"diagnosticsDelayMs": 20, "embedder": "hashing"}}
PROFILES = ["visual-studio-code", "neovim", "emacs"]
# Our VS Code extension and Neovim plugin announce the client-side command they run for the
# server's "More patterns (other verbs)…" entry; a bare client (Emacs here) does not.
CLIENT_COMMANDS = {
    "visual-studio-code": ["editor.action.codeAction"],
    "neovim": ["editor.action.codeAction"],
}


def editor_capabilities(profile: str) -> lsp.ClientCapabilities:
    """The editor's recorded capabilities, plus what our extension or plugin adds."""
    capabilities = client_capabilities(profile)
    commands = CLIENT_COMMANDS.get(profile)
    if commands:
        capabilities.experimental = {"commands": {"commands": commands}}
    return capabilities


def uri(path: Path) -> str:
    result = from_fs_path(str(path))
    assert result is not None
    return result


def fix_code_action_parsing(client: LanguageClient) -> None:
    """lsprotocol structures a CodeAction that carries a ``command`` as a Command; the
    server's JSON is right, the test client misreads it: a ``Command | CodeAction`` union
    is structured by trying ``Command`` first."""
    converter = client.protocol._converter
    code_action_only = {"kind", "edit", "data", "diagnostics", "isPreferred", "disabled"}

    def structure(obj: Any, _: Any) -> lsp.Command | lsp.CodeAction:
        if isinstance(obj.get("command"), str) and not code_action_only & obj.keys():
            return converter.structure(obj, lsp.Command)
        return converter.structure(obj, lsp.CodeAction)

    converter.register_structure_hook(lsp.Command | lsp.CodeAction, structure)


def apply_workspace_edit(edit: lsp.WorkspaceEdit) -> list[Path]:
    """Apply an edit to disk the way an editor does; returns the files touched."""
    touched: list[Path] = []
    for change in edit.document_changes or []:
        if isinstance(change, lsp.CreateFile):
            path = Path(to_fs_path(change.uri))
            assert not path.exists(), f"CreateFile would overwrite {path}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
            touched.append(path)
        elif isinstance(change, lsp.TextDocumentEdit):
            path = Path(to_fs_path(change.text_document.uri))
            path.write_text(apply_text_edits(path.read_text(), list(change.edits)))
            touched.append(path)
    for doc_uri, edits in (edit.changes or {}).items():
        path = Path(to_fs_path(doc_uri))
        path.write_text(apply_text_edits(path.read_text(), list(edits)))
        touched.append(path)
    return touched


def _offset(lines: list[str], position: lsp.Position) -> int:
    return sum(len(line) for line in lines[: position.line]) + position.character


def apply_text_edits(text: str, edits: list[Any]) -> str:
    lines = text.splitlines(keepends=True) or [""]
    spans = sorted(
        ((_offset(lines, e.range.start), _offset(lines, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the server")
        await asyncio.sleep(0.05)


def open_document(
    client: LanguageClient, path: Path, text: str | None = None, language: str = "yaml"
) -> str:
    doc_uri = uri(path)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=doc_uri,
                language_id=language,
                version=1,
                text=path.read_text() if text is None else text,
            )
        )
    )
    return doc_uri


async def learned_ready(client: LanguageClient, doc_uri: str, timeout: float = 30.0) -> None:
    """Wait until the server's learned options for an open contract are current: code
    actions never wait for them, so a test that expects learned offers polls first."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="onex.showDetectedPatterns", arguments=[doc_uri])
        )
        if found.get("learned", {}).get("current"):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"learned options of {doc_uri} never became current: {found}")
        await asyncio.sleep(0.05)


async def request_actions(
    client: LanguageClient, doc_uri: str, only: str, diagnostics: list[lsp.Diagnostic] | None = None
) -> list[lsp.CodeAction]:
    origin = lsp.Position(line=0, character=0)
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=doc_uri),
            range=lsp.Range(start=origin, end=origin),
            context=lsp.CodeActionContext(
                diagnostics=diagnostics or [],
                only=[only],
                trigger_kind=lsp.CodeActionTriggerKind.Invoked,
            ),
        )
    )
    actions = [a for a in result or [] if isinstance(a, lsp.CodeAction)]
    assert len(actions) == len(result or []), "the server answered with bare commands"
    return actions


async def apply_action(client: LanguageClient, action: lsp.CodeAction) -> None:
    """What an editor does with a chosen action: resolve it, apply the edit, run the command."""
    caps = client.capabilities
    code_action = caps.text_document.code_action if caps and caps.text_document else None
    if (
        action.edit is None
        and action.command is None
        and code_action
        and code_action.resolve_support
    ):
        action = await client.code_action_resolve_async(action)
    if action.edit is not None:
        apply_workspace_edit(action.edit)
    assert action.command is not None
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=action.command.command, arguments=action.command.arguments)
    )


async def initialize(
    client: LanguageClient, profile: str, root: Path, options: dict[str, Any] | None = None
) -> None:
    """The editor's side of the handshake, with ``root`` as the one workspace folder."""
    fix_code_action_parsing(client)
    # An editor that announces codeLens.refreshSupport (VS Code) answers the server's
    # workspace/codeLens/refresh (sent after a package is generated).
    client.feature(lsp.WORKSPACE_CODE_LENS_REFRESH)(lambda _: None)
    client.workspace_root = root  # type: ignore[attr-defined]
    client.profile = profile  # type: ignore[attr-defined]
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=editor_capabilities(profile),
            root_uri=uri(root),
            workspace_folders=[lsp.WorkspaceFolder(uri=uri(root), name=root.name)],
            initialization_options=FAST_OPTIONS if options is None else options,
        )
    )


async def save_learned_edit(client: LanguageClient, handler: Path) -> str:
    """The user's edit of a generated create handler (a default ``status``), written and
    saved in the editor; returns its URI once the server says it learned from the file."""
    edited = handler.read_text().replace(
        "    stored = await repository.create(record)\n",
        '    record.setdefault("status", "active")\n    stored = await repository.create(record)\n',
    )
    handler.write_text(edited)
    handler_uri = open_document(client, handler, edited, language="python")
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=handler_uri))
    )
    await wait_for(
        lambda: any(f"from {handler.name}" in m.message for m in client.log_messages),
        timeout=60,
    )
    return handler_uri


async def generate_from(client: LanguageClient, source: Path, contract: Path) -> str:
    """``source`` copied to ``contract``, opened, and its preferred "generate node" applied
    as the editor would; the contract's URI."""
    contract.write_text(source.read_text())
    doc_uri = open_document(client, contract)
    (action,) = await request_actions(client, doc_uri, "source.onex.generateNode")
    await apply_action(client, action)
    return doc_uri
