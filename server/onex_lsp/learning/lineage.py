"""Where a learned block's text came from, and which family it belongs to.

A saved handler is linked to the tracked block whose range its function occupies (the
pattern key ``builtin:<block>`` or ``learned:<id>`` of what the server inserted there),
not to whatever was tracked first in the file. A family is a learned block and the
learned blocks derived from it; its root is the first learned ancestor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from onex_lsp.layout import LEARNED_PREFIX, is_learned_key, learned_key
from onex_lsp.learning.learned_block import LearnedBlock

_MAX_DEPTH = 64  # a journal edited by hand could hold a cycle


@dataclass(frozen=True)
class Origin:
    """A tracked block of the saved file: its lines (0-based, inclusive), the pattern the
    server inserted there, and whether the text may be learned (``False`` when it is the
    server's own text: what it inserted, or the built-in block restored)."""

    first_line: int
    last_line: int
    pattern: str
    learn: bool = True


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset))


def origin_of(block: LearnedBlock, origins: Sequence[Origin]) -> Origin | None:
    """The tracked block whose lines hold the handler's ``def`` line."""
    line = block.origin_range[0]
    return next((o for o in origins if o.first_line <= line <= o.last_line), None)


def with_parents(blocks: Iterable[LearnedBlock], origins: Sequence[Origin]) -> list[LearnedBlock]:
    """Handlers linked to the block they came from; the server's own text left out."""
    linked = []
    for block in blocks:
        origin = origin_of(block, origins) if block.kind == "handler" else None
        if origin is None:
            linked.append(block)
        elif origin.learn:
            linked.append(replace(block, parent_id=origin.pattern))
    return linked


def family_root(
    block: LearnedBlock, get_many: Callable[[list[str]], Mapping[str, LearnedBlock]]
) -> str:
    """The learned key of the block's family root: its first learned ancestor (itself when
    it was derived from a built-in block, or from nothing)."""
    current, seen = block, {block.id}
    for _ in range(_MAX_DEPTH):
        parent = current.parent_id
        if not parent or not is_learned_key(parent):
            break
        parent_id = parent[len(LEARNED_PREFIX) :]
        found = get_many([parent_id]).get(parent_id)
        if found is None or found.id in seen:
            break  # forgotten ancestors end the family where the journal does
        current = found
        seen.add(found.id)
    return learned_key(current.id)


def family_roots(parents: Mapping[str, str | None]) -> dict[str, str]:
    """Each live block's family root (a learned key), from every live block's parent key
    (``Journal.parents``): the walk of ``family_root`` without decoding a block."""
    roots = {}
    for block_id in parents:
        current, seen = block_id, {block_id}
        for _ in range(_MAX_DEPTH):
            parent = parents.get(current)
            if not parent or not is_learned_key(parent):
                break
            parent_id = parent[len(LEARNED_PREFIX) :]
            if parent_id not in parents or parent_id in seen:
                break
            current = parent_id
            seen.add(parent_id)
        roots[block_id] = learned_key(current)
    return roots


def family_members(blocks: Iterable[LearnedBlock], root: str) -> list[str]:
    """The ids of the live blocks whose family root is the learned key ``root``."""
    by_id = {b.id: b for b in blocks}

    def get_many(ids: list[str]) -> dict[str, LearnedBlock]:
        return {i: by_id[i] for i in ids if i in by_id}

    return [b.id for b in by_id.values() if family_root(b, get_many) == root]


def to_forget(journal: Any, key: str, family: bool) -> list[str]:
    """Blocking: the block ``key`` names, or (``family``) every live member of its family."""
    block_id = key.removeprefix(LEARNED_PREFIX)
    found = journal.get(block_id)
    if found is None:
        return []
    if not family:
        return [block_id]
    root = family_root(found, journal.get_many)
    return family_members((b for _, b in journal.blocks()), root)
