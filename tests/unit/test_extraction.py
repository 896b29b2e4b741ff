"""libcst extraction: which blocks a file yields, with 0-based ranges, as before/after tables."""

from __future__ import annotations

import textwrap

import pytest

from onex_lsp.learning.extraction import (
    BlockKind,
    ExtractionError,
    extract_blocks,
    module_without_docstring,
)

HANDLER = '''\
"""Handler for create_order."""

from ..models.model_orders_input import ModelOrdersInput
from ..models.model_orders_output import ModelOrdersOutput
from ..protocol_orders_repository import ProtocolOrdersRepository


async def handle_create_order(
    request: ModelOrdersInput,
    repository: ProtocolOrdersRepository,
) -> ModelOrdersOutput:
    """Create an order."""
    if not request.payload:
        raise ValueError("empty")
    try:
        stored = await repository.create(dict(request.payload))
    except KeyError as error:
        raise RuntimeError("duplicate") from error
    return ModelOrdersOutput(operation="create_order", data=stored)
'''

NODE = """\
class NodeOrdersEffect(NodeEffect):
    def __init__(self, container: ModelONEXContainer, repository: ProtocolOrdersRepository | None = None) -> None:
        self.repository = repository


async def test_create_order_stores() -> None:
    assert True
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            HANDLER,
            [
                (BlockKind.HANDLER, "handle_create_order", 7, 18),
                (BlockKind.ERROR_HANDLING, "try/except KeyError", 14, 17),
                (BlockKind.VALIDATION, "guard not request.payload", 12, 13),
            ],
            id="handler-module",
        ),
        pytest.param(
            NODE,
            [
                (BlockKind.DEPENDENCY_INJECTION, "injects repository", 1, 2),
                (BlockKind.NAMING, "NodeOrdersEffect", 0, 2),
                (BlockKind.TEST, "test_create_order_stores", 5, 6),
            ],
            id="node-and-test",
        ),
        pytest.param("x = 1\n", [], id="nothing"),
    ],
)
def test_blocks_and_ranges(source: str, expected: list[tuple[str, str, int, int]]) -> None:
    blocks = extract_blocks(source)
    assert [(b.kind, b.name, b.range.start.line, b.range.end.line) for b in blocks] == expected


def test_handler_signature_is_recorded() -> None:
    (handler,) = [b for b in extract_blocks(HANDLER) if b.kind == BlockKind.HANDLER]
    assert handler.is_async
    assert handler.params == (
        ("request", "ModelOrdersInput"),
        ("repository", "ProtocolOrdersRepository"),
    )
    assert handler.returns == "ModelOrdersOutput"
    assert handler.source.startswith("async def handle_create_order(")


def test_module_without_docstring_keeps_imports_and_code() -> None:
    body = module_without_docstring(HANDLER)
    assert body.startswith("from ..models.model_orders_input import ModelOrdersInput")
    assert "Handler for create_order" not in body
    assert "async def handle_create_order" in body


def test_unparsable_file_is_a_located_error() -> None:
    with pytest.raises(ExtractionError) as info:
        extract_blocks(textwrap.dedent("def ok():\n    return 1\n\nx = = 2\n"))
    assert info.value.line == 4
