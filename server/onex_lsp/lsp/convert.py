"""Conversions between domain values and lsprotocol types, in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from onex_lsp.contract.model import ContractIssue, Severity
from onex_lsp.positions import Position, Range

SOURCE = "onex-lsp"
_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}


def lsp_position(position: Position) -> lsp.Position:
    return lsp.Position(line=position.line, character=position.column)


def lsp_range(rng: Range) -> lsp.Range:
    return lsp.Range(start=lsp_position(rng.start), end=lsp_position(rng.end))


def domain_position(position: lsp.Position) -> Position:
    return Position(position.line, position.character)


def lsp_diagnostic(issue: ContractIssue, data: Any = None) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=lsp_range(issue.range),
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


def whole_document_edit(old_text: str, new_text: str) -> lsp.TextEdit:
    lines = old_text.split("\n")
    end = lsp.Position(line=len(lines) - 1, character=len(lines[-1]))
    return lsp.TextEdit(
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=end), new_text=new_text
    )


def create_files_edit(
    files: dict[Path, str],
    line_edits: dict[Path, list[tuple[int, int, str]]] | None = None,
    *,
    replaced: dict[Path, tuple[str, str]] | None = None,
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
                edits=[whole_document_edit(old, new)],
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
