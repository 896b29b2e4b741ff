"""Extraction: which blocks a file yields, with 0-based ranges, as before/after tables; and
the one-pass extraction against the libcst visitors it replaced, on real files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.learning.extraction import (
    BlockKind,
    ExtractionError,
    extract_blocks,
    function_span,
    module_without_docstring,
)
from onex_lsp.learning.fast_tokens import fast_tokens
from onex_lsp.learning.source_rows import SourceRows, standard_tokens
from tests.conftest import EXAMPLES, ROOT, generate
from tests.unit import extraction_reference

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


# -- the one-pass extraction equals the six libcst visitors it replaced --------------------
FIXTURES = ROOT / "tests" / "fixtures" / "extraction"
OMNIBASE = next(iter(ROOT.glob(".venv312/lib/python3.12/site-packages/omnibase_core")), None)
REAL_FILES = [
    *sorted(FIXTURES.glob("*.py")),  # comments at odd indentation, elif guards, tabs, CRLF
    ROOT / "server" / "onex_lsp" / "lsp" / "server.py",
    ROOT / "server" / "onex_lsp" / "learning" / "journal.py",
    ROOT / "scripts" / "demo_loop.py",
    ROOT / "tests" / "unit" / "test_feedback.py",
]
OMNIBASE_FILES = [
    "mixins/mixin_health_check.py",  # 1,000 lines of methods, guards and try blocks
    "infrastructure/node_base.py",  # PEP 695 generics: libcst when ast is 3.11's
    "validation/validator_occ_merge_eligibility.py",
]


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:  # keep CRLF as written
        return handle.read()


def _assert_same_as_reference(source: str) -> None:
    assert extract_blocks(source) == extraction_reference.extract_blocks(source)
    assert module_without_docstring(source) == extraction_reference.module_without_docstring(source)


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_same_blocks_texts_and_ranges_as_the_libcst_visitors(path: Path) -> None:
    _assert_same_as_reference(_read(path))


@pytest.mark.parametrize("contract", EXAMPLES, ids=lambda p: p.stem)
def test_same_blocks_for_every_generated_module(contract: Path) -> None:
    result = load_contract(contract.read_text(), str(contract))
    assert result.contract is not None
    for text in generate(result.contract.text).files.values():
        if text.startswith(('"""', "from", "import")):
            _assert_same_as_reference(text)


@pytest.mark.skipif(OMNIBASE is None, reason="the framework venv (.venv312) is not built")
@pytest.mark.parametrize("relative", OMNIBASE_FILES)
def test_same_blocks_on_omnibase_core_sources(relative: str) -> None:
    assert OMNIBASE is not None
    _assert_same_as_reference(_read(OMNIBASE / relative))


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_the_regex_scanner_classifies_rows_as_tokenize_does(path: Path) -> None:
    """Python 3.11 classifies rows with ``fast_tokens``; 3.12+ with ``tokenize``."""
    source = _read(path)
    fast, standard = SourceRows(source, fast_tokens), SourceRows(source, standard_tokens)
    assert (fast.kind, fast.logical_of, fast.owner, fast.first_logical) == (
        standard.kind,
        standard.logical_of,
        standard.owner,
        standard.first_logical,
    )


def _extracted_spans(source: str) -> dict[str, tuple[int, int]]:
    lines = source.splitlines(keepends=True)
    spans: dict[str, tuple[int, int]] = {}
    for block in extract_blocks(source):
        if block.kind == BlockKind.HANDLER and block.name not in spans:
            start, end = block.range.start, block.range.end
            spans[block.name] = (
                sum(map(len, lines[: start.line])) + start.column,
                sum(map(len, lines[: end.line])) + end.column,
            )
    return spans


@pytest.mark.parametrize("contract", EXAMPLES, ids=lambda p: p.stem)
def test_a_handler_found_by_one_walk_has_the_span_extraction_gives(contract: Path) -> None:
    """What a generate resolve follows (``function_span``) is the handler block learning
    extracts, character for character, in every generated handler module."""
    result = load_contract(contract.read_text(), str(contract))
    assert result.contract is not None
    compared = 0
    for rel, text in generate(result.contract.text).files.items():
        if not rel.endswith(".py"):
            continue
        for name, span in _extracted_spans(text).items():
            assert function_span(text, name) == span, name
            compared += 1
    assert compared


@pytest.mark.parametrize(
    "source",
    [
        "# é and 中 before\ndef handle_x(r):\n    return 'é中'  # tail\n",
        "@decorated\nasync def handle_y(r):\n    x = 1\n\n    return x\n",
        "class Holder:\n    def handle_z(self):\n        return 1\n",
        "if True:\n    def handle_w(r):\n        return 2\n",
        "def outer():\n    def handle_v(r):\n        return 3\n    return handle_v\n",
    ],
    ids=["non-ascii", "decorated-async", "in-class", "in-if", "nested"],
)
def test_function_span_agrees_with_extraction(source: str) -> None:
    spans = _extracted_spans(source)
    for name in ("handle_x", "handle_y", "handle_z", "handle_w", "handle_v"):
        assert function_span(source, name) == spans.get(name)


def test_a_handler_in_newer_syntax_is_still_found_for_feedback() -> None:
    """Where this Python's ``ast`` cannot parse the module (PEP 695 on 3.11), the span
    comes from extraction, which masks that syntax."""
    from onex_lsp.lsp.feedback_session import handler_span

    source = "type Row = dict[str, int]\n\n\ndef handle_x[T](r: T) -> T:\n    return r\n"
    assert handler_span(source, "handle_x") == _extracted_spans(source)["handle_x"]
    assert source[slice(*_extracted_spans(source)["handle_x"])].startswith("def handle_x")
