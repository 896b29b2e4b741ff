"""From a saved file to reusable blocks: extract, parameterise, fingerprint, describe.

Pure apart from reading nothing: ``blocks_from_source`` takes text and a path and returns
``LearnedBlock`` values (or a located error); the library journals and indexes them.
"""

from __future__ import annotations

import ast
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import PurePath

from onex_lsp.contract.schema import NodeKind
from onex_lsp.generation.blocks import block_shape
from onex_lsp.generation.detection import FITS, detect_operation
from onex_lsp.identifiers import is_snake_identifier
from onex_lsp.layout import NODE_FOLDER, block_id, handler_function_operation
from onex_lsp.learning.extraction import (
    BlockKind,
    ExtractedBlock,
    ExtractionError,
    parse_source,
)
from onex_lsp.learning.extraction_ast import parse_ast
from onex_lsp.learning.learned_block import LearnedBlock
from onex_lsp.learning.module_filter import UnsafeModule, definitions_only
from onex_lsp.learning.parameterize import (
    NameContext,
    entity_of,
    fingerprint_tree,
    parameterize,
    prose_in_code,
)

_CONTEXT_CHARS = 1000  # of the contract's description, embedded with a block or a query
_ID_NAMESPACE = uuid.UUID("5b1f3c2e-8f1d-4c7a-9a57-0e5b8c4d7f21")


@dataclass(frozen=True)
class LearnOutcome:
    blocks: tuple[LearnedBlock, ...]
    error: ExtractionError | None = None


def package_of(path: str) -> tuple[str, str] | None:
    """(node name, kind) of the ``node_<name>_<kind>`` folder the file is in, if any."""
    for part in reversed(PurePath(path).parts[:-1]):
        match = NODE_FOLDER.match(part)
        if match:
            return match.group("name"), match.group("kind")
    return None


def describe(
    node_kind: str | None, block: str | None, operation: str | None, extra: str = ""
) -> str:
    """The text embedded for a block and for a query: same shape on both sides."""
    words = (operation or "").replace("_", " ")
    entity = entity_of(operation).replace("_", " ") if operation else ""
    head = f"{node_kind or 'python'} node, {block or 'code'} handler for {words} ({entity})."
    # MiniLM reads 256 tokens; a 500 KB description must not cost every query its embedding.
    return f"{head} {extra[:_CONTEXT_CHARS]}".strip()


def classify(
    operation: str, node_kind: str | None, needs: str | None, is_async: bool
) -> str | None:
    """The built-in block type a handler stands for, judged by its name and its shape.

    ``needs`` is the comma-separated dependencies the handler takes (as journalled)."""
    kind = NodeKind(node_kind) if node_kind else NodeKind.EFFECT
    shape = (tuple(needs.split(",")) if needs else (), is_async)
    detection = detect_operation(operation, kind, {})
    for match in detection.matches:
        block = block_id(match.pattern.value, match.variant)
        if match.pattern in FITS[kind] and block_shape(block, kind) == shape:
            return block
    if kind is NodeKind.ORCHESTRATOR and block_shape("orchestration.step", kind) == shape:
        return "orchestration.step"
    return None


def _parse(source: str) -> ast.Module | None:
    try:
        return parse_ast(source)
    except (SyntaxError, ValueError):
        return None


def _docstring(tree: ast.Module | None) -> str:
    """The first function's docstring summary: words worth embedding with the block."""
    for node in tree.body if tree else ():
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return (ast.get_docstring(node) or "").split("\n\n")[0]
    return ""


def _handler_block(
    extracted: ExtractedBlock,
    module_body: str,
    path: str,
    package: tuple[str, str] | None,
    whole_module: bool,
    context: str,
) -> LearnedBlock | None:
    operation = handler_function_operation(extracted.name)
    if not is_snake_identifier(operation):
        return None
    params = dict(extracted.params)
    needs = ",".join(p for p in ("repository", "publisher", "executor") if p in params) or None
    node, kind = package or ("", None)
    annotation = next(iter(params.values()), "")
    names = NameContext(
        node=node,
        kind=kind or "effect",
        operation=operation,
        input_class=annotation if annotation.isidentifier() else "",
        output_class=extracted.returns if extracted.returns.isidentifier() else "",
        repository_protocol=params.get("repository", ""),
        executor_protocol=params.get("executor", ""),
    )
    template = parameterize(module_body, names)
    block = classify(operation, kind, needs, extracted.is_async)
    made = _make(
        BlockKind.HANDLER, block, kind, operation, needs, extracted, module_body, template, path
    )
    if made is None:
        return None
    # A whole handler module (imports, helpers, the function) can replace a generated one.
    text = describe(kind, block, operation, context)
    extra: dict[str, object] = {"module": whole_module, PROSE_IN_CODE: prose_in_code(template)}
    if whole_module:  # cut by ``safe_module``: a re-render need not cut it again
        extra[DEFINITIONS_ONLY] = True
    return replace(made, extra=extra, embedding_text=text)


