"""Read what a contract declares, wherever its dialect puts it: operations, handlers, models.

Lenient by design: real contracts put the same facts in different places, and a shape we
do not use is never an error here (the framework's own rules live in ``rules``; the strict
models' in ``strict``). Operations come, in this order, from ``handler_routing`` entries,
the default handler and a top-level ``handler``, ``io_operations``, ``effect_operations``,
``reduction_operations`` and legacy ``actions``; the same name twice is one operation.
"""

from __future__ import annotations

from collections.abc import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode

from onex_lsp.contract.model import Descriptor, HandlerRef, ModelRef, Operation, Severity
from onex_lsp.contract.yaml_reader import (
    Items,
    YamlReader,
    boolean,
    integer,
    node_range,
    scalar_text,
)
from onex_lsp.layout import handler_operation, operation_ident

# Where each source keeps its operation's name, in order of preference.
_OPERATION_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("io_operations", ("operation", "operation_name", "operation_type")),
    ("reduction_operations", ("operation_type", "operation_name")),
    ("actions", ("name",)),
)


def _get(items: Items | None, key: str) -> Node | None:
    return items[key][1] if items and key in items else None


def _text(items: Items | None, key: str) -> str | None:
    return scalar_text(_get(items, key))


def read_model_ref(reader: YamlReader, node: Node | None) -> ModelRef | None:
    """``pkg.mod.ModelX``, ``ModelX`` or ``{name: ModelX, module: pkg.mod}``."""
    if node is None:
        return None
    text = scalar_text(node)
    if text:
        module, _, class_name = text.strip().rpartition(".")
        return ModelRef(class_name, module or None, node_range(node))
    fields = reader.mapping(node, "a model reference", report=False)
    named = _text(fields, "name") or _text(fields, "class")
    if not named:
        return None
    return ModelRef(named.strip(), _text(fields, "module"), node_range(node))


def read_handler_ref(reader: YamlReader, node: Node | None) -> HandlerRef | None:
    """``{name|class|function, module}``, ``module:Class``, ``handler:NodeX`` or ``HandlerX``."""
    if node is None:
        return None
    text = scalar_text(node)
    if text:
        module, colon, class_name = text.strip().rpartition(":")
        whole = node_range(node)
        if not colon:
            return HandlerRef(class_name or None, None, whole, None, whole)
        return HandlerRef(class_name or None, module or None, whole, whole, whole)
    fields = reader.mapping(node, "a handler reference", report=False)
    if fields is None:
        return None
    key = next((k for k in ("name", "class", "function") if _text(fields, k)), None)
    name = _text(fields, key) if key else None
    name_node = _get(fields, key) if key else None
    module_node = _get(fields, "module")
    return HandlerRef(
        name,
        _text(fields, "module"),
        node_range(node),
        node_range(module_node) if module_node is not None else None,
        node_range(name_node) if name_node is not None else None,
    )


def _handler_operation_name(ref: HandlerRef | None) -> str | None:
    """An operation named after its handler: ``HandlerLedgerAppend`` -> ``ledger_append``."""
    if ref is None or not ref.name:
        return None
    return handler_operation(ref.name) or None


# handle_<op> and handler_<op> must stay identifiers the generator accepts (80 characters).
MAX_OPERATION_IDENT = 64


class OperationCollector:
    """Operations in declaration order; a name seen again is the same operation."""

    def __init__(self, reader: YamlReader) -> None:
        self.reader = reader
        self.operations: list[Operation] = []
        self._names: dict[str, Operation] = {}
        self._idents: dict[str, Operation] = {}

    def add(self, operation: Operation, node: Node) -> None:
        name = operation.name.strip()
        if not name:
            return
        seen = self._names.get(name)
        if seen is not None:
            if seen.source == operation.source and operation.source == "handler_routing":
                self.reader.issue(
                    "duplicate-operation",
                    f"operation '{name}' is routed twice in handler_routing",
                    node,
                    Severity.WARNING,
                )
            return
        ident = operation_ident(name)
        if not ident or len(ident) > MAX_OPERATION_IDENT:
            self.reader.issue(
                "invalid-identifier",
                f"operation '{name[:80]}' cannot become a Python name: "
                + (
                    "it has no ASCII letters or digits"
                    if not ident
                    else f"'{ident[:40]}...' is longer than {MAX_OPERATION_IDENT} characters"
                ),
                node,
                Severity.WARNING,
                blocks_generation=True,
            )
            return
        clash = self._idents.get(ident)
        if clash is not None:
            self.reader.issue(
                "operation-name-clash",
                f"operations '{clash.name}' and '{name}' both become the Python name "
                f"'{ident}'; rename one so each gets its own handler",
                node,
                Severity.WARNING,
                blocks_generation=True,
            )
            return
        self._names[name] = operation
        self._idents[ident] = operation
        self.operations.append(operation)


def _entries(reader: YamlReader, node: Node | None) -> Iterator[tuple[Node, Items]]:
    for entry_node in reader.sequence(node, "a list", report=False) or []:
        entry = reader.mapping(entry_node, "an entry", report=False)
        if entry is not None:
            yield entry_node, entry


