"""The blocking work behind the generate, add-handler and insert-pattern actions.

Each job reads the package's files, asks the pattern library and renders templates, so
it runs in a worker thread. ``Workbench`` is what a job needs from the sessions,
captured on the event loop: the threshold, a snapshot of the feedback stats and the
library's lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from onex_lsp import english, layout
from onex_lsp.contract.model import Contract
from onex_lsp.feedback.offers import (
    GenerateSituation,
    Offer,
    insert_offers,
    other_verb_offers,
)
from onex_lsp.feedback.ranking import builtin_estimate, pattern_key, weigh_learned
from onex_lsp.feedback.stats import PatternStats
from onex_lsp.feedback.tracker import PlannedBlock
from onex_lsp.generation.detection import ContractDetection, detect_contract
from onex_lsp.generation.drift import (
    AddHandlerPlan,
    add_handler_plan,
    alternative_blocks,
    swap_block_plan,
)
from onex_lsp.generation.existing import is_stub
from onex_lsp.generation.offers import BUILTIN_VARIANT, Variant
from onex_lsp.generation.package_plan import HandlerStyle, Location, PackagePlan
from onex_lsp.generation.pipeline import GeneratedPackage, package_for_variant, plan_package
from onex_lsp.generation.ranking import (
    HandlerChoice,
    LearnedOption,
    apply_learned,
    choose_handlers,
    insert_candidates,
    named_blocks,
)
from onex_lsp.generation.rendering import compile_templates
from onex_lsp.lsp import packages
from onex_lsp.lsp.feedback_session import handler_span, planned_block
from onex_lsp.workspace_fs import confined_paths, read_texts

Lookup = Callable[[Contract, PackagePlan, float], dict[str, list[LearnedOption]]]


@dataclass(frozen=True)
class Workbench:
    threshold: float
    stats: Mapping[str, PatternStats]  # a snapshot: the loop keeps updating the live stats
    lookup: Lookup
    roots: tuple[Path, ...]  # the workspace folders

    def where(self, contract_path: Path) -> Location:
        """Blocking (resolves paths): the contract's place in the workspace."""
        return packages.location(contract_path, list(self.roots))

    def confine(self, root: Path, relatives: Iterable[str]) -> None:
        """Blocking: refuse (``UnsafePathError``) a file that resolves, symlinks included,
        outside ``root`` or a ``root`` outside the workspace folders. Every job that writes
        or proposes files calls it, so both the server's writes and the edits sent to the
        editor stay in the workspace."""
        confined_paths(root, relatives, self.roots)

    def options(self, contract: Contract, plan: PackagePlan) -> dict[str, list[LearnedOption]]:
        """Learned alternatives per operation, weighed by their feedback."""
        return weigh_learned(self.lookup(contract, plan, self.threshold), self.stats)


def generate_situation(
    bench: Workbench, contract: Contract, path: Path
) -> tuple[GenerateSituation, Path] | None:
    """What a generate offer depends on, and the folder it creates (``None``: the package
    exists already, so generating is not offered)."""
    where = bench.where(path)
    state = packages.package_state(contract, where)
    if state.exists:
        return None
    detection = detect_contract(contract)
    options = bench.options(contract, state.plan)
    choices = apply_learned(
        choose_handlers(contract, detection, bench.threshold),
        options,
        builtin_estimate=builtin_estimate(bench.stats),
    )
    stubs = sum(1 for text in state.existing.values() if text is not None and is_stub(text))
    situation = GenerateSituation(contract, detection, choices, options, stubs)
    return situation, Path(state.plan.root) / state.plan.package


def prepare_generation() -> None:
    """Blocking: compile every template and load English now, for the first generation."""
    compile_templates()
    english.prepare()


def learned_for(bench: Workbench, contract: Contract, path: Path) -> None:
    """Blocking: ask the lookup for the contract's learned options (a refresh keeps them)."""
    bench.lookup(contract, packages.plan_of(contract, bench.where(path)), bench.threshold)


