"""The sections of a contract that declare operations, dependencies and budgets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from yaml.nodes import Node

from onex_lsp.contract.schema import (
    HANDLER_ENTRY_KEYS,
    HANDLER_REF_KEYS,
    HANDLER_ROUTING_KEYS,
    ROUTING_STRATEGIES,
    NodeKind,
)
from onex_lsp.contract.yaml_reader import Items, YamlReader, node_range
from onex_lsp.identifiers import is_snake_identifier, to_snake
from onex_lsp.positions import Range


@dataclass(frozen=True)
class Operation:
    """One operation the node must handle, with where the contract declares it."""

    name: str
    range: Range
    source: str  # handler_routing | io_operations | reduction_operations
    handler_name: str | None = None
    handler_module: str | None = None


def require_performance(reader: YamlReader, items: Items, root: Node, kind: NodeKind) -> None:
    message = (
        f"{kind.upper_name} nodes must declare performance.single_operation_max_ms "
        "(e.g. performance: {single_operation_max_ms: 1000})"
    )
    if "performance" not in items:
        reader.issue("missing-field", message, root)
        return
    perf = reader.mapping(items["performance"][1], "'performance'")
    if perf is None:
        return
    if "single_operation_max_ms" not in perf:
        reader.issue("missing-field", message, items["performance"][0])
        return
    value = reader.integer(
        perf["single_operation_max_ms"][1], "performance.single_operation_max_ms"
    )
    if value is not None and value <= 0:
        reader.issue(
            "wrong-type",
            "performance.single_operation_max_ms must be positive",
            perf["single_operation_max_ms"][1],
        )


def read_tags(reader: YamlReader, items: Items) -> tuple[str, ...]:
    if "tags" not in items:
        return ()
    nodes = reader.sequence(items["tags"][1], "'tags'")
    tags = [reader.string(n, "each tag") for n in nodes or []]
    return tuple(t for t in tags if t is not None)


def read_dependencies(reader: YamlReader, items: Items) -> None:
    if "dependencies" not in items:
        return
    for node in reader.sequence(items["dependencies"][1], "'dependencies'") or []:
        dep = reader.mapping(node, "a dependency")
        if dep is None:
            continue
        if "name" not in dep:
            reader.issue("missing-field", "a dependency needs a 'name'", node)
            continue
        name = reader.string(dep["name"][1], "dependency name") or ""
        module = reader.string(dep["module"][1], "dependency module") if "module" in dep else None
        dep_type = (
            reader.string(dep["dependency_type"][1], "dependency_type")
            if "dependency_type" in dep
            else "protocol"
        )
        if (
            (dep_type or "protocol").lower() == "protocol"
            and "protocol" not in name.lower()
            and "protocol" not in (module or "").lower()
        ):
            reader.issue(
                "dependency-naming",
                f"protocol dependency '{name}' must mention 'protocol' in its name or module "
                "(omnibase-core rejects it otherwise)",
                dep["name"][1],
            )


def read_operations(reader: YamlReader, items: Items) -> list[Operation]:
    operations: list[Operation] = []
    seen: dict[str, Operation] = {}

    def add(op: Operation, node: Node) -> None:
        if not is_snake_identifier(op.name):
            suggestion = to_snake(op.name)
            hint = f"; try '{suggestion}'" if is_snake_identifier(suggestion) else ""
            reader.issue(
                "invalid-identifier",
                f"operation '{op.name}' is not a valid snake_case Python identifier{hint}",
                node,
            )
            return
        if op.name in seen:
            if seen[op.name].source == op.source:
                reader.issue(
                    "duplicate-operation",
                    f"operation '{op.name}' is declared twice",
                    node,
                )
            return
        seen[op.name] = op
        operations.append(op)

    if "handler_routing" in items:
        _read_handler_routing(reader, items["handler_routing"][1], add)
    for key, field_name in (
        ("io_operations", "operation_type"),
        ("reduction_operations", "operation_type"),
    ):
        if key not in items:
            continue
        for node in reader.sequence(items[key][1], f"'{key}'") or []:
            entry = reader.mapping(node, f"an entry of {key}")
            if entry is None:
                continue
            if field_name not in entry:
                reader.issue("missing-field", f"each entry of {key} needs '{field_name}'", node)
                continue
            if key == "reduction_operations" and "reduction_function" not in entry:
                reader.issue(
                    "missing-field",
                    "each reduction operation needs 'reduction_function'",
                    node,
                )
            value_node = entry[field_name][1]
            value = reader.string(value_node, f"{key}.{field_name}")
            if value is not None:
                add(Operation(value, node_range(value_node), key), value_node)
    return operations


def _read_handler_routing(
    reader: YamlReader, node: Node, add: Callable[[Operation, Node], None]
) -> None:
    routing = reader.mapping(node, "'handler_routing'")
    if routing is None:
        return
    reader.unknown_keys(routing, HANDLER_ROUTING_KEYS, "handler_routing")
    if "version" not in routing:
        reader.issue(
            "missing-field",
            "handler_routing needs a 'version' ({major, minor, patch})",
            node,
        )
    else:
        reader.semver(routing["version"][1], "handler_routing.version")
    if "routing_strategy" in routing:
        strategy_node = routing["routing_strategy"][1]
        strategy = reader.string(strategy_node, "routing_strategy")
        if strategy is not None and strategy not in ROUTING_STRATEGIES:
            reader.issue(
                "wrong-type",
                f"routing_strategy '{strategy}' is not one of "
                f"{', '.join(sorted(ROUTING_STRATEGIES))}",
                strategy_node,
            )
    if "handlers" not in routing:
        return
    for entry_node in reader.sequence(routing["handlers"][1], "handler_routing.handlers") or []:
        entry = reader.mapping(entry_node, "a handler entry")
        if entry is None:
            continue
        reader.unknown_keys(entry, HANDLER_ENTRY_KEYS, "a handler entry")
        handler_name = handler_module = None
        if "handler" not in entry:
            reader.issue(
                "missing-field",
                "a handler entry needs 'handler: {name, module}'",
                entry_node,
            )
        else:
            ref = reader.mapping(entry["handler"][1], "'handler'")
            if ref is not None:
                reader.unknown_keys(ref, HANDLER_REF_KEYS, "handler")
                for part in ("name", "module"):
                    if part not in ref:
                        reader.issue(
                            "missing-field",
                            f"handler is missing '{part}'",
                            entry["handler"][1],
                        )
                handler_name = (
                    reader.string(ref["name"][1], "handler name") if "name" in ref else None
                )
                handler_module = (
                    reader.string(ref["module"][1], "handler module") if "module" in ref else None
                )
        if "operation" in entry:
            op_node = entry["operation"][1]
            op_name = reader.string(op_node, "operation")
            if op_name is not None:
                add(
                    Operation(
                        op_name,
                        node_range(op_node),
                        "handler_routing",
                        handler_name,
                        handler_module,
                    ),
                    op_node,
                )
