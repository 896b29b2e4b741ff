"""A block's text as libcst prints it, cut from the source with one ``tokenize`` pass.

libcst's ``code_for_node`` prints a nested node without the indentation of the blocks
around it, but only where its own whitespace model says the indentation is "indent"
(statement lines, comment lines that start with their owner's indentation, bracket
continuations that start with their statement's indentation); string interiors and
backslash continuations stay verbatim, and comment lines after a block belong to the
innermost block they are indented for. Parsing the whole file with libcst to get that
costs ~10x ``ast.parse``; one pass over the tokens (``tokenize`` on 3.12+, a regular
expression on 3.11: ``fast_tokens``) records, per physical row, which rule applies.
"""

from __future__ import annotations

import re
import sys
import tokenize
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from onex_lsp.learning.fast_tokens import fast_tokens

LOGICAL, GAP, BRACKET, BACKSLASH, STRING = range(5)
_NON_CODE = {
    tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE,
    tokenize.ENDMARKER, tokenize.ENCODING,
}  # fmt: skip
_OPEN, _CLOSE = "([{", ")]}"
_ROW = re.compile(r"[^\n]*\n|[^\n]+")
_MULTILINE_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)}


Token = tuple[int, str, tuple[int, int], tuple[int, int]]  # type, text, start, end


@dataclass
class _ScanState:
    """Where the token pass stands: bracket depth, the open logical line, the gap."""

    depth: int = 0
    open_row: int = 0  # the logical line being read (0: between lines)
    last_row: int = 0
    gap_start: int = 1
    comment_row: int = 0
    stack: list[str] = field(default_factory=list)  # indentation of the open blocks
    closed: list[str] = field(default_factory=list)  # blocks closed since the last line


def standard_tokens(source: str) -> Iterator[Token]:
    lines = iter(_ROW.findall(source))
    for tok in tokenize.generate_tokens(lambda: next(lines, "")):
        yield tok.type, tok.string, tok.start, tok.end


class RowsUnavailable(ValueError):
    """The text is outside what the row model reproduces; the caller uses libcst."""


@dataclass(frozen=True)
class GapOwner:
    indent: str  # the indentation libcst compares the row with
    footer: bool  # True: a closing block's footer; False: leading lines of what follows
    next_row: int  # the row of the statement or clause after the gap (0: end of file)


