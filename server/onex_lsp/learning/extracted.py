"""What extraction produces: block kinds, extracted blocks and located parse errors."""

from __future__ import annotations

from dataclasses import dataclass

from onex_lsp.layout import is_handler_function
from onex_lsp.positions import Range


class BlockKind:
    HANDLER = "handler"
    ERROR_HANDLING = "error_handling"
    VALIDATION = "validation"
    DEPENDENCY_INJECTION = "dependency_injection"
    NAMING = "naming"
    TEST = "test"


# The order blocks are listed in: kind by kind, each kind in source order.
KIND_ORDER = (
    BlockKind.HANDLER,
    BlockKind.ERROR_HANDLING,
    BlockKind.VALIDATION,
    BlockKind.DEPENDENCY_INJECTION,
    BlockKind.NAMING,
    BlockKind.TEST,
)


@dataclass(frozen=True)
class ExtractedBlock:
    kind: str
    name: str
    source: str
    range: Range
    is_async: bool = False
    params: tuple[tuple[str, str], ...] = ()  # (name, annotation source) of a handler
    returns: str = ""


class ExtractionError(ValueError):
    """The file is not Python libcst can parse; carries a located message."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[type[ExtractionError], tuple[str, int, int]]:
        return (ExtractionError, (str(self), self.line, self.column))  # crosses processes


def is_handler_name(name: str) -> bool:
    return is_handler_function(name)


def class_summary(name: str, bases: list[str]) -> str:
    """A naming block's text: the class line without its body."""
    return f"class {name}({', '.join(bases)}): ..." if bases else f"class {name}: ..."
