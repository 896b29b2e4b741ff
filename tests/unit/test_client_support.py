"""What the server reads from the client's announced capabilities decides which actions it
offers (a file-creating edit or a server-side command; the "More patterns" entry or not)."""

from __future__ import annotations

from typing import Any

import pytest
from lsprotocol import types as lsp

from onex_lsp.lsp.capabilities import client_support


@pytest.mark.parametrize(
    ("experimental", "commands"),
    [
        (None, frozenset()),
        ({"commands": {"commands": ["editor.action.codeAction"]}}, {"editor.action.codeAction"}),
        ({"commands": {"commands": ["a", 3, None, "b"]}}, {"a", "b"}),
        ({"commands": {"commands": "editor.action.codeAction"}}, frozenset()),
        ({"commands": ["editor.action.codeAction"]}, frozenset()),
        (["commands"], frozenset()),
        ("commands", frozenset()),
    ],
)
def test_client_commands_come_from_experimental_commands(
    experimental: Any, commands: set[str]
) -> None:
    support = client_support(lsp.ClientCapabilities(experimental=experimental))
    assert support.client_commands == commands


def test_file_creation_needs_document_changes_and_the_create_operation() -> None:
    edit = lsp.WorkspaceEditClientCapabilities(
        document_changes=True, resource_operations=[lsp.ResourceOperationKind.Create]
    )
    caps = lsp.ClientCapabilities(workspace=lsp.WorkspaceClientCapabilities(workspace_edit=edit))
    assert client_support(caps).create_files
    edit.resource_operations = [lsp.ResourceOperationKind.Rename]
    assert not client_support(caps).create_files
    assert not client_support(lsp.ClientCapabilities()).create_files
