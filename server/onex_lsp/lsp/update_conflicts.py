"""Diagnostics on the conflict blocks an update left in a Python file.

Each ``<<<<<<< yours`` ... ``>>>>>>> onex-lsp update`` block is one error until it is
resolved. Only files that had such a block are republished when they change, so files
the update never touched never get diagnostics from here. Scanning is a string search
over the editor's text: no disk, fine on the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from onex_lsp.generation.merge import CONFLICT_OURS, CONFLICT_THEIRS
from onex_lsp.lsp.convert import SOURCE

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

CODE = "update-conflict"


def conflict_diagnostics(text: str) -> list[lsp.Diagnostic]:
    """One error per conflict block, from its ``<<<<<<<`` line to its ``>>>>>>>`` line."""
    found = []
    start: int | None = None
    for number, line in enumerate(text.splitlines(keepends=True)):
        if line == CONFLICT_OURS or line == CONFLICT_OURS.rstrip("\n"):
            start = number
        elif start is not None and line.rstrip("\n") == CONFLICT_THEIRS.rstrip("\n"):
            end = lsp.Position(line=number, character=len(line.rstrip("\n")))
            found.append(
                lsp.Diagnostic(
                    range=lsp.Range(start=lsp.Position(line=start, character=0), end=end),
                    message="Update node: your lines (first) and the contract's (second) "
                    "both changed here; keep what you want and delete the markers",
                    severity=lsp.DiagnosticSeverity.Error,
                    code=CODE,
                    source=SOURCE,
                )
            )
            start = None
    return found


class ConflictMarkers:
    """The documents whose conflict diagnostics are published (event loop only)."""

    def __init__(self) -> None:
        self._flagged: set[str] = set()

    def check(self, ls: OnexLanguageServer, uri: str) -> None:
        """Publish a Python document's conflict blocks (and clear them once resolved)."""
        if not uri.endswith(".py") or uri not in ls.workspace.text_documents:
            return
        found = conflict_diagnostics(ls.workspace.get_text_document(uri).source)
        if not found and uri not in self._flagged:
            return
        if found:
            self._flagged.add(uri)
        else:
            self._flagged.discard(uri)
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=found)
        )

    def closed(self, uri: str) -> None:
        self._flagged.discard(uri)
