"""Extract pattern blocks from Python source: handlers, error handling, validation guards,
dependency injection, class naming and tests, each with its source range.

One ``ast`` walk finds the blocks and ``SourceRows`` cuts their text exactly as libcst's
``code_for_node`` prints it (``extraction_ast``); PEP 695 syntax is masked for an older
``ast``. libcst itself only runs for sources the running Python's ``ast`` still rejects:
other newer syntax (libcst parses it) or real syntax errors (libcst locates them), so
it is imported only then (a third of a second).
Ranges are 0-based (``positions.range_from_libcst`` converts).
"""

from __future__ import annotations

import ast

from onex_lsp.learning.extracted import BlockKind, ExtractedBlock, ExtractionError
from onex_lsp.learning.extraction_ast import GatherBlocksVisitor, parse_ast
from onex_lsp.learning.source_rows import RowsUnavailable, SourceRows

__all__ = [
    "BlockKind",
    "ExtractedBlock",
    "ExtractionError",
    "ParsedSource",
    "extract_blocks",
    "function_span",
    "module_without_docstring",
    "parse_source",
]


class ParsedSource:
    """One parse of a file, shared by its blocks and its docstring-less module body."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tree: ast.Module | None = None
        self.rows: SourceRows | None = None
        try:
            self.rows = SourceRows(source)
            self.tree = _parse_ast(source, self.rows)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.tree = self.rows = None  # newer syntax, or an error libcst will locate

    def blocks(self) -> list[ExtractedBlock]:
        if self.tree is not None and self.rows is not None:
            try:
                return GatherBlocksVisitor(self.rows).blocks(self.tree)
            except RowsUnavailable:
                pass
        from onex_lsp.learning.extraction_cst import extract_with_libcst  # rarely needed

        return extract_with_libcst(self.source)

    def without_docstring(self) -> str:
        """The module's code minus its docstring: a handler module's reusable body."""
        if self.tree is None or self.rows is None or not self.tree.body:
            return _without_docstring_cst(self.source)
        first = self.tree.body[0]
        value = first.value if isinstance(first, ast.Expr) else None
        if isinstance(value, ast.JoinedStr):  # f-string or concatenation: libcst decides
            return _without_docstring_cst(self.source)
        rows = self.rows
        if isinstance(value, ast.Constant) and isinstance(value.value, str | bytes):
            start = rows.logical_end(first.lineno) + 1
        else:
            start = rows.first_logical
        return "".join(rows.rows[start:]).lstrip("\n")


def _without_docstring_cst(source: str) -> str:
    from onex_lsp.learning.extraction_cst import module_without_docstring_cst  # rarely needed

    return module_without_docstring_cst(source)


def _parse_ast(source: str, rows: SourceRows) -> ast.Module:
    """``ast.parse``; on a Python older than the code's syntax (3.12 generics and type
    aliases on 3.11), the same source with that syntax masked column for column."""
    try:
        return parse_ast(source)
    except SyntaxError:
        masked = rows.without_new_syntax()
        if masked is None:
            raise
        return parse_ast(masked)


def parse_source(source: str) -> ParsedSource:
    return ParsedSource(source)


def extract_blocks(source: str) -> list[ExtractedBlock]:
    """Every block of every kind, kind by kind (handlers first), each in source order."""
    return ParsedSource(source).blocks()


def module_without_docstring(source: str) -> str:
    return ParsedSource(source).without_docstring()


_STATEMENT_LISTS = ("body", "handlers", "orelse", "finalbody", "cases")


def function_span(source: str, name: str) -> tuple[int, int] | None:
    """Character offsets of the first function ``name`` outside any function (where
    extraction finds handlers: the ``def`` line to its last character), from one
    ``ast.parse``; ``None`` when it is not there. Raises ``SyntaxError`` (or ``ValueError``,
    ``RecursionError``) for a source this Python's ``ast`` cannot parse."""
    found = _first_function(parse_ast(source).body, name)
    if found is None:
        return None
    lines = source.splitlines(keepends=True)

    def offset(row: int, byte_col: int) -> int:
        line = lines[row - 1] if row <= len(lines) else ""
        column = len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))
        return sum(map(len, lines[: row - 1])) + column

    end_row = found.end_lineno or found.lineno
    return offset(found.lineno, found.col_offset), offset(end_row, found.end_col_offset or 0)


def _first_function(
    statements: list[ast.stmt], name: str
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for statement in statements:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            if statement.name == name:
                return statement
            continue  # nothing inside a function is a handler
        for field in _STATEMENT_LISTS:
            children = getattr(statement, field, [])
            inner = [c for c in children if isinstance(c, ast.stmt)]
            for case in [c for c in children if isinstance(c, ast.match_case)]:
                inner += case.body
            found = _first_function(inner, name) if inner else None
            if found is not None:
                return found
    return None
