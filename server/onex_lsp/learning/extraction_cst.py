"""Extraction with libcst, for sources ``ast`` cannot parse here (newer syntax than the
running Python, e.g. PEP 695 generics on 3.11) and for genuine syntax errors, whose
location libcst reports. One visitor, one position pass."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from onex_lsp.learning.extracted import (
    KIND_ORDER,
    BlockKind,
    ExtractedBlock,
    ExtractionError,
    class_summary,
    is_handler_name,
)
from onex_lsp.positions import Range, range_from_libcst


def _range(position: CodeRange) -> Range:
    return range_from_libcst(
        position.start.line, position.start.column, position.end.line, position.end.column
    )


class GatherBlocksCstVisitor(cst.CSTVisitor):
    """Every block kind in one walk; handlers and tests only outside functions."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.found: dict[str, list[ExtractedBlock]] = {kind: [] for kind in KIND_ORDER}
        self._functions = 0

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node).strip("\n")

    def add(self, kind: str, name: str, node: cst.CSTNode, **extra: object) -> None:
        position = self.get_metadata(PositionProvider, node)
        self.found[kind].append(
            ExtractedBlock(kind, name, self.code(node), _range(position), **extra)  # type: ignore[arg-type]
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name, is_async = node.name.value, node.asynchronous is not None
        if not self._functions and is_handler_name(name):
            params = tuple(
                (p.name.value, self.code(p.annotation.annotation) if p.annotation else "")
                for p in node.params.params
            )
            returns = self.code(node.returns.annotation) if node.returns else ""
            self.add(
                BlockKind.HANDLER, name, node, is_async=is_async, params=params, returns=returns
            )
        if not self._functions and name.startswith("test_"):
            self.add(BlockKind.TEST, name, node, is_async=is_async)
        if name == "__init__":
            injected = [
                p.name.value
                for p in node.params.params
                if p.annotation and "Protocol" in self.code(p.annotation.annotation)
            ]
            if injected:
                self.add(BlockKind.DEPENDENCY_INJECTION, f"injects {', '.join(injected)}", node)
        self._functions += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions -= 1

    def visit_Try(self, node: cst.Try) -> None:
        handled = ", ".join(self.code(h.type) if h.type else "everything" for h in node.handlers)
        self.add(BlockKind.ERROR_HANDLING, f"try/except {handled}", node)

    def visit_If(self, node: cst.If) -> None:
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        line = body[0] if len(body) == 1 else None
        if isinstance(line, cst.SimpleStatementLine) and any(
            isinstance(s, cst.Raise) for s in line.body
        ):
            self.add(BlockKind.VALIDATION, f"guard {self.code(node.test)[:60]}", node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        summary = class_summary(node.name.value, [self.code(b.value) for b in node.bases])
        position = self.get_metadata(PositionProvider, node)
        self.found[BlockKind.NAMING].append(
            ExtractedBlock(BlockKind.NAMING, node.name.value, summary, _range(position))
        )


def parse_python(source: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise ExtractionError(exc.message, exc.raw_line, exc.raw_column) from exc


def extract_with_libcst(source: str) -> list[ExtractedBlock]:
    wrapper = MetadataWrapper(parse_python(source), unsafe_skip_copy=True)
    visitor = GatherBlocksCstVisitor(wrapper.module)
    wrapper.visit(visitor)
    return [block for kind in KIND_ORDER for block in visitor.found[kind]]


def module_without_docstring_cst(source: str) -> str:
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
