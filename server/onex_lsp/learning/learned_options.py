"""A contract's learned options: learned handlers re-rendered for its operations.

All operations are asked for at once (``PatternLibrary.candidates_many``): their query
texts are new for the embedding model after every edit of the contract's description,
and one batch is one model run and one cache write instead of one of each per operation.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from onex_lsp import layout
from onex_lsp.contract.reader import Contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_plan import HandlerStyle, PackagePlan
from onex_lsp.generation.ranking import LearnedOption, choose_handlers
from onex_lsp.learning.blocks import DEFINITIONS_ONLY, PROSE_IN_CODE, describe
from onex_lsp.learning.journal import LearnedBlock
from onex_lsp.learning.lineage import family_root
from onex_lsp.learning.module_filter import definitions_only
from onex_lsp.learning.parameterize import NameContext, instantiate

if TYPE_CHECKING:
    from onex_lsp.learning.library import PatternLibrary, Query

_RENDERED = 512  # re-rendered learned templates kept (a few MB at most)


def contract_queries(contract: Contract, plan: PackagePlan, threshold: float) -> dict[str, Query]:
    """Per operation with a built-in block, what learned handlers are searched for."""
    from onex_lsp.learning.library import Query

    if plan.style is not HandlerStyle.FUNCTION:
        return {}
    kind = contract.kind.value
    return {
        choice.operation: Query(
            kind, choice.block, describe(kind, choice.block, choice.operation, contract.description)
        )
        for choice in choose_handlers(contract, detect_contract(contract), threshold)
        if choice.block != "stub"
    }


def learned_options(
    library: PatternLibrary,
    contract: Contract,
    plan: PackagePlan,
    threshold: float,
    limit: int = 3,
) -> dict[str, list[LearnedOption]]:
    """Learned handlers that could replace each operation's built-in block, re-render-checked.

    Only blocks of the same node kind and block type are asked for, and only those that
    re-render for this contract into valid Python are kept. Learned blocks are handler
    modules of the function layout; a package in the class layout gets none.
    """
    queries = contract_queries(contract, plan, threshold)
    found = library.candidates_many(list(queries.values()), limit)
    options: dict[str, list[LearnedOption]] = {}
    for operation, candidates in zip(queries, found, strict=True):
        for candidate in candidates:
            option = learned_option(
                candidate.block, contract, plan, operation, candidate.similarity
            )
            if option is not None:
                family = family_root(candidate.block, library.journal.get_many)
                options.setdefault(operation, []).append(replace(option, family=family))
    return options


def learned_option(
    learned: LearnedBlock, contract: Contract, node: PackagePlan, operation: str, similarity: float
) -> LearnedOption | None:
    """A learned handler re-rendered for ``operation`` of ``contract``; ``None`` when it does
    not become valid Python with this contract's names."""
    cut = learned.extra.get(DEFINITIONS_ONLY) is True
    checked = learned.extra.get(PROSE_IN_CODE) is False
    context = name_context(contract, node, operation)
    module_text = _rendered(learned.template, cut, checked, context)
    if module_text is None:
        return None
    origin = "/".join(Path(learned.origin_file).parts[-3:])
    if learned.operation:  # the function it came from
        origin = f"{layout.handler_function(learned.operation)} in {origin}"
    return LearnedOption(learned.id, module_text, origin, similarity)


@functools.lru_cache(maxsize=_RENDERED)
def _rendered(template: str, cut: bool, checked: bool, context: NameContext) -> str | None:
    """A learned template re-rendered with these names and parsed, or ``None``; ``cut``,
    ``checked``: learning cut it down to definitions, found no prose name in its code.
    Cached: after an edit of the contract's description the names are the same and most
    blocks found are too, and re-rendering is pure Python (tokenize, parse) holding the GIL."""
    filtered = template if cut else _definitions(template)
    if filtered is None:
        return None
    try:
        module_text = instantiate(filtered, context, prose_checked=checked)
        ast.parse(module_text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    return module_text


@functools.lru_cache(maxsize=_RENDERED)
def _definitions(template: str) -> str | None:
    """The template cut down to definitions, or ``None``: journals written before learned
    modules were cut down to definitions (and imported files) may carry other module-level
    code, never re-rendered. Cached apart from the names: a contract edit that changes
    them (a new package) re-renders the same templates."""
    try:
        return definitions_only(template).text
    except (SyntaxError, ValueError, RecursionError):  # UnsafeModule is a ValueError
        return None


def name_context(contract: Contract, plan: PackagePlan, operation: str) -> NameContext:
    """The new contract's names, for re-rendering a learned template."""
    return NameContext(
        node=contract.name,
        kind=contract.kind.value,
        operation=operation,
        input_class=plan.input_model.name,
        output_class=plan.output_model.name,
        repository_protocol=layout.repository_protocol(contract.name),
        executor_protocol=layout.executor_protocol(contract.name),
    )
