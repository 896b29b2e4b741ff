"""What the generate and insert-pattern actions offer, titled and ranked: pure policy over
the contract, the detection, the chosen blocks, the learned options and the feedback stats.

The protocol layer only turns these into code actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from onex_lsp import layout
from onex_lsp.contract.model import Contract
from onex_lsp.feedback.ranking import pattern_key
from onex_lsp.feedback.stats import PatternStats
from onex_lsp.generation.detection import ContractDetection
from onex_lsp.generation.offers import (
    BUILTIN_VARIANT,
    DEFAULT_VARIANT,
    Variant,
    builtin_pick,
    generate_title,
    learned_pick,
)
from onex_lsp.generation.ranking import HandlerChoice, LearnedOption


@dataclass(frozen=True)
class GenerateSituation:
    """Everything the generate offers depend on."""

    contract: Contract
    detection: ContractDetection
    choices: tuple[HandlerChoice, ...]
    options: Mapping[str, list[LearnedOption]]
    stubs: int  # scaffold stubs the package would fill


@dataclass(frozen=True)
class Offer:
    title: str
    variant: Variant
    preferred: bool


def generate_offers(situation: GenerateSituation, stats: Mapping[str, PatternStats]) -> list[Offer]:
    """The default action first (preferred unless a built-in block it uses was reverted
    twice in a row), then built-in-only when learned blocks are used, then one action per
    learned alternative not already chosen."""
    title = _base_title(situation, stats)
    used = [c for c in situation.choices if c.learned is not None]
    demoted = _demoted(situation.choices, stats)
    offers = [Offer(title, DEFAULT_VARIANT, not demoted)]
    if used:
        learned = ", ".join(
            f"{c.operation}; {c.learned.record}" if c.learned and c.learned.record else c.operation
            for c in used
        )
        offers = [
            Offer(f"{title} + your learned blocks ({learned})", DEFAULT_VARIANT, True),
            Offer(f"{title} — built-in blocks only", BUILTIN_VARIANT, False),
        ]
    return offers + _alternatives(situation, used)


def _demoted(choices: Sequence[HandlerChoice], stats: Mapping[str, PatternStats]) -> list[str]:
    """Operations whose built-in block the user reverted twice in a row."""
    return [
        c.operation
        for c in choices
        if c.learned is None
        and (record := stats.get(layout.builtin_key(c.block))) is not None
        and record.not_preferred
    ]


def _base_title(situation: GenerateSituation, stats: Mapping[str, PatternStats]) -> str:
    title = generate_title(situation.contract, situation.detection)
    if situation.stubs:
        title += f" (fills {situation.stubs} scaffold stub(s))"
    demoted = _demoted(situation.choices, stats)
    if demoted:
        title += f" — {', '.join(demoted)} reverted twice, not preferred"
    return title


def _alternatives(situation: GenerateSituation, used: list[HandlerChoice]) -> list[Offer]:
    chosen = {c.operation: c.learned.block_id for c in used if c.learned}
    contract = situation.contract
    head = f"Generate {contract.kind.upper_name} node {contract.name}"
    offers = []
    for operation, alternatives in situation.options.items():
        for option in alternatives:
            if chosen.get(operation) == option.block_id:
                continue
            history = f" — {option.record}" if option.record else ""
            history += " — superseded by your newer version" if option.superseded else ""
            history += f" — not the default: {option.gate}" if option.gate else ""
            why = f"learned from {option.origin}, similarity {option.similarity:.2f}"
            title = f"{head} — {operation} {why}{history}"
            offers.append(Offer(title, learned_pick(operation, option.block_id), False))
    return offers


def insert_offers(
    operation: str, options: Sequence[LearnedOption], alternatives: Sequence[str]
) -> list[Offer]:
    """The blocks an operation's handler can be swapped for: learned ones first (they are
    the user's own), then the other built-in blocks of its kind."""
    offers = [
        Offer(
            f"Replace the {operation} handler with your block learned from {o.origin} "
            f"(similarity {o.similarity:.2f}{'; ' + o.record if o.record else ''})",
            learned_pick(operation, o.block_id),
            False,
        )
        for o in options
    ]
    offers += [
        Offer(
            f"Replace the {operation} handler with the {block} block",
            builtin_pick(operation, block),
            False,
        )
        for block in alternatives
    ]
    return offers


def other_verb_offers(operation: str, blocks: Sequence[str]) -> list[Offer]:
    """The blocks of other verb families, offered only when asked for, each titled as such."""
    return [
        Offer(
            f"Replace the {operation} handler with the {block} block (another verb)",
            builtin_pick(operation, block),
            False,
        )
        for block in blocks
    ]


def more_patterns_title(operation: str, hidden: int) -> str:
    """The one menu entry that asks for the blocks of other verb families: titled so a user
    sees they are other verbs before asking (``insert_candidates`` keeps them out)."""
    changes = f"{hidden} block(s) that would change what {operation} does"
    return f"More patterns (other verbs)… — {changes}"


def shown_keys(situation: GenerateSituation) -> list[str]:
    """The pattern keys an offer shows: each chosen block and each learned alternative."""
    keys = {pattern_key(c) for c in situation.choices} | {
        layout.learned_key(o.block_id) for found in situation.options.values() for o in found
    }
    return sorted(keys)
