"""Which dialect a contract is written in, told by the keys it uses.

The fingerprints come from the contracts omnibase-core 0.47 ships and scaffolds and from
the public ONEX repositories (see README, "Contract dialects"). Checks run from the most
specific shape to the most general; a contract that fits none is read as the strict one.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode

from onex_lsp.contract.model import Dialect
from onex_lsp.contract.yaml_reader import Items, scalar_text

_SUBCONTRACT_KEYS = frozenset(
    {"effect_operations", "state_transitions", "state_machine", "fsm", "subscriptions"}
)
_WORKFLOW_KEYS = frozenset({"workflow_id", "workflow_coordination", "workflow_definition"})
_LEGACY_KEYS = frozenset({"tool_specification", "input_state", "actions"})


def _child(node: Node, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            found: Node = value
            return found
    return None


def _routes_to_handlers(items: Items) -> bool:
    """The contract names handler code (routing entries, a default handler, ``handler:``)."""
    if "handler" in items:
        return True
    routing = items.get("handler_routing")
    if routing is None:
        return False
    return _child(routing[1], "handlers") is not None or (
        _child(routing[1], "default_handler") is not None
    )


def _default_handler(items: Items) -> str:
    routing = items.get("handler_routing")
    if routing is None:
        return ""
    return scalar_text(_child(routing[1], "default_handler")) or ""


def detect_dialect(items: Items) -> Dialect:
    """The dialect of a contract's top-level mapping."""
    keys = set(items)
    node_type = (scalar_text(items["node_type"][1]) if "node_type" in items else "") or ""
    if "handler_id" in keys and ("capability_inputs" in keys or "node_type" not in keys):
        return Dialect.HANDLER_CONTRACT
    if keys & _LEGACY_KEYS:
        return Dialect.LEGACY_TOOL
    if keys & _WORKFLOW_KEYS or node_type.lower() == "workflow":
        return Dialect.WORKFLOW
    if keys & _SUBCONTRACT_KEYS and not _routes_to_handlers(items):
        return Dialect.SUBCONTRACT
    handler = items.get("handler")
    default = _default_handler(items)
    if (
        (handler is not None and _child(handler[1], "class") is not None)
        or "terminal_event" in keys
        or (":" in default and not default.startswith("handler:"))
    ):
        return Dialect.SCAFFOLD
    if "node_id" in keys or "handler_id" in keys or default.startswith("handler:"):
        return Dialect.CORE_PACKAGED
    models = [items[k][1] for k in ("input_model", "output_model") if k in items]
    if any(isinstance(m, MappingNode) for m in models) or keys & {"contract_name", "node_name"}:
        return Dialect.MODEL_REFS
    return Dialect.STRICT
