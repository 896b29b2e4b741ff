"""Source positions: the one place where line/column conventions are converted.

Internally every position is 0-based (line and column), like LSP. PyYAML marks are
0-based too; libcst lines are 1-based; people (CLI messages, editors' status bars)
read 1-based lines and columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class _Mark(Protocol):
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class Range:
    start: Position
    end: Position

    @staticmethod
    def point(line: int, column: int) -> Range:
        return Range(Position(line, column), Position(line, column))

    def contains(self, position: Position) -> bool:
        return self.start <= position <= self.end


def range_from_yaml_marks(start: _Mark, end: _Mark) -> Range:
    """PyYAML marks are already 0-based."""
    return Range(Position(start.line, start.column), Position(end.line, end.column))


def range_from_libcst(start_line: int, start_column: int, end_line: int, end_column: int) -> Range:
    """libcst's CodeRange has 1-based lines and 0-based columns."""
    return Range(Position(start_line - 1, start_column), Position(end_line - 1, end_column))


def human_location(path: str, position: Position) -> str:
    """``file:line:col`` with 1-based line and column, as compilers print it."""
    return f"{path}:{position.line + 1}:{position.column + 1}"
