"""The tokens ``source_rows`` needs, from one regular expression (Python < 3.12).

``tokenize`` on 3.11 builds a named tuple per token in Python; this scanner yields the
same stream for what the rows model reads: strings (with the rows they span), comments,
names and single-character operators, NEWLINE versus NL, INDENT/DEDENT from the first
token of each logical line, and ENDMARKER. Numbers may come in pieces (``1.5`` is three
tokens): nothing reads them. Only for sources ``ast`` accepted.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Iterator

_STRING = (
    r"[bBrRuUfF]{0,2}(?:"
    r"'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"
    r'|"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'
    r"|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"
    r'|"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"'
    r")"
)
_TOKEN = re.compile(
    rf"(?P<string>{_STRING})|(?P<comment>#[^\r\n]*)|(?P<newline>\r?\n)"
    r"|(?P<continuation>\\\r?\n)|(?P<name>\w+)|(?P<op>[^\s\w])"
)
_KINDS = {"string": tokenize.STRING, "name": tokenize.NAME, "op": tokenize.OP}
Token = tuple[int, str, tuple[int, int], tuple[int, int]]


def fast_tokens(source: str) -> Iterator[Token]:
    row, row_start, depth, line_open = 1, 0, 0, False
    stack = [""]
    for match in _TOKEN.finditer(source):
        group, text, start = match.lastgroup, match.group(), match.start()
        col = start - row_start
        if group == "newline":
            newline = tokenize.NEWLINE if line_open and depth == 0 else tokenize.NL
            line_open = line_open and newline == tokenize.NL
            yield newline, text, (row, col), (row, col + len(text))
            row, row_start = row + 1, match.end()
        elif group == "continuation":
            row, row_start = row + 1, match.end()
        elif group == "comment":
            yield tokenize.COMMENT, text, (row, col), (row, col + len(text))
        else:
            if not line_open:
                line_open = True
                yield from _indentation(stack, source[row_start:start], row)
            if group == "op":
                depth += (text in "([{") - (text in ")]}")
            begin, breaks = (row, col), text.count("\n")
            if breaks:  # a string over several rows
                last_break = text.rindex("\n")
                row, row_start = row + breaks, start + last_break + 1
                yield _KINDS[group or "op"], text, begin, (row, len(text) - last_break - 1)
            else:
                yield _KINDS[group or "op"], text, begin, (row, col + len(text))
    if line_open:
        yield tokenize.NEWLINE, "", (row, len(source) - row_start), (row, len(source) - row_start)
    for _ in stack[1:]:
        yield tokenize.DEDENT, "", (row + 1, 0), (row + 1, 0)
    yield tokenize.ENDMARKER, "", (row + 1, 0), (row + 1, 0)


def _indentation(stack: list[str], indent: str, row: int) -> Iterator[Token]:
    """INDENT or DEDENTs before the first token of a logical line, as tokenize emits."""
    if len(indent) > len(stack[-1]):
        stack.append(indent)
        yield tokenize.INDENT, indent, (row, 0), (row, len(indent))
        return
    while len(indent) < len(stack[-1]):
        stack.pop()
        yield tokenize.DEDENT, "", (row, len(indent)), (row, len(indent))
