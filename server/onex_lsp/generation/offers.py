"""What a generate action offers and how it is titled: pure functions over plain data."""

from __future__ import annotations

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