def _make(
    kind: str, block: str | None, node_kind: str | None, operation: str | None, needs: str | None,
    extracted: ExtractedBlock, source: str, template: str, path: str,
) -> LearnedBlock | None:  # fmt: skip
    # One parse serves the docstring and, when the block is its own template, the fingerprint.
    tree = _parse(source)
    docstring = _docstring(tree)
    template_tree = tree if template == source else _parse(template)
    if template_tree is None:
        return None
    print_ = fingerprint_tree(template_tree, template)
    rng = extracted.range
    return LearnedBlock(
        id=str(uuid.uuid5(_ID_NAMESPACE, f"{kind}:{print_}")),
        fingerprint=f"{kind}:{print_}",
        kind=kind,
        block=block,
        node_kind=node_kind,
        operation=operation,
        needs=needs,
        is_async=extracted.is_async,
        source=source,
        template=template,
        origin_file=path,
        origin_range=(rng.start.line, rng.start.column, rng.end.line, rng.end.column),
        learned_at=time.time(),
        embedding_text=describe(node_kind, block, operation, docstring),
    )


# ``extra`` keys of what learning (or an import) found out about a handler's template,
# so that re-rendering it for each new contract need not again (older journals lack them):
DEFINITIONS_ONLY = "definitions_only"  # cut down to definitions (``safe_module``)
PROSE_IN_CODE = "prose_in_code"  # ``parameterize.prose_in_code`` of the template
_LEARNED_CHECKS = (DEFINITIONS_ONLY, PROSE_IN_CODE)


def safe_module(body: str) -> str:
    """The module body a handler block may carry to other packages: definitions, inert
    constants and the imports they use (``module_filter``); ``""`` when it cannot be cut
    down safely (the handler is then learned alone, never offered as a module)."""
    try:
        return definitions_only(body).text
    except (UnsafeModule, SyntaxError, ValueError, RecursionError):
        return ""


def blocks_from_source(source: str, path: str, context: str = "") -> LearnOutcome:
    """Every reusable block of a file; a file that does not parse gives a located error.

    ``context`` is the description of the contract the file implements: it becomes part
    of what is embedded, so a later query from a similar contract finds the block.
    """
    parsed = parse_source(source)
    try:
        extracted = parsed.blocks()
    except ExtractionError as exc:
        return LearnOutcome((), exc)
    package = package_of(path)
    learned: list[LearnedBlock] = []
    handlers = [b for b in extracted if b.kind == BlockKind.HANDLER]
    module_body = safe_module(parsed.without_docstring()) if len(handlers) == 1 else ""
    for block in extracted:
        made: LearnedBlock | None
        if block.kind == BlockKind.HANDLER:
            made = _handler_block(
                block, module_body or block.source, path, package, bool(module_body), context
            )
        else:
            node_kind = package[1] if package else None
            made = _make(
                block.kind, None, node_kind, None, None, block, block.source, block.source, path
            )
        if made is not None:
            learned.append(made)
    return LearnOutcome(tuple(learned))


_TEXT_FIELDS = ("id", "fingerprint", "kind", "source", "template", "origin_file", "embedding_text")
_OPTIONAL_TEXT = ("block", "node_kind", "operation", "needs", "parent_id")


def _well_typed(block: LearnedBlock) -> bool:
    """A block read from a file has the types extraction gives (nothing else is trusted)."""
    texts = all(isinstance(getattr(block, name), str) for name in _TEXT_FIELDS)
    optional = all(isinstance(getattr(block, name), str | None) for name in _OPTIONAL_TEXT)
    rng = block.origin_range
    numbers = isinstance(block.learned_at, int | float) and isinstance(block.is_async, bool)
    ranged = len(rng) == 4 and all(isinstance(n, int) for n in rng)
    return texts and optional and numbers and ranged and isinstance(block.extra, dict)


def checked_block(block: LearnedBlock) -> tuple[LearnedBlock | None, bool]:
    """(the block as learning would have made it, whether its code was cut down), for
    blocks from an exported file: well typed, a handler module reduced to definitions
    (``safe_module``), fingerprint and id recomputed from the template. ``None``: the
    block cannot be taken in safely."""
    if not _well_typed(block):
        return None, False
    template, source, cut = block.template, block.source, False
    extra = {k: v for k, v in block.extra.items() if k not in _LEARNED_CHECKS}  # not trusted
    if block.kind == BlockKind.HANDLER and block.extra.get("module"):
        template, source = safe_module(block.template), safe_module(block.source)
        if not template or not source:
            return None, True
        cut, extra[DEFINITIONS_ONLY] = template != block.template, True
    if block.kind == BlockKind.HANDLER:
        extra[PROSE_IN_CODE] = prose_in_code(template)
    tree = _parse(template)
    if tree is None:
        return None, cut
    print_ = f"{block.kind}:{fingerprint_tree(tree, template)}"
    made = replace(
        block, template=template, source=source, fingerprint=print_,
        id=str(uuid.uuid5(_ID_NAMESPACE, print_)), extra=extra,
    )  # fmt: skip
    return made, cut