class SourceRows:
    """Rows (1-based) of a source that ``ast.parse`` accepted, classified for libcst."""

    def __init__(self, source: str, tokens: Callable[[str], Iterable[Token]] | None = None) -> None:
        if "\r" in source.replace("\r\n", "") or source.startswith("\ufeff"):
            raise RowsUnavailable("bare carriage returns or a byte order mark")
        self.rows: list[str] = ["", *_ROW.findall(source)]
        count = len(self.rows)
        self.kind = [GAP] * (count + 1)
        self.logical_of = list(range(count + 1))
        self.owner: dict[int, GapOwner] = {}
        self._starts: list[tuple[int, int]] = []  # significant tokens, for paren lookups
        self._tokens: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
        self.first_logical = 0
        try:
            self._scan((tokens or _TOKENS)(source))
        except (tokenize.TokenError, SyntaxError) as exc:
            raise RowsUnavailable(str(exc)) from exc

    def _scan(self, tokens: Iterable[Token]) -> None:
        """One pass over the tokens: row kinds, logical lines, gap ownership."""
        state = _ScanState()
        for kind, text, start, end in tokens:
            self._indentation(state, kind, text)
            self._continuation(state, kind, start[0], end[0])
            if kind == tokenize.COMMENT:
                state.comment_row = start[0]
            if kind not in _NON_CODE:
                self._code_token(state, text, start, end)
            self._nesting(state, kind, text, end[0])

    def _indentation(self, state: _ScanState, kind: int, text: str) -> None:
        """Blocks opening and closing; at the end, the last gap's owners."""
        if kind == tokenize.INDENT:
            state.stack.append(text)
        elif kind == tokenize.DEDENT:
            state.closed.append(state.stack.pop())
        elif kind == tokenize.ENDMARKER:
            self._own_gap(state.gap_start, len(self.rows) - 1, state.closed, "", 0)

    def _continuation(self, state: _ScanState, kind: int, srow: int, erow: int) -> None:
        """String interiors, and the rows a logical line continues on (in brackets or
        after a backslash)."""
        if kind in _MULTILINE_TOKENS:
            for row in range(srow + 1, erow + 1):
                self.kind[row] = STRING
        if state.open_row and srow > state.last_row:
            if self.kind[srow] != STRING:
                joined = self._backslashed(srow - 1, state.comment_row)
                self.kind[srow] = BRACKET if state.depth and not joined else BACKSLASH
            state.last_row = srow

    def _code_token(
        self, state: _ScanState, text: str, start: tuple[int, int], end: tuple[int, int]
    ) -> None:
        """Record a code token; the first one of a logical line opens it."""
        srow = start[0]
        self._starts.append(start)
        self._tokens.append((text, start, end))
        if not state.open_row:
            state.open_row = state.last_row = srow
            self.kind[srow] = LOGICAL
            self._own_gap(state.gap_start, srow - 1, state.closed, self.indent(srow), srow)
            state.closed = []
            self.first_logical = self.first_logical or srow

    def _nesting(self, state: _ScanState, kind: int, text: str, erow: int) -> None:
        """Bracket depth, and the end of a logical line."""
        if kind == tokenize.OP and text in _OPEN:
            state.depth += 1
        elif kind == tokenize.OP and text in _CLOSE:
            state.depth -= 1
        elif kind == tokenize.NEWLINE and state.open_row:
            for row in range(state.open_row + 1, erow + 1):
                self.logical_of[row] = state.open_row
            state.open_row, state.gap_start = 0, erow + 1

    def _backslashed(self, row: int, comment_row: int) -> bool:
        """Whether ``row`` ends with a line continuation: libcst keeps the next row as
        written, even inside brackets."""
        return row != comment_row and self.rows[row].rstrip("\r\n").endswith("\\")

    def _own_gap(self, first: int, last: int, closed: list[str], after: str, row: int) -> None:
        """Blocks that close before ``row`` claim, innermost first, the comment lines up
        to their last one indented for them; the rest lead into ``row``."""
        position = first
        for indent in closed:
            claimed = [r for r in range(position, last + 1) if self.rows[r].startswith(indent)]
            if claimed:
                for r in range(position, claimed[-1] + 1):
                    self.owner[r] = GapOwner(indent, True, row)
                position = claimed[-1] + 1
        for r in range(position, last + 1):
            self.owner[r] = GapOwner(after, False, row)

    def without_new_syntax(self) -> str | None:
        """The source with PEP 695 type parameters and ``type`` aliases masked, column for
        column, so an older ``ast`` parses it with the same positions (``None``: nothing
        to mask, or masking would move byte offsets)."""
        rows = [list(row) for row in self.rows]
        tokens = self._tokens
        for index, (text, start, _) in enumerate(tokens[:-2]):
            after, bracket = tokens[index + 1][0], tokens[index + 2][0]
            if not after.isidentifier():
                continue
            if text in ("class", "def") and bracket == "[":
                self._blank(rows, index + 2)
            elif text == "type" and bracket in ("=", "[") and self._statement_start(start):
                rows[start[0]][start[1] : start[1] + 4] = list("_=0;")
                if bracket == "[":
                    self._blank(rows, index + 2)
        masked = "".join("".join(row) for row in rows)
        unchanged = masked == "".join(self.rows)
        return None if unchanged or not masked.isascii() else masked

    def _blank(self, rows: list[list[str]], opening: int) -> None:
        """Spaces over ``[...]`` from the token at ``opening`` to its matching bracket."""
        depth, closing = 0, opening
        for closing in range(opening, len(self._tokens)):
            text = self._tokens[closing][0]
            depth += (text == "[") - (text == "]")
            if depth == 0:
                break
        (first_row, first_col), (last_row, last_col) = (
            self._tokens[opening][1],
            self._tokens[closing][2],
        )
        for row in range(first_row, last_row + 1):
            begin = first_col if row == first_row else 0
            end = last_col if row == last_row else len(rows[row]) - 1
            rows[row][begin:end] = [" "] * (end - begin)

    def _statement_start(self, position: tuple[int, int]) -> bool:
        row, col = position
        return self.kind[row] == LOGICAL and col == len(self.indent(row))

    def indent(self, row: int) -> str:
        line = self.rows[row]
        return line[: len(line) - len(line.lstrip(" \t\f"))]

    def char_col(self, row: int, byte_col: int) -> int:
        """``ast`` columns count UTF-8 bytes; libcst's count characters."""
        line = self.rows[row]
        return byte_col if line.isascii() else len(line.encode()[:byte_col].decode())

    # -- reproducing code_for_node -------------------------------------------------------
    def node_text(self, first: int, last: int, indent: str) -> str:
        """Rows ``first..last`` of a statement nested at ``indent``, as libcst prints it."""
        out = []
        for row in range(first, last + 1):
            line, kind = self.rows[row], self.kind[row]
            if kind == LOGICAL:
                strip = True
            elif kind == GAP:
                strip = line.startswith(self.owner[row].indent)
            elif kind == BRACKET:
                strip = line.startswith(self.indent(self.logical_of[row]))
            else:
                strip = False
            if strip and indent:
                if not line.startswith(indent):
                    raise RowsUnavailable(f"row {row} is not indented for its block")
                line = line[len(indent) :]
            out.append(line)
        return "".join(out)

    def leading_start(self, row: int) -> int:
        """The first comment/blank row libcst attaches to the statement at ``row``."""
        start = row
        while start > 1 and self.kind[start - 1] == GAP:
            owner = self.owner.get(start - 1)
            if owner is None or owner.footer or owner.next_row != row:
                break
            start -= 1
        return row if row == self.first_logical else start

    def footer_end(self, last: int, indent: str) -> int:
        """The last row of a statement ending on ``last`` nested at ``indent``: its
        blocks' footers (comment rows indented deeper than ``indent``) included."""
        end = last
        row = last + 1
        while row < len(self.rows) and self.kind[row] == GAP:
            owner = self.owner[row]
            if owner.footer and len(owner.indent) > len(indent):
                end = row
            row += 1
        return end

    def logical_end(self, row: int) -> int:
        """The last row of the logical line starting at ``row``."""
        end = row
        while end + 1 < len(self.rows) and self.logical_of[end + 1] == row:
            end += 1
        return end

    # -- expressions ---------------------------------------------------------------------
    def expression_text(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """An expression's code: bracket continuations lose their statement's indentation."""
        (srow, scol), (erow, ecol) = start, end
        if srow == erow:
            return self.rows[srow][scol:ecol]
        parts = [self.rows[srow][scol:]]
        for row in range(srow + 1, erow + 1):
            line = self.rows[row] if row < erow else self.rows[row][:ecol]
            if self.kind[row] == BRACKET:
                own = self.indent(self.logical_of[row])
                line = line[len(own) :] if line.startswith(own) else line
            parts.append(line)
        return "".join(parts)

    def parenthesized(
        self, start: tuple[int, int], end: tuple[int, int], floor: tuple[int, int] = (0, 0)
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """Widen an ``ast`` range over the parentheses libcst gives the expression itself
        (``ast`` leaves them out); never over an opening one at or before ``floor``."""
        while True:
            before = bisect_left(self._starts, start) - 1
            after = bisect_right(self._starts, (end[0], end[1] - 1))
            if before < 0 or after >= len(self._tokens):
                return start, end
            (open_text, open_start, _), (close_text, _, close_end) = (
                self._tokens[before],
                self._tokens[after],
            )
            if open_text != "(" or close_text != ")" or open_start <= floor:
                return start, end
            start, end = open_start, close_end

    def tokens_from(self, position: tuple[int, int]) -> list[tuple[str, tuple[int, int]]]:
        """Significant tokens from ``position`` on (text, start), a few at a time."""
        index = bisect_left(self._starts, position)
        return [(text, start) for text, start, _ in self._tokens[index : index + 64]]


# Python 3.12's tokenize is in C; 3.11's is pure Python and costs ~3x ast.parse, so there
# a regular-expression scanner gives the same tokens for the rows model (3.11 has no
# nested same-quote f-strings, the one thing a regular expression cannot follow).
_TOKENS = standard_tokens if sys.version_info >= (3, 12) else fast_tokens
