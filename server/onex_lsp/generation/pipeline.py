"""Contract in, node package out: the use case the CLI and the language server share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from onex_lsp.contract.model import Contract
from onex_lsp.generation.detection import ContractDetection, detect_contract
from onex_lsp.generation.formatting import format_sources
from onex_lsp.generation.offers import Variant
from onex_lsp.generation.package_files import render_package
from onex_lsp.generation.package_plan import Location, PackagePlan, plan_layout
from onex_lsp.generation.ranking import (
    DEFAULT_THRESHOLD,
    HandlerChoice,
    LearnedOption,
    apply_learned,
    choose_handlers,
)


@dataclass(frozen=True)
class GeneratedPackage:
    contract: Contract
    plan: PackagePlan
    detection: ContractDetection
    choices: tuple[HandlerChoice, ...]
    files: dict[str, str]  # POSIX paths relative to plan.root
    formatted: bool

    @property
    def package_name(self) -> str:
        return self.plan.package.name


def plan_package(
    contract: Contract,
    where: Location,
    threshold: float = DEFAULT_THRESHOLD,
    learned: dict[str, list[LearnedOption]] | None = None,
    forced: dict[str, LearnedOption] | None = None,
    builtin_estimate: Callable[[HandlerChoice], float] | None = None,
    blocks: dict[str, str] | None = None,
) -> GeneratedPackage:
    """Plan the layout, detect, choose (the user's learned blocks win where they clearly do,
    or where the user picked one: ``forced``), render, format."""
    plan = plan_layout(contract, where)
    detection = detect_contract(contract)
    # A declarative node is run by omnibase-core from its YAML: no handler to choose.
    choices = choose_handlers(contract, detection, threshold) if plan.handlers else ()
    if blocks:  # the user picked another built-in block for these operations
        choices = tuple(
            replace(c, block=blocks[c.operation], reason=f"{c.operation}: {blocks[c.operation]} "
                    "block chosen by the user")
            if c.operation in blocks else c
            for c in choices
        )  # fmt: skip
    if learned or forced:
        choices = apply_learned(choices, learned or {}, forced, builtin_estimate)
    files, formatted = format_sources(render_package(contract, plan, choices, threshold))
    return GeneratedPackage(contract, plan, detection, choices, files, formatted)


def package_for_variant(
    contract: Contract,
    where: Location,
    variant: Variant,
    threshold: float = DEFAULT_THRESHOLD,
    learned: dict[str, list[LearnedOption]] | None = None,
    builtin_estimate: Callable[[HandlerChoice], float] | None = None,
) -> GeneratedPackage:
    """The package a generate action's variant writes; a learned pick that is no longer
    on offer falls back to the default choice."""
    if variant.builtin_only:
        return plan_package(contract, where, threshold)
    if variant.operation is not None and variant.builtin_block is not None:
        return plan_package(
            contract, where, threshold, blocks={variant.operation: variant.builtin_block}
        )
    forced = None
    if variant.operation is not None and variant.learned_block is not None:
        found = (learned or {}).get(variant.operation, [])
        picked = [o for o in found if o.block_id == variant.learned_block]
        forced = {variant.operation: picked[0]} if picked else None
    return plan_package(contract, where, threshold, learned, forced, builtin_estimate)
