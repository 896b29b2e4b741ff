"""What a generate action offers and how it is titled: pure functions over plain data."""

from __future__ import annotations

from dataclasses import dataclass

from onex_lsp import layout
from onex_lsp.contract.reader import Contract
from onex_lsp.generation.detection import ContractDetection


def generate_title(contract: Contract, detection: ContractDetection) -> str:
    """``Generate EFFECT node user_management — CRUD 0.94 (create, get, update, delete)``."""
    head = f"Generate {contract.kind.upper_name} node {contract.name}"
    with_ops = [s for s in detection.patterns if s.operations]
    if not with_ops:
        return f"{head} — no pattern detected (handlers will be stubs)"
    best = with_ops[0]
    verbs: list[str] = []
    for op in best.operations:
        found = detection.for_operation(op)
        if found and found.best and found.best.keyword not in verbs:
            verbs.append(found.best.keyword)
    extra = f" + {len(with_ops) - 1} more pattern(s)" if len(with_ops) > 1 else ""
    return f"{head} — {best.pattern.label} {best.confidence:.2f} ({', '.join(verbs)}){extra}"


@dataclass(frozen=True)
class Variant:
    """Which blocks a generated package (or one handler) is rendered from.

    The default lets learned blocks win where they clearly beat the built-in ones;
    ``builtin_only`` ignores them; a pick names the block for one ``operation``, either a
    built-in block id (``crud.create``) or a learned block's id.
    """

    builtin_only: bool = False
    operation: str | None = None
    builtin_block: str | None = None
    learned_block: str | None = None

    @property
    def pattern_key(self) -> str | None:
        """The feedback key of the picked block, if one is picked."""
        if self.learned_block is not None:
            return layout.learned_key(self.learned_block)
        if self.builtin_block is not None:
            return layout.builtin_key(self.builtin_block)
        return None


DEFAULT_VARIANT = Variant()
BUILTIN_VARIANT = Variant(builtin_only=True)


def learned_pick(operation: str, block_id: str) -> Variant:
    return Variant(operation=operation, learned_block=block_id)


def builtin_pick(operation: str, block: str) -> Variant:
    return Variant(operation=operation, builtin_block=block)
