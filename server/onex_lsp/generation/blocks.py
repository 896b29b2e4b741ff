"""The catalogue of built-in pattern blocks: what each one needs, imports and is tested by.

One home for the facts about a block, read by rendering (imports, templates), ranking
(which blocks can stand in for which), learning (what shape a learned handler has) and the
insert-pattern action. A block's *shape* — the dependencies it is handed and whether it is
async — decides which blocks can replace each other in an existing handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from onex_lsp.contract.schema import NodeKind

STUB = "stub"
REPOSITORY = "repository"
EXECUTOR = "executor"
PUBLISHER = "publisher"
_ASYNC_KINDS = frozenset({NodeKind.EFFECT, NodeKind.ORCHESTRATOR})


@dataclass(frozen=True)
class BlockSpec:
    """One built-in block: template, dependencies, imports, and its words for messages."""

    template: str  # under templates/blocks/, without .py.j2
    needs: tuple[str, ...] = ()  # injected dependencies, in parameter order
    is_async: bool = False
    imports: tuple[str, ...] = ()  # stdlib modules the body uses: "re", "json"
    uses_any: bool = False  # annotates with typing.Any
    raises: bool = False  # raises OnexError with EnumCoreErrorCode
    seeds: bool = False  # its tests need a stored record first
    message: str = ""  # the past participle its output reports


def _crud(template: str, message: str, *, seeds: bool = False, raises: bool = True) -> BlockSpec:
    return BlockSpec(template, (REPOSITORY,), True, raises=raises, seeds=seeds, message=message)


CATALOGUE: dict[str, BlockSpec] = {
    "crud.create": _crud("crud/create", "created"),
    "crud.read": _crud("crud/read", "found", seeds=True),
    "crud.list": _crud("crud/list", "listed", seeds=True, raises=False),
    "crud.update": _crud("crud/update", "updated", seeds=True),
    "crud.delete": _crud("crud/delete", "deleted", seeds=True),
    "crud.upsert": _crud("crud/upsert", "saved"),
    "state.transition": BlockSpec(
        "state/transition", needs=(REPOSITORY, PUBLISHER), is_async=True, raises=True,
        seeds=True, uses_any=True,
    ),
    "messaging.publish": BlockSpec(
        "messaging/publish", needs=(PUBLISHER,), is_async=True, raises=True, uses_any=True,
        message="published",
    ),
    "validation.validate": BlockSpec(
        "validation/validate", uses_any=True, message="validated"
    ),
    "transformation.normalize": BlockSpec(
        "transformation/normalize", imports=("re",), uses_any=True, message="normalised"
    ),
    "transformation.parse": BlockSpec(
        "transformation/parse", imports=("re",), uses_any=True, message="parsed"
    ),
    "transformation.format": BlockSpec(
        "transformation/format", imports=("json",), uses_any=True, message="formatted"
    ),
    "transformation.convert": BlockSpec(
        "transformation/convert", uses_any=True, message="reshaped"
    ),
    "aggregation.count": BlockSpec("aggregation/count", uses_any=True, message="count"),
    "aggregation.sum": BlockSpec("aggregation/numeric", uses_any=True, message="sum"),
    "aggregation.mean": BlockSpec("aggregation/numeric", uses_any=True, message="mean"),
    "aggregation.min": BlockSpec("aggregation/numeric", uses_any=True, message="minimum"),
    "aggregation.max": BlockSpec("aggregation/numeric", uses_any=True, message="maximum"),
    "aggregation.collect": BlockSpec("aggregation/collect", uses_any=True, message="collected"),
    "orchestration.workflow": BlockSpec(
        "orchestration/workflow", needs=(EXECUTOR,), is_async=True, uses_any=True
    ),
    "orchestration.step": BlockSpec("orchestration/step", needs=(EXECUTOR,), is_async=True),
    STUB: BlockSpec("stub/stub"),
}  # fmt: skip


def spec(block: str) -> BlockSpec:
    return CATALOGUE[block]


def family(block: str) -> str:
    return block.split(".", 1)[0]


def is_async(block: str, kind: NodeKind) -> bool:
    """Stubs follow their node: EFFECT and ORCHESTRATOR handlers do I/O, so they are async."""
    return CATALOGUE[block].is_async or (block == STUB and kind in _ASYNC_KINDS)


def block_shape(block: str, kind: NodeKind) -> tuple[tuple[str, ...], bool]:
    """(injected dependencies, async?): handlers can only swap for a block of the same shape."""
    return CATALOGUE[block].needs, is_async(block, kind)


def blocks_needing(dependency: str, blocks: list[str]) -> bool:
    return any(dependency in CATALOGUE[b].needs for b in blocks)


# Blocks that do the same kind of thing to a request, so one can stand in for another
# without changing what the operation means: a create handler may become an upsert, never a
# delete. A block may belong to two families (an upsert creates and updates); the stub does
# nothing yet, so it belongs to none and every family may return to it.
VERB_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"crud.create", "crud.upsert"}),
    frozenset({"crud.update", "crud.upsert"}),
    frozenset({"crud.read", "crud.list"}),
    frozenset({"crud.delete"}),
    frozenset({"state.transition"}),
    frozenset({"messaging.publish"}),
    frozenset({"validation.validate"}),
    frozenset(b for b in CATALOGUE if family(b) == "transformation"),
    frozenset(b for b in CATALOGUE if family(b) == "aggregation"),
    frozenset({"orchestration.workflow", "orchestration.step"}),
)


def same_verb(block: str, other: str) -> bool:
    """Whether ``other`` does what ``block`` does (see ``VERB_FAMILIES``); the stub always."""
    if STUB in (block, other):
        return True
    return any(block in f and other in f for f in VERB_FAMILIES)
