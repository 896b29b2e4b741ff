"""Choose the pattern block for each operation, best first, with reasons.

Pure: takes a contract and its detection, returns ``HandlerChoice`` values. The node
kind decides which blocks fit (a COMPUTE node is pure, so a CRUD verb there cannot
get a repository); an operation whose best fitting match is below the threshold
gets the one block allowed to carry a TODO: a pass-through stub.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from onex_lsp.contract.model import Contract
from onex_lsp.contract.schema import NodeKind
from onex_lsp.generation.blocks import STUB, family, same_verb
from onex_lsp.generation.detection import (
    FITS,
    NATURAL_KIND,
    ContractDetection,
    Pattern,
    PatternMatch,
)
from onex_lsp.layout import block_id

DEFAULT_THRESHOLD = 0.7
STEP_CONFIDENCE = 0.8  # an operation of an ORCHESTRATOR that runs as a workflow step


@dataclass(frozen=True)
class LearnedOption:
    """A learned handler that could stand in for an operation's built-in block."""

    block_id: str
    module_text: str  # the learned handler module, re-rendered with this contract's names
    origin: str  # the file it was learned from, as the user knows it
    similarity: float
    keep_estimate: float = 1.0  # how often this block was kept (feedback); 1.0 until known
    record: str = ""  # "kept 9 of 10", "reverted 2 of 2 — not preferred"
    not_preferred: bool = False  # reverted twice in a row: never the default until kept
    family: str = ""  # the learned key of its family's root (its first learned ancestor)
    superseded: bool = False  # a kept, modified child replaced it as the default
    gate: str = ""  # why the replay gate keeps it from being the default ("": it passed)

    @property
    def score(self) -> float:
        return round((0.6 + 0.4 * self.similarity) * self.keep_estimate, 4)


BUILTIN_WEIGHT = 0.75  # a built-in block is generic; the user's own edit of it ranks higher
LEARNED_MARGIN = 0.02  # how clearly a learned block must win to become the default


@dataclass(frozen=True)
class HandlerChoice:
    """The block one operation's handler is rendered from."""

    operation: str
    block: str  # "crud.create", "transformation.normalize", ..., "orchestration.step", "stub"
    confidence: float
    reason: str
    alternatives: tuple[str, ...] = ()  # other blocks that fit, best first
    learned: LearnedOption | None = None  # set when the user's learned block is the default

    @property
    def pattern(self) -> Pattern | None:
        head = self.block.split(".", 1)[0]
        return Pattern(head) if head in Pattern.__members__.values() else None

    @property
    def variant(self) -> str:
        return self.block.split(".", 1)[1] if "." in self.block else self.block


def _block(match: PatternMatch) -> str:
    return block_id(match.pattern.value, match.variant)