def variant_package(
    bench: Workbench, contract: Contract, path: Path, variant: Variant
) -> GeneratedPackage:
    """The package an offered variant writes."""
    where = bench.where(path)
    options = (
        {} if variant.builtin_only else bench.options(contract, packages.plan_of(contract, where))
    )
    estimate = builtin_estimate(bench.stats)
    return package_for_variant(contract, where, variant, bench.threshold, options, estimate)


@dataclass(frozen=True)
class GenerateJob:
    generated: GeneratedPackage
    writes: packages.Writes  # what exists, what it means, what blocks writing
    planned: list[PlannedBlock]


def builtin_files(bench: Workbench, contract: Contract, path: Path) -> Mapping[str, str]:
    """Blocking: the package's files with built-in blocks only: what restoring the built-in
    block in place of a learned one looks like (learned options play no part in it)."""
    return variant_package(bench, contract, path, BUILTIN_VARIANT).files


def generate_job(
    bench: Workbench,
    contract: Contract,
    path: Path,
    variant: Variant,
    builtin: Mapping[str, str] | None = None,
) -> GenerateJob:
    """The package a generate action's variant writes, checked against the disk;
    ``builtin``: ``builtin_files``, if computed already."""
    generated = variant_package(bench, contract, path, variant)
    if builtin is None and any(c.learned for c in generated.choices):
        builtin = builtin_files(bench, contract, path)
    planned = planned_blocks(generated, builtin=builtin)
    writes = packages.recorded(packages.writes_for(generated), bench.threshold)
    bench.confine(Path(generated.plan.root), writes.reconciled.writes)
    return GenerateJob(generated, writes, planned)


def planned_blocks(
    generated: GeneratedPackage,
    operation: str | None = None,
    builtin: Mapping[str, str] | None = None,
) -> list[PlannedBlock]:
    """The handler functions a package creates (of one ``operation``), for feedback, each
    with its family and, for a learned block, the built-in handler it stands in for (in
    ``builtin``, the package's built-in files)."""
    if generated.plan.style is not HandlerStyle.FUNCTION:
        return []  # the class layout's methods are not followed yet
    root = Path(generated.plan.root)
    planned = []
    for choice in generated.choices:
        if operation is not None and choice.operation != operation:
            continue
        target = generated.plan.handler_for(choice.operation)
        rel = str(target.module.path)
        if rel in generated.files:
            text = generated.files[rel]
            found = planned_block(
                root / rel, text, pattern_key(choice), choice.operation, target.name
            )
            if found is not None and choice.learned is not None:
                original = (builtin or {}).get(rel)
                span = handler_span(original, target.name) if original else None
                found = replace(
                    found,
                    family=choice.learned.family,
                    builtin=original[span[0] : span[1]] if original and span else "",
                )
            planned += [found] if found is not None else []
    return planned


def add_handler_job(
    bench: Workbench, contract: Contract, path: Path, operation: str
) -> tuple[AddHandlerPlan, list[PlannedBlock], Path] | None:
    """The edits that add one operation's handler to the package as it stands; the merge
    base is the package as generated before the operation was added. ``None`` when the
    contract has no such operation."""
    if operation not in {op.name for op in contract.operations}:
        return None
    where = bench.where(path)
    generated = plan_package(contract, where, bench.threshold)
    others = tuple(op for op in contract.operations if op.name != operation)
    base = (
        plan_package(replace(contract, operations=others), where, bench.threshold)
        if others
        else None
    )
    existing = read_texts(Path(where.root), list(generated.files))
    plan = add_handler_plan(generated, operation, existing, base.files if base else None)
    bench.confine(Path(where.root), [*plan.new_files, *(edit.path for edit in plan.edits)])
    return plan, planned_blocks(generated, operation), Path(where.root)


def handler_package(handler_path: Path) -> Path | None:
    """The node package folder of a handler module: ``<package>/handlers/handler_<op>.py``,
    or the real ONEX packaged layout's ``<package>/handler.py``."""
    if layout.handler_file_operation(handler_path.parts) is not None:
        return handler_path.parent.parent
    return handler_path.parent if handler_path.name == "handler.py" else None


