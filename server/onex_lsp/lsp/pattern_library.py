"""``onex/patternLibrary``: the pattern library as data for the editors' views (VS Code's
tree, Neovim's picker), from the running server's own library and feedback stats; no
command line is spawned.

    {"store", "embedder",
     "blocks": [{"id", "kind", "block", "nodeKind", "operation", "origin", "originRange",
                 "learnedAt", "parent", "stats"}],
     "patterns": [{"key", "shown", "applied", "kept", "modified", "reverted", "keepRate",
                   "retention", "state", "lastUsed"}]}
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from onex_lsp import layout
from onex_lsp.feedback.stats import DEFAULT_BUILTIN_PRIOR, LEARNED_PRIOR, PatternStats
from onex_lsp.learning.learned_block import LearnedBlock

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer


def pattern_entry(key: str, record: PatternStats) -> dict[str, Any]:
    prior = LEARNED_PRIOR if layout.is_learned_key(key) else DEFAULT_BUILTIN_PRIOR
    return {
        "key": key, "shown": record.shown, "applied": record.applied, "kept": record.kept,
        "modified": record.modified, "reverted": record.reverted,
        "keepRate": record.keep_estimate(prior),
        "retention": record.mean_retention if record.outcomes else None,
        "state": record.lifecycle(prior), "lastUsed": record.last_used or None,
    }  # fmt: skip


def block_entry(block: LearnedBlock, stats: Mapping[str, PatternStats]) -> dict[str, Any]:
    record = stats.get(layout.learned_key(block.id))
    return {
        "id": block.id, "kind": block.kind, "block": block.block, "nodeKind": block.node_kind,
        "operation": block.operation, "origin": block.origin_file,
        "originRange": list(block.origin_range), "learnedAt": block.learned_at,
        "parent": block.parent_id,
        "stats": pattern_entry(layout.learned_key(block.id), record) if record else None,
    }  # fmt: skip


def library_data(
    blocks: list[LearnedBlock], stats: Mapping[str, PatternStats], facts: dict[str, Any]
) -> dict[str, Any]:
    """Newest blocks first; patterns by key."""
    newest = sorted(blocks, key=lambda b: -b.learned_at)
    return {
        **facts,
        "blocks": [block_entry(b, stats) for b in newest],
        "patterns": [pattern_entry(k, r) for k, r in sorted(stats.items())],
    }


async def pattern_library(ls: OnexLanguageServer) -> dict[str, Any]:
    stats = dict(ls.feedback.stats())
    blocks = await asyncio.to_thread(ls.learning.learned_blocks)
    learning = ls.learning
    facts = {"store": learning.store_description, "embedder": learning.embedder_id}
    return library_data(blocks, stats, facts)
