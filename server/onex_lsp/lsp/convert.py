"""Conversions between domain values and lsprotocol types, in one place.

Domain positions count code points; LSP counts the client's units (UTF-16 unless the
client negotiated another encoding). ``TextPositions`` converts with pygls' codec over
the lines of the text the positions were taken from, so a character after an emoji
lands where the editor shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from onex_lsp.contract.model import ContractIssue, Severity
from onex_lsp.feedback.tracker import TextChange
from onex_lsp.positions import Position, Range

SOURCE = "onex-lsp"
_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}


UTF16 = PositionCodec()


@dataclass(frozen=True)
class TextPositions:
    """Positions in one text, converted between code points and the client's units."""

    lines: Sequence[str]
    codec: PositionCodec = UTF16

    @staticmethod
    def of(text: str, codec: PositionCodec = UTF16) -> TextPositions:
        return TextPositions(tuple(text.splitlines(keepends=True)), codec)

    def lsp_position(self, position: Position) -> lsp.Position:
        if position.line >= len(self.lines):  # the end of a text without a final newline
            return lsp.Position(line=position.line, character=position.column)
        server = ServerTextPosition(position.line, position.column)
        return self.codec.position_to_client_units(self.lines, server)

    def lsp_range(self, rng: Range) -> lsp.Range:
        return lsp.Range(start=self.lsp_position(rng.start), end=self.lsp_position(rng.end))

    def domain_position(self, position: lsp.Position) -> Position:
        copy = lsp.Position(line=position.line, character=position.character)  # pygls clamps it
        server = self.codec.position_from_client_units(self.lines, copy)
        return Position(server.line, server.character)

    def offset(self, position: lsp.Position) -> int:
        """Character offset in the text of a client position."""
        domain = self.domain_position(position)
        return sum(len(line) for line in self.lines[: domain.line]) + domain.column

    def end(self) -> lsp.Position:
        """The position just after the last character."""
        if not self.lines:
            return lsp.Position(line=0, character=0)
        last = self.lines[-1]
        if last.endswith(("\n", "\r")):
            return lsp.Position(line=len(self.lines), character=0)
        width = self.codec.client_num_units(last)
        return lsp.Position(line=len(self.lines) - 1, character=width)


def text_change(
    text: str, change: lsp.TextDocumentContentChangeEvent, codec: PositionCodec
) -> TextChange:
    """One change notification's edit of ``text``, in character offsets."""
    if isinstance(change, lsp.TextDocumentContentChangePartial):
        positions = TextPositions.of(text, codec)
        start = positions.offset(change.range.start)
        end = positions.offset(change.range.end)
        return TextChange(start, max(start, end), change.text)
    return TextChange(0, len(text), change.text)


def lsp_diagnostic(
    issue: ContractIssue, positions: TextPositions, data: Any = None
) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=positions.lsp_range(issue.range),
        message=issue.message,
        severity=_SEVERITY[issue.severity],
        code=issue.code,
        source=SOURCE,
        data=data,
    )


def uri_to_path(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return Path(path) if path else None


def path_to_uri(path: Path) -> str:
    uri: str | None = from_fs_path(str(path))
    if uri is None:
        raise ValueError(f"cannot make a URI of {path}")
    return uri


def insert_edit(line: int, text: str) -> lsp.TextEdit:
    return lines_edit(line, line, text)


def lines_edit(start: int, end: int, text: str) -> lsp.TextEdit:
    """Replace whole lines ``[start, end)`` (0-based; an insertion when equal)."""
    return lsp.TextEdit(
        range=lsp.Range(
            start=lsp.Position(line=start, character=0), end=lsp.Position(line=end, character=0)
        ),
        new_text=text,
    )


def whole_document_edit(old_text: str, new_text: str, codec: PositionCodec = UTF16) -> lsp.TextEdit:
    end = TextPositions.of(old_text, codec).end()
    return lsp.TextEdit(
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=end), new_text=new_text
    )


def create_files_edit(
    files: dict[Path, str],
    line_edits: dict[Path, list[tuple[int, int, str]]] | None = None,
    *,
    replaced: dict[Path, tuple[str, str]] | None = None,
    codec: PositionCodec = UTF16,
) -> lsp.WorkspaceEdit:
    """``CreateFile`` (never overwriting), a ``TextDocumentEdit`` filling each new file,
    line edits (replace lines ``[start, end)``) of existing files, and ``replaced`` files'
    whole text (old, new)."""
    changes: list[lsp.TextDocumentEdit | lsp.CreateFile | lsp.RenameFile | lsp.DeleteFile] = []
    for path in files:
        changes.append(
            lsp.CreateFile(
                uri=path_to_uri(path),
                options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False),
            )
        )
    for path, text in files.items():
        changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                    uri=path_to_uri(path), version=None
                ),
                edits=[insert_edit(0, text)],
            )
        )
    for path, (old, new) in (replaced or {}).items():
        changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                    uri=path_to_uri(path), version=None
                ),
                edits=[whole_document_edit(old, new, codec)],
            )
        )
    for path, lines in (line_edits or {}).items():
        changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                    uri=path_to_uri(path), version=None
                ),
                edits=[lines_edit(start, end, text) for start, end, text in lines],
            )
        )
    return lsp.WorkspaceEdit(document_changes=changes)