@dataclass(frozen=True)
class InsertOffers:
    """What insert-pattern offers for one handler: the menu's offers and how many blocks of
    other verb families it keeps back (or, asked for those, their offers)."""

    operation: str
    offers: list[Offer]
    held_back: int


def insert_job(
    bench: Workbench, handler_path: Path, strict_model: bool, other_verbs: bool = False
) -> InsertOffers | None:
    """The blocks a handler module (``<package>/handlers/handler_<op>.py``) could become;
    ``None`` when it is not a handler of a valid contract. ``other_verbs``: only the blocks
    of other verb families, which the menu holds back."""
    found = _handler_of(bench, handler_path, strict_model)
    if found is None:
        return None
    contract, plan, detection, choice = found
    candidates = insert_candidates(
        choice.block,
        contract.kind,
        named_blocks(contract, detection, choice.operation),
        alternative_blocks(contract, choice),
    )
    if other_verbs:
        offered = other_verb_offers(choice.operation, candidates.other_verbs)
        return InsertOffers(choice.operation, offered, 0)
    # Learned blocks are handler functions: a class-style module takes built-in blocks only.
    learned = plan.style is HandlerStyle.FUNCTION
    options = bench.options(contract, plan).get(choice.operation, []) if learned else []
    offered = insert_offers(choice.operation, options, candidates.default)
    return InsertOffers(choice.operation, offered, len(candidates.other_verbs))


def _handler_of(
    bench: Workbench, handler_path: Path, strict_model: bool
) -> tuple[Contract, PackagePlan, ContractDetection, HandlerChoice] | None:
    """The contract, plan, detection and current block of the one operation a handler
    module serves; ``None`` for a module serving several (a swap rewrites the module)."""
    package = handler_package(handler_path)
    contract = packages.contract_in(package, strict_model) if package else None
    if package is None or contract is None:
        return None
    where = bench.where(package / "contract.yaml")
    plan = packages.plan_of(contract, where)
    wanted = handler_path.resolve()
    targets = [h for h in plan.handlers if Path(plan.root) / h.module.path == wanted]
    if len(targets) != 1 or len(targets[0].operations) != 1:
        return None
    detection = detect_contract(contract)
    choices = choose_handlers(contract, detection, bench.threshold)
    (operation,) = targets[0].operations
    choice = next((c for c in choices if c.operation == operation), None)
    return (contract, plan, detection, choice) if choice is not None else None


@dataclass(frozen=True)
class Swap:
    """Another block for a handler: its module's new text and the wiring it needs."""

    root: Path
    path: str  # the handler module, relative to root
    text: str
    wiring: AddHandlerPlan  # support modules to create, lines to add to the node and models
    planned: list[PlannedBlock]


def swap_job(
    bench: Workbench, handler_path: Path, variant: Variant, strict_model: bool
) -> Swap | None:
    """The package with the picked block (built-in or learned) for one operation."""
    package = handler_package(handler_path)
    contract = packages.contract_in(package, strict_model) if package else None
    operation = variant.operation
    if package is None or contract is None or operation is None:
        return None
    where = bench.where(package / "contract.yaml")
    if variant.learned_block is not None:
        plan = packages.plan_of(contract, where)
        found = bench.options(contract, plan).get(operation, [])
        if not any(o.block_id == variant.learned_block for o in found):
            return None  # no longer on offer
        generated = package_for_variant(
            contract, where, variant, bench.threshold, {operation: found}
        )
    else:
        generated = package_for_variant(contract, where, variant, bench.threshold)
    existing = read_texts(Path(where.root), list(generated.files))
    base = plan_package(contract, where, bench.threshold).files  # what the current block came with
    wiring = swap_block_plan(generated, operation, existing, base)
    path = str(generated.plan.handler_for(operation).module.path)
    new_files = {p: t for p, t in wiring.new_files.items() if p != path}
    planned = planned_blocks(generated, operation, builtin=base)
    text = generated.files[path]
    bench.confine(Path(where.root), [path, *new_files, *(edit.path for edit in wiring.edits)])
    return Swap(Path(where.root), path, text, replace(wiring, new_files=new_files), planned)
