"""The ``patterns export`` format, JSON lines: ``{"block": {...}}`` per learned block, then
``{"event": {...}}`` per journal event (``patterns import`` reads the blocks and counts the
events). Written by the command line for the whole library and by the editors for one
block or one family."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from onex_lsp.layout import learned_key
from onex_lsp.learning.learned_block import LearnedBlock
from onex_lsp.learning.lineage import family_members, family_root


def export_lines(
    blocks: Iterable[LearnedBlock], events: Iterable[Mapping[str, Any]]
) -> Iterator[str]:
    """The file's lines, each ending with a newline."""
    for block in blocks:
        yield json.dumps({"block": json.loads(block.to_json())}) + "\n"
    for event in events:
        yield json.dumps({"event": dict(event)}) + "\n"


def selected_blocks(
    blocks: Sequence[LearnedBlock], block_id: str, family: bool
) -> list[LearnedBlock]:
    """The live block ``block_id`` or (``family``) every live member of its family, in
    journal order; empty when there is no such block."""
    by_id = {b.id: b for b in blocks}
    found = by_id.get(block_id)
    if found is None:
        return []
    if not family:
        return [found]

    def get_many(ids: list[str]) -> dict[str, LearnedBlock]:
        return {i: by_id[i] for i in ids if i in by_id}

    members = set(family_members(blocks, family_root(found, get_many)))
    return [b for b in blocks if b.id in members]


def events_of(
    blocks: Sequence[LearnedBlock], events: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The feedback events about ``blocks`` (their ``learned:<id>`` patterns)."""
    keys = {learned_key(b.id) for b in blocks}
    return [e for e in events if e.get("pattern") in keys]
