"""What only the strict ``ModelContract<Kind>`` models reject: opt-in ``strict-model`` hints.

The strict models (and ``ServiceContractValidator``, which wraps them) forbid unknown
top-level keys, require ``description``, ``input_model``/``output_model`` as strings and
``handler_routing.version``, allow only ``handler: {name, module}`` in routing entries and
need ``performance.single_operation_max_ms`` for COMPUTE and ORCHESTRATOR. Almost no real
contract satisfies them (none of those omnibase-core ships), so these are hints, shown only
when ``onex.strictModel`` is on; none of them is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from yaml.nodes import MappingNode, Node

from onex_lsp.contract.model import Severity
from onex_lsp.contract.schema import (
    HANDLER_REF_KEYS,
    KIND_KEYS,
    KINDS_NEEDING_PERFORMANCE,
    REQUIRED_KEYS,
    ROUTING_STRATEGIES,
    NodeKind,
)
from onex_lsp.contract.skeletons import skeleton
from onex_lsp.contract.yaml_reader import Items, YamlReader, closest, integer, scalar_text

_TOPIC = re.compile(
    r"^onex\.(cmd|dlq|evt|intent|snapshot)\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v\d+$"
)


def _value(items: Items | None, key: str) -> Node | None:
    return items[key][1] if items and key in items else None


def _hint(reader: YamlReader, message: str, node: Node, **fix: str) -> None:
    """``fix``: what a quick fix needs (``replacement`` for the node's text, ``insert`` for
    text to add before it)."""
    data = dict(fix) or None
    reader.issue(
        "strict-model", f"{message} (strict ModelContract models)", node, Severity.HINT, data=data
    )


def strict_model_hints(reader: YamlReader, items: Items, kind: NodeKind, root: Node) -> None:
    """Every difference from the strict ``ModelContract<Kind>`` shape, as hints."""
    model = f"ModelContract{kind.pascal}"
    _unknown_keys(reader, items, kind, model)
    _required_keys(reader, items, kind, model, root)
    if "node_version" in items and not isinstance(items["node_version"][1], MappingNode):
        _hint(reader, "node_version must be {major, minor, patch}", items["node_version"][1])
    if kind in KINDS_NEEDING_PERFORMANCE:
        _performance(reader, items, root, kind)
    for key, check in _SECTION_CHECKS:
        if key in items:
            check(reader, items[key][1])


def _unknown_keys(reader: YamlReader, items: Items, kind: NodeKind, model: str) -> None:
    """The strict models forbid extra top-level keys; a near miss is most likely a typo."""
    allowed = KIND_KEYS[kind]
    for key, (key_node, _) in items.items():
        if key not in allowed:
            hint = closest(key, allowed)
            suggestion = f"; did you mean '{hint}'?" if hint else ""
            fix = {"replacement": hint} if hint else {}
            _hint(reader, f"{model} does not allow the key '{key}'{suggestion}", key_node, **fix)


def _required_keys(
    reader: YamlReader, items: Items, kind: NodeKind, model: str, root: Node
) -> None:
    """Required keys, as strings; reducers and orchestrators may leave ``node_type`` out."""
    optional_type = kind in (NodeKind.REDUCER, NodeKind.ORCHESTRATOR)
    for key in [k for k in REQUIRED_KEYS if not (k == "node_type" and optional_type)]:
        if key not in items:
            _hint(reader, f"{model} requires '{key}'", root, **skeleton(key))
        elif key != "node_type" and scalar_text(items[key][1]) is None:
            _hint(reader, f"{model} needs '{key}' as a string", items[key][1])


def _performance(reader: YamlReader, items: Items, root: Node, kind: NodeKind) -> None:
    perf = reader.mapping(_value(items, "performance"), "performance", report=False)
    value = integer(_value(perf, "single_operation_max_ms"))
    if value is None or value <= 0:
        _hint(
            reader,
            f"{kind.upper_name} contracts need performance.single_operation_max_ms (a positive "
            "number of milliseconds)",
            items["performance"][0] if "performance" in items else root,
            **({} if "performance" in items else skeleton("performance")),
        )


def _routing(reader: YamlReader, node: Node) -> None:
    routing = reader.mapping(node, "x", report=False)
    if routing is None:
        return
    if "version" not in routing:
        _hint(reader, "handler_routing needs a 'version' {major, minor, patch}", node)
    if "routing_strategy" in routing:
        strategy = scalar_text(routing["routing_strategy"][1])
        if strategy not in ROUTING_STRATEGIES:
            _hint(
                reader,
                f"routing_strategy '{strategy}' is not one of "
                + ", ".join(sorted(ROUTING_STRATEGIES)),
                routing["routing_strategy"][1],
            )
    for entry_node in reader.sequence(_value(routing, "handlers"), "x", report=False) or []:
        entry = reader.mapping(entry_node, "x", report=False) or {}
        if "handler" not in entry:
            _hint(reader, "each handler entry needs 'handler: {name, module}'", entry_node)
            continue
        ref = reader.mapping(entry["handler"][1], "x", report=False)
        if ref is None or set(ref) != set(HANDLER_REF_KEYS):
            _hint(
                reader,
                "a routing entry's handler must be exactly {name, module} "
                f"(found {', '.join(sorted(ref)) if ref else 'a string'})",
                entry["handler"][1],
            )


def _event_bus(reader: YamlReader, node: Node) -> None:
    bus = reader.mapping(node, "x", report=False)
    if bus is None:
        return
    if "version" not in bus:
        _hint(reader, "event_bus needs a 'version' {major, minor, patch}", node)
    for key in ("publish_topics", "subscribe_topics"):
        for topic_node in reader.sequence(_value(bus, key), "topics", report=False) or []:
            topic = scalar_text(topic_node) or ""
            if not _TOPIC.match(topic):
                _hint(
                    reader,
                    f"topic '{topic}' is not onex.<cmd|evt|intent|dlq|snapshot>.<producer>."
                    "<event-name>.v<N> with kebab-case producer and event",
                    topic_node,
                )


def _dependencies(reader: YamlReader, node: Node) -> None:
    for entry_node in reader.sequence(node, "x", report=False) or []:
        entry = reader.mapping(entry_node, "x", report=False) or {}
        name = scalar_text(entry["name"][1]) if "name" in entry else None
        module = scalar_text(entry["module"][1]) if "module" in entry else ""
        dep_type = scalar_text(entry["dependency_type"][1]) if "dependency_type" in entry else None
        if name is None:
            _hint(reader, "a dependency needs a 'name'", entry_node)
        elif (dep_type or "protocol").lower() == "protocol" and "protocol" not in (
            name + (module or "")
        ).lower():
            _hint(
                reader,
                f"protocol dependency '{name}' must mention 'protocol' in its name or module",
                entry["name"][1],
            )


# Optional sections the strict models give a shape of their own, checked in this order.
_SECTION_CHECKS: tuple[tuple[str, Callable[[YamlReader, Node], None]], ...] = (
    ("handler_routing", _routing),
    ("event_bus", _event_bus),
    ("dependencies", _dependencies),
)
