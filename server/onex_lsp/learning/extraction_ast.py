"""Extraction in one ``ast`` walk, with the texts libcst would give (``source_rows``).

``ast.parse`` is ~10x faster than ``libcst.parse_module`` and its statements carry exact
start and end positions; the few concrete-syntax details libcst adds (the comments a
block owns, the indentation it prints a nested block with, the parentheses an
expression owns) come from ``SourceRows``. The output equals the libcst visitors'
block for block (tests/unit/test_extraction.py compares both on real files).
"""

from __future__ import annotations

import ast
import warnings

from onex_lsp.learning.extracted import (
    KIND_ORDER,
    BlockKind,
    ExtractedBlock,
    class_summary,
    is_handler_name,
)
from onex_lsp.learning.source_rows import RowsUnavailable, SourceRows
from onex_lsp.positions import Range, range_from_libcst

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPOUND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor,
    ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match, *(
        (ast.TryStar,) if hasattr(ast, "TryStar") else ()
    ),
)  # fmt: skip
_STATEMENT_LISTS = ("body", "handlers", "orelse", "finalbody", "cases")
Position = tuple[int, int]


def parse_ast(source: str) -> ast.Module:
    """``ast.parse`` without the SyntaxWarnings of old escape sequences (stderr noise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


class GatherBlocksVisitor(ast.NodeVisitor):
    """Every block kind in one walk over the statements (expressions are not visited);
    handlers and tests only outside functions, like the libcst visitors."""

    def __init__(self, rows: SourceRows) -> None:
        self.rows = rows
        self.found: dict[str, list[ExtractedBlock]] = {kind: [] for kind in KIND_ORDER}
        self._functions = 0

    def blocks(self, tree: ast.Module) -> list[ExtractedBlock]:
        self.visit(tree)
        return [block for kind in KIND_ORDER for block in self.found[kind]]

    def generic_visit(self, node: ast.AST) -> None:
        for field in _STATEMENT_LISTS:
            for child in getattr(node, field, ()):
                self.visit(child)

    # -- positions and texts -------------------------------------------------------------
    def start(self, node: ast.expr | ast.stmt) -> Position:
        return node.lineno, self.rows.char_col(node.lineno, node.col_offset)

    def end(self, node: ast.expr | ast.stmt) -> Position:
        row, col = node.end_lineno or node.lineno, node.end_col_offset or 0
        return row, self.rows.char_col(row, col)

    def range(self, node: ast.stmt) -> Range:
        (start_row, start_col), (end_row, end_col) = self.start(node), self.end(node)
        return range_from_libcst(start_row, start_col, end_row, end_col)

    def code(self, node: ast.expr, floor: Position = (0, 0)) -> str:
        start, end = self.rows.parenthesized(self.start(node), self.end(node), floor)
        return self.rows.expression_text(start, end)

    def source(self, node: ast.stmt, first_row: int | None = None) -> str:
        """The statement with the comments libcst attaches to it, as libcst prints it."""
        rows = self.rows
        first = first_row or node.lineno
        indent = rows.indent(node.lineno)
        last = rows.footer_end(node.end_lineno or node.lineno, indent)
        text = rows.node_text(rows.leading_start(first), last, indent)
        return text.strip("\n")

    def add(self, kind: str, name: str, node: ast.stmt, **extra: object) -> None:
        decorators = getattr(node, "decorator_list", None)
        first = self.rows.logical_of[decorators[0].lineno] if decorators else None
        block = ExtractedBlock(kind, name, self.source(node, first), self.range(node), **extra)  # type: ignore[arg-type]
        self.found[kind].append(block)

    # -- the blocks ------------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        name, is_async = node.name, isinstance(node, ast.AsyncFunctionDef)
        params = node.args.args
        if not self._functions and is_handler_name(name):
            annotated = tuple(
                (p.arg, self.code(p.annotation) if p.annotation else "") for p in params
            )
            returns = self.code(node.returns) if node.returns else ""
            extra = {"is_async": is_async, "params": annotated, "returns": returns}
            self.add(BlockKind.HANDLER, name, node, **extra)
        if not self._functions and name.startswith("test_"):
            self.add(BlockKind.TEST, name, node, is_async=is_async)
        if name == "__init__":
            injected = [
                p.arg for p in params if p.annotation and "Protocol" in self.code(p.annotation)
            ]
            if injected:
                self.add(BlockKind.DEPENDENCY_INJECTION, f"injects {', '.join(injected)}", node)
        self._functions += 1
        self.generic_visit(node)
        self._functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Try(self, node: ast.Try) -> None:
        handled = ", ".join(self.code(h.type) if h.type else "everything" for h in node.handlers)
        self.add(BlockKind.ERROR_HANDLING, f"try/except {handled}", node)
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        logical = self.rows.logical_of
        lines = {logical[statement.lineno] for statement in node.body}
        indented = logical[node.body[0].lineno] != logical[node.lineno]
        if (
            indented
            and len(lines) == 1
            and not isinstance(node.body[0], _COMPOUND)
            and any(isinstance(statement, ast.Raise) for statement in node.body)
        ):
            self.add_guard(node)
        self.generic_visit(node)

    def add_guard(self, node: ast.If) -> None:
        name = f"guard {self.code(node.test)[:60]}"
        row, col = self.start(node)
        source = self.source(node)
        if self.rows.rows[row][col:].startswith("elif"):  # libcst prints an elif as an if
            source = _elif_as_if(source, self.rows.indent(row))
        self.found[BlockKind.VALIDATION].append(
            ExtractedBlock(BlockKind.VALIDATION, name, source, self.range(node))
        )

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        floor = self.class_paren(node)
        bases = [self.code(b.value if isinstance(b, ast.Starred) else b, floor) for b in node.bases]
        summary = class_summary(node.name, bases)
        self.found[BlockKind.NAMING].append(
            ExtractedBlock(BlockKind.NAMING, node.name, summary, self.range(node))
        )
        self.generic_visit(node)

    def class_paren(self, node: ast.ClassDef) -> Position:
        """Where the class's own argument list opens (its bases never own that paren)."""
        tokens = self.rows.tokens_from(self.start(node))[2:]  # past ``class Name``
        depth = 0
        for text, start in tokens:
            if text == "[":
                depth += 1
            elif text == "]":
                depth -= 1
            elif depth == 0:
                return start if text == "(" else (0, 0)
        return (0, 0)


def _elif_as_if(source: str, indent: str) -> str:
    """Replace the ``elif`` keyword of the statement's first line (after any comments)."""
    lines = source.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("elif"):
            lines[index] = line[2:]
            return "\n".join(lines)
    raise RowsUnavailable(f"no elif line at indentation {indent!r}")