def choose_handlers(
    contract: Contract,
    detection: ContractDetection,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[HandlerChoice, ...]:
    kind = contract.kind
    fitting = fitting_patterns(contract)
    choices: list[HandlerChoice] = []
    workflows = {
        d.operation
        for d in detection.operations
        if d.best and d.best.pattern is Pattern.ORCHESTRATION
    }
    for op_detection in detection.operations:
        name = op_detection.operation
        usable = [m for m in op_detection.matches if m.pattern in fitting]
        unfit = [m for m in op_detection.matches if m.pattern not in fitting]
        alternatives = tuple(_block(m) for m in usable[1:])
        if usable and usable[0].confidence >= threshold:
            best = usable[0]
            block, reason = _descriptor_says(contract, _block(best), best.reason)
            choices.append(HandlerChoice(name, block, best.confidence, reason, alternatives))
            continue
        if kind is NodeKind.ORCHESTRATOR and name not in workflows:
            runner = f" run by {', '.join(sorted(workflows))}" if workflows else ""
            choices.append(
                HandlerChoice(
                    name,
                    "orchestration.step",
                    STEP_CONFIDENCE,
                    f"{name}: a workflow step of this ORCHESTRATOR node{runner}",
                )
            )
            continue
        choices.append(
            HandlerChoice(
                name, STUB, usable[0].confidence if usable else 0.0,
                _stub_reason(name, kind, usable, unfit, threshold), alternatives,
            )
        )  # fmt: skip
    return tuple(choices)


# Families whose blocks have side effects: a node whose descriptor says ``purity: pure``
# gets none of them, whatever its kind.
SIDE_EFFECTS = frozenset({Pattern.CRUD, Pattern.STATE, Pattern.MESSAGING})


def fitting_patterns(contract: Contract) -> frozenset[Pattern]:
    """The patterns this node can host: its kind's, minus side effects for a pure node."""
    if (contract.descriptor.purity or "").lower() == "pure":
        return FITS[contract.kind] - SIDE_EFFECTS
    return FITS[contract.kind]


def _descriptor_says(contract: Contract, block: str, reason: str) -> tuple[str, str]:
    """An idempotent node creates with an idempotent save: a retried create must not fail."""
    if block == "crud.create" and contract.descriptor.idempotent is True:
        return "crud.upsert", f"{reason}; the descriptor says idempotent, so it saves (upsert)"
    return block, reason


def _stub_reason(
    name: str,
    kind: NodeKind,
    usable: list[PatternMatch],
    unfit: list[PatternMatch],
    threshold: float,
) -> str:
    if usable:
        best = usable[0]
        return (
            f"{name}: best match {best.pattern.label} {best.variant} at "
            f"{best.confidence:.2f} is below the {threshold:.2f} threshold"
        )
    if unfit:
        return (
            f"{name}: {unfit[0].pattern.label} {unfit[0].variant} does not fit a "
            f"{kind.upper_name} node; no other pattern matched"
        )
    return f"{name}: no built-in pattern matched this operation's name"


def workflow_steps(choices: tuple[HandlerChoice, ...]) -> tuple[str, ...]:
    """The operations a workflow handler runs, in contract order."""
    return tuple(c.operation for c in choices if c.block == "orchestration.step")


def may_be_default(option: LearnedOption) -> bool:
    """Not reverted twice in a row, not superseded by a kept child, and through the replay
    gate: its module imports in this contract's package."""
    return not option.not_preferred and not option.superseded and not option.gate


def apply_learned(
    choices: tuple[HandlerChoice, ...],
    options: dict[str, list[LearnedOption]],
    forced: dict[str, LearnedOption] | None = None,
    builtin_estimate: Callable[[HandlerChoice], float] | None = None,
) -> tuple[HandlerChoice, ...]:
    """Make a learned block the default where it clearly beats its built-in block (or
    where the user picked it: ``forced``)."""
    chosen = []
    for choice in choices:
        usable = [o for o in options.get(choice.operation, []) if may_be_default(o)]
        ranked = sorted(usable, key=lambda o: -o.score)
        estimate = builtin_estimate(choice) if builtin_estimate else choice.confidence
        builtin = estimate * BUILTIN_WEIGHT
        pick = (forced or {}).get(choice.operation)
        if pick is None and ranked and ranked[0].score >= builtin + LEARNED_MARGIN:
            pick = ranked[0]
        if pick is not None:
            best = pick
            reason = (
                f"{choice.operation}: learned from {best.origin}, similarity {best.similarity:.2f} "
                f"(your {choice.block} block; score {best.score:.2f} vs built-in {builtin:.2f})"
            )
            choice = replace(choice, learned=best, reason=reason)
        chosen.append(choice)
    return tuple(chosen)


@dataclass(frozen=True)
class InsertCandidates:
    """The built-in blocks insert-pattern offers for one handler: ``default`` in the menu,
    ``other_verbs`` only when the user asks for blocks of another verb family."""

    default: tuple[str, ...]
    other_verbs: tuple[str, ...]


def insert_candidates(
    current: str, kind: NodeKind, verbs: Sequence[str], fitting: Sequence[str]
) -> InsertCandidates:
    """Split the blocks that fit a handler (``fitting``: its node kind's, best first) into
    what the menu offers and what it offers only on request.

    ``verbs``: the blocks the operation's name points at, best first, whatever their
    confidence. A generated block keeps to its verb family and the name's verbs (a create
    handler is offered an upsert, not a delete). A stub has no verb of its own: it is
    offered the blocks its name points at and their families first, the rest on request;
    a stub whose name points at nothing is offered every block of its kind, those native
    to the kind first (a REDUCER's aggregations before its transformations).
    """
    named = [b for b in verbs if b in fitting]
    if current == STUB and not named:
        native = [b for b in fitting if b != STUB and _native(b, kind)]
        return InsertCandidates(tuple(native + [b for b in fitting if b not in native]), ())
    anchors = named if current == STUB else [current, *named]
    ordered = named + [b for b in fitting if b not in named]
    default = [b for b in ordered if b in named or any(same_verb(a, b) for a in anchors)]
    if current == STUB:
        default = [b for b in default if b != STUB]
    other = [b for b in ordered if b not in default]
    return InsertCandidates(tuple(default), tuple(other))


def _native(block: str, kind: NodeKind) -> bool:
    head = family(block)
    return head in Pattern.__members__.values() and NATURAL_KIND[Pattern(head)] is kind


def named_blocks(contract: Contract, detection: ContractDetection, operation: str) -> list[str]:
    """The blocks an operation's name points at that its node can host, best first,
    whatever their confidence (a stub's below-threshold verb included)."""
    found = detection.for_operation(operation)
    fitting = fitting_patterns(contract)
    return [_block(m) for m in (found.matches if found else ()) if m.pattern in fitting]
