"""The extraction as it was before the one-pass rewrite: six libcst visitors over a
``MetadataWrapper``. Kept verbatim as the reference the new extraction must equal.

Original docstring: Extract pattern blocks from Python source with libcst.

Each ``Gather*Visitor`` collects one kind of block with its source range (libcst lines are
1-based; ``positions.range_from_libcst`` converts). Handler blocks are what generation
reuses; the other kinds (error handling, validation, dependency injection, naming, tests)
are kept for search and statistics.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from onex_lsp.learning.extraction import BlockKind, ExtractedBlock, ExtractionError
from onex_lsp.positions import Range, range_from_libcst


def _range(position: CodeRange) -> Range:
    return range_from_libcst(
        position.start.line, position.start.column, position.end.line, position.end.column
    )


class _Gatherer(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.blocks: list[ExtractedBlock] = []

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node).strip("\n")

    def add(self, kind: str, name: str, node: cst.CSTNode, **extra: object) -> None:
        position = self.get_metadata(PositionProvider, node)
        self.blocks.append(
            ExtractedBlock(kind, name, self.code(node), _range(position), **extra)  # type: ignore[arg-type]
        )


class GatherHandlerFunctionsVisitor(_Gatherer):
    """Module-level ``handle_<operation>`` functions: the pattern blocks."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        name = node.name.value
        if name.startswith("handle_") and len(name) > len("handle_"):
            params = tuple(
                (p.name.value, self.code(p.annotation.annotation) if p.annotation else "")
                for p in node.params.params
            )
            returns = self.code(node.returns.annotation) if node.returns else ""
            self.add(
                BlockKind.HANDLER, name, node,
                is_async=node.asynchronous is not None, params=params, returns=returns,
            )  # fmt: skip
        return False  # nested functions are part of the block


class GatherErrorHandlingVisitor(_Gatherer):
    """``try`` statements: how this code base reports and recovers from failures."""

    def visit_Try(self, node: cst.Try) -> None:
        handled = ", ".join(self.code(h.type) if h.type else "everything" for h in node.handlers)
        self.add(BlockKind.ERROR_HANDLING, f"try/except {handled}", node)


class GatherValidationVisitor(_Gatherer):
    """``if <condition>: raise ...`` guards: input validation."""

    def visit_If(self, node: cst.If) -> None:
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        line = body[0] if len(body) == 1 else None
        if isinstance(line, cst.SimpleStatementLine) and any(
            isinstance(s, cst.Raise) for s in line.body
        ):
            self.add(BlockKind.VALIDATION, f"guard {self.code(node.test)[:60]}", node)


class GatherInjectionVisitor(_Gatherer):
    """``__init__`` methods taking Protocol-typed or defaulted dependencies."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.name.value != "__init__":
            return
        injected = [
            p.name.value
            for p in node.params.params
            if p.annotation and "Protocol" in self.code(p.annotation.annotation)
        ]
        if injected:
            self.add(BlockKind.DEPENDENCY_INJECTION, f"injects {', '.join(injected)}", node)


class GatherNamingVisitor(_Gatherer):
    """Class names, which carry the naming conventions (Node*, Model*, Protocol*...)."""

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = ", ".join(self.code(b.value) for b in node.bases)
        self.blocks.append(
            ExtractedBlock(
                BlockKind.NAMING,
                node.name.value,
                f"class {node.name.value}({bases}): ..."
                if bases
                else f"class {node.name.value}: ...",
                _range(self.get_metadata(PositionProvider, node)),
            )
        )


class GatherTestsVisitor(_Gatherer):
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node.name.value.startswith("test_"):
            self.add(BlockKind.TEST, node.name.value, node, is_async=node.asynchronous is not None)
        return False


VISITORS: tuple[type[_Gatherer], ...] = (
    GatherHandlerFunctionsVisitor,
    GatherErrorHandlingVisitor,
    GatherValidationVisitor,
    GatherInjectionVisitor,
    GatherNamingVisitor,
    GatherTestsVisitor,
)


def parse_python(source: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise ExtractionError(exc.message, exc.raw_line, exc.raw_column) from exc


def extract_blocks(source: str) -> list[ExtractedBlock]:
    """Every block of every kind, in visitor order then source order."""
    module = parse_python(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    blocks: list[ExtractedBlock] = []
    for visitor_type in VISITORS:
        visitor = visitor_type(wrapper.module)
        wrapper.visit(visitor)
        blocks.extend(visitor.blocks)
    return blocks


def module_without_docstring(source: str) -> str:
    """The module's code minus its docstring: a handler module's reusable body."""
    module = parse_python(source)
    body = list(module.body)
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0] if body[0].body else None
        if isinstance(first, cst.Expr) and isinstance(
            first.value, cst.SimpleString | cst.ConcatenatedString
        ):
            body = body[1:]
    return module.with_changes(body=body, header=[]).code.lstrip("\n")
