"""The text of a module cut down to some of its top-level statements (``module_filter``).

Kept statements keep their exact text and the comment lines right above them; an
import that loses some of its names is written anew (``ast.unparse``). Generated code is
formatted afterwards, so only the statements' own text matters, not the spacing between.
"""

from __future__ import annotations

import ast
import copy


def import_text(statement: ast.stmt, used: set[str]) -> str | None:
    """``""``: keep the statement as written; ``None``: drop it; else its new text."""
    if isinstance(statement, ast.If):
        bodies = [import_text(s, used) for s in statement.body]
        if all(text is None for text in bodies):
            return None
        if all(text == "" for text in bodies):
            return ""
        trimmed = copy.copy(statement)
        trimmed.body = [
            _trimmed(s, used)
            for s, text in zip(statement.body, bodies, strict=True)
            if text is not None
        ]
        return ast.unparse(trimmed)
    assert isinstance(statement, ast.Import | ast.ImportFrom)
    if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
        return ""
    names = [a for a in statement.names if a.name != "*" and _bound(a) in used]
    if not names:
        return None
    return "" if len(names) == len(statement.names) else ast.unparse(_trimmed(statement, used))


def _bound(alias: ast.alias) -> str:
    return alias.asname or alias.name.split(".")[0]


def _trimmed(statement: ast.stmt, used: set[str]) -> ast.stmt:
    if not isinstance(statement, ast.Import | ast.ImportFrom):
        return statement
    trimmed = copy.copy(statement)
    future = isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
    trimmed.names = [a for a in statement.names if future or _bound(a) in used]
    return trimmed


def rebuild(
    source: str, body: list[ast.stmt], kept: list[ast.stmt], texts: dict[int, str | None]
) -> str:
    """The kept statements in source order, blank lines between as a formatter puts them."""
    rows = source.splitlines(keepends=True)
    chunks: list[tuple[bool, str]] = []
    for statement in kept:
        text = texts.get(id(statement)) or _source_text(source, rows, body, statement)
        definition = isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        chunks.append((definition, text.rstrip("\n")))
    out: list[str] = []
    for index, (definition, text) in enumerate(chunks):
        if index:
            spaced = definition or chunks[index - 1][0]
            out.append("\n\n\n" if spaced else "\n")
        out.append(text)
    return "".join(out) + "\n"


def _first_row(statement: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _source_text(source: str, rows: list[str], body: list[ast.stmt], statement: ast.stmt) -> str:
    """The statement's rows with the comment lines above it; its exact segment when it
    shares a row with another statement (``a = 1; b = 2``)."""
    first, last = _first_row(statement), statement.end_lineno or statement.lineno
    shares = any(
        other is not statement
        and _first_row(other) <= last
        and (other.end_lineno or other.lineno) >= first
        for other in body
    )
    if shares:
        return ast.get_source_segment(source, statement) or ast.unparse(statement)
    while first > 1 and rows[first - 2].lstrip().startswith("#"):
        first -= 1
    return "".join(rows[first - 1 : last])
