"""Feedback's say in ranking: learned options and built-in blocks weighed by what the user
kept. Pure functions over the stats ``fold`` and ``apply_event`` keep current."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from onex_lsp import layout
from onex_lsp.feedback.stats import LEARNED_PRIOR, PatternStats, family_key
from onex_lsp.generation.ranking import HandlerChoice, LearnedOption


def weigh_learned(
    options: Mapping[str, list[LearnedOption]], stats: Mapping[str, PatternStats]
) -> dict[str, list[LearnedOption]]:
    """Each learned option with its family's keep rate relative to the learned prior, the
    family's record (``kept 9 of 10``), whether two reverts in a row of any member took
    the family out of the defaults, and whether a kept child superseded it."""
    weighed: dict[str, list[LearnedOption]] = {}
    for operation, found in options.items():
        for option in found:
            key = layout.learned_key(option.block_id)
            own = stats.get(key)
            record = stats.get(family_key(option.family or key)) or own
            if record is not None:
                option = replace(
                    option,
                    keep_estimate=record.keep_estimate(LEARNED_PRIOR) / LEARNED_PRIOR,
                    record=record.summary(),
                    not_preferred=record.not_preferred,
                )
            if own is not None and own.superseded_by:
                option = replace(option, superseded=True)
            weighed.setdefault(operation, []).append(option)
    return weighed


def gate_learned(
    options: Mapping[str, list[LearnedOption]], verdicts: Mapping[tuple[str, str], str]
) -> dict[str, list[LearnedOption]]:
    """Each learned option with the replay gate's verdict for it (by operation and block id):
    a reason keeps it from being the default; it stays on offer as an alternative."""
    return {
        operation: [replace(o, gate=verdicts.get((operation, o.block_id), o.gate)) for o in found]
        for operation, found in options.items()
    }


def builtin_estimate(stats: Mapping[str, PatternStats]) -> Callable[[HandlerChoice], float]:
    """A built-in block's keep rate, its detection confidence being the prior."""

    def estimate(choice: HandlerChoice) -> float:
        record = stats.get(layout.builtin_key(choice.block))
        return record.keep_estimate(choice.confidence) if record else choice.confidence

    return estimate


def pattern_key(choice: HandlerChoice) -> str:
    """The feedback key of the block a choice renders."""
    if choice.learned:
        return layout.learned_key(choice.learned.block_id)
    return layout.builtin_key(choice.block)