def _routing_operations(reader: YamlReader, items: Items, collect: OperationCollector) -> None:
    routing = reader.mapping(_get(items, "handler_routing"), "handler_routing", report=False)
    for entry_node, entry in _entries(reader, _get(routing, "handlers")):
        handler = read_handler_ref(reader, _get(entry, "handler"))
        if handler is None and _text(entry, "handler_key"):
            handler = HandlerRef(_text(entry, "handler_key"), None, node_range(entry_node))
        name_node = _get(entry, "operation") or _get(entry, "routing_key")
        name = scalar_text(name_node) or _handler_operation_name(handler)
        if name:
            collect.add(
                Operation(
                    name,
                    node_range(name_node or entry_node),
                    "handler_routing",
                    handler,
                    read_model_ref(reader, _get(entry, "event_model")),
                    _text(entry, "description") or "",
                ),
                name_node or entry_node,
            )


def read_operations(reader: YamlReader, items: Items, node_base: str) -> list[Operation]:
    """Every operation the contract declares, from wherever its dialect declares it."""
    collect = OperationCollector(reader)
    _routing_operations(reader, items, collect)
    _default_operations(reader, items, node_base, collect)
    for key, fields in _OPERATION_SOURCES:
        for entry_node, entry in _entries(reader, _get(items, key)):
            name_node = next((_get(entry, f) for f in fields if _get(entry, f) is not None), None)
            name = scalar_text(name_node)
            if name:
                description = _text(entry, "description") or ""
                collect.add(
                    Operation(
                        name, node_range(name_node or entry_node), key, None, None, description
                    ),
                    name_node or entry_node,
                )
    effect_ops = reader.mapping(_get(items, "effect_operations"), "x", report=False)
    for entry_node, entry in _entries(reader, _get(effect_ops, "operations")):
        name_node = _get(entry, "operation_name")
        name = scalar_text(name_node)
        if name:
            collect.add(
                Operation(name, node_range(name_node or entry_node), "effect_operations"),
                entry_node,
            )
    return collect.operations


def _default_operations(
    reader: YamlReader, items: Items, node_base: str, collect: OperationCollector
) -> None:
    """A default handler or a top-level ``handler`` serves the node's own operation."""
    routing = reader.mapping(_get(items, "handler_routing"), "x", report=False)
    default_node = _get(routing, "default_handler")
    handler_node = _get(items, "handler")
    ref = read_handler_ref(reader, handler_node) or read_handler_ref(reader, default_node)
    default_ref = read_handler_ref(reader, default_node)
    if ref is None or not (ref.name or ref.module):
        return
    if default_ref is not None and default_ref.name and ref.module is None:
        ref = default_ref
    if any(op.handler and op.handler.name == ref.name for op in collect.operations):
        return  # that class already serves routed operations
    where = handler_node if handler_node is not None else default_node
    assert where is not None
    handler_fields = reader.mapping(handler_node, "handler", report=False)
    request = read_model_ref(reader, _get(handler_fields, "input_model"))
    source = "handler" if handler_node is not None else "default_handler"
    collect.add(Operation(node_base, node_range(where), source, ref, request), where)


def read_descriptor(reader: YamlReader, items: Items) -> Descriptor:
    block = _get(items, "descriptor") or _get(items, "behavior")
    fields = reader.mapping(block, "descriptor", report=False)
    if fields is None:
        return Descriptor()
    return Descriptor(
        purity=_text(fields, "purity"),
        idempotent=boolean(_get(fields, "idempotent")),
        timeout_ms=integer(_get(fields, "timeout_ms")),
        archetype=_text(fields, "node_archetype") or _text(fields, "handler_kind"),
    )


def _topic_list(reader: YamlReader, node: Node | None) -> list[str]:
    values = reader.sequence(node, "topics", report=False)
    return [t for t in (scalar_text(v) for v in values or []) if t]


def read_topics(reader: YamlReader, items: Items) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(publish, subscribe) topics from ``event_bus``, top-level lists or ``terminal_event``."""
    bus = (
        reader.mapping(_get(items, "event_bus"), "x", report=False)
        if "event_bus" in items
        else None
    )
    publish = _topic_list(reader, _get(bus, "publish_topics")) + _topic_list(
        reader, _get(items, "publish_topics")
    )
    subscribe = _topic_list(reader, _get(bus, "subscribe_topics")) + _topic_list(
        reader, _get(items, "subscribe_topics")
    )
    terminal = _text(items, "terminal_event")
    if terminal and terminal not in publish:
        publish.append(terminal)
    return tuple(dict.fromkeys(publish)), tuple(dict.fromkeys(subscribe))


def read_required_inputs(reader: YamlReader, items: Items) -> tuple[str, ...]:
    """Names of ``inputs`` fields marked ``required: true`` (scaffold and market contracts)."""
    inputs = reader.mapping(_get(items, "inputs"), "inputs", report=False)
    required = []
    for name, (_, spec_node) in (inputs or {}).items():
        fields = reader.mapping(spec_node, "an input", report=False)
        if boolean(_get(fields, "required")) and name.isidentifier():
            required.append(name)
    return tuple(required)


def read_tags(reader: YamlReader, items: Items) -> tuple[str, ...]:
    tags = reader.sequence(_get(items, "tags"), "'tags'", report=False)
    return tuple(t for t in (scalar_text(n) for n in tags or []) if t)


def is_mapping(node: Node | None) -> bool:
    return isinstance(node, MappingNode)


def is_scalar(node: Node | None) -> bool:
    return isinstance(node, ScalarNode)
