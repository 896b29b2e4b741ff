"""What the client can do, read once from its announced capabilities."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp


@dataclass(frozen=True)
class ClientSupport:
    create_files: bool  # documentChanges + resourceOperations: create
    resolve_edit: bool  # codeAction/resolve may fill in `edit`
    work_done_progress: bool
    configuration: bool
    show_document: bool
    # Client-side commands the client runs itself (rust-analyzer's convention:
    # ``experimental.commands.commands``); an entry that needs one is offered only then.
    client_commands: frozenset[str] = frozenset()
    # ``experimental.onex.generatedNotification``: the client shows ``onex/generated`` itself
    # (VS Code's extension: the summary with a "Show files" action)
    generated_notification: bool = False


def _experimental(caps: lsp.ClientCapabilities, name: str) -> bool:
    experimental = caps.experimental
    onex = experimental.get("onex") if isinstance(experimental, dict) else None
    return isinstance(onex, dict) and onex.get(name) is True


def client_support(caps: lsp.ClientCapabilities) -> ClientSupport:
    workspace = caps.workspace
    edit = workspace.workspace_edit if workspace else None
    document_changes = bool(edit and edit.document_changes)
    operations = (edit.resource_operations or []) if edit else []
    code_action = caps.text_document.code_action if caps.text_document else None
    resolve = code_action.resolve_support if code_action else None
    window = caps.window
    return ClientSupport(
        create_files=document_changes and lsp.ResourceOperationKind.Create in operations,
        resolve_edit=bool(resolve and "edit" in resolve.properties),
        work_done_progress=bool(window and window.work_done_progress),
        configuration=bool(workspace and workspace.configuration),
        show_document=bool(window and window.show_document and window.show_document.support),
        client_commands=_client_commands(caps.experimental),
        generated_notification=_experimental(caps, "generatedNotification"),
    )


def _client_commands(experimental: object) -> frozenset[str]:
    """The names in ``experimental.commands.commands``; anything malformed means none."""
    commands = experimental.get("commands") if isinstance(experimental, dict) else None
    names = commands.get("commands") if isinstance(commands, dict) else None
    if not isinstance(names, list):
        return frozenset()
    return frozenset(name for name in names if isinstance(name, str))
