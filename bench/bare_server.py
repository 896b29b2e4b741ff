"""The floor for a Python language server: pygls 2 with one code action feature and nothing
else. Same interpreter, same pygls as onex-lsp, so what onex-lsp adds shows against it.

Usage (what the suite spawns): python bench/bare_server.py
"""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare-pygls", "1.0")


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION)
def code_action(ls: LanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    """No actions: the answer costs only pygls' dispatch and (de)serialisation."""
    return []


if __name__ == "__main__":
    server.start_io()
