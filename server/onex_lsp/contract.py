"""Parse an ONEX ``contract.yaml`` in omnibase-core 0.47's strict dialect.

``load_contract(text, path)`` never raises on bad input: it returns the contract it
could build (or ``None``) and every problem as a ``ContractIssue`` with a range, a
code and a sentence a user understands. Diagnostics, the CLI and generation all read
the same result.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from onex_lsp.contract_schema import (
    HANDLER_ENTRY_KEYS,
    HANDLER_REF_KEYS,
    HANDLER_ROUTING_KEYS,
    KIND_KEYS,
    KINDS_NEEDING_PERFORMANCE,
    NODE_TYPE_KINDS,
    OTHER_NODE_TYPES,
    REQUIRED_KEYS,
    ROUTING_STRATEGIES,
    SEMVER_KEYS,
    NodeKind,
    ALL_KEYS,
)
from onex_lsp.identifiers import is_snake_identifier, split_words, to_snake
from onex_lsp.positions import Range, range_from_yaml_marks

MAX_CONTRACT_BYTES = 512 * 1024
_FOLDER = re.compile(r"^node_(?P<name>[a-z0-9_]+)_(?P<kind>effect|compute|reducer|orchestrator)$")
_NODE_NAME = re.compile(r"^node_(?P<name>[a-z0-9_]+?)_(?P<kind>effect|compute|reducer|orchestrator)$")
_KIND_SUFFIX = re.compile(r"(?P<name>.+?)(?P<kind>Effect|Compute|Reducer|Orchestrator)$")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class ContractIssue:
    code: str
    message: str
    range: Range
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Operation:
    """One operation the node must handle, with where the contract declares it."""

    name: str
    range: Range
    source: str  # handler_routing | io_operations | reduction_operations
    handler_name: str | None = None
    handler_module: str | None = None


@dataclass(frozen=True)
class Contract:
    path: str
    text: str
    raw_name: str
    name: str  # snake_case base name: ``user_management`` for ``node_user_management_effect``
    kind: NodeKind
    node_type: str
    description: str
    version: tuple[int, int, int]
    input_model: str
    output_model: str
    operations: tuple[Operation, ...]
    tags: tuple[str, ...] = ()
    key_ranges: dict[str, Range] = field(default_factory=dict, compare=False, hash=False)

    @property
    def package_name(self) -> str:
        return f"node_{self.name}_{self.kind.value}"


@dataclass(frozen=True)
class ContractResult:
    contract: Contract | None
    issues: tuple[ContractIssue, ...]

    @property
    def errors(self) -> tuple[ContractIssue, ...]:
        return tuple(i for i in self.issues if i.severity is Severity.ERROR)

    @property
    def ok(self) -> bool:
        return self.contract is not None and not self.errors


class _AliasRefused(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__("alias")
        self.mark = mark


class _NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors' aliases.

    Contracts never need aliases, and refusing them at composition time makes
    "billion laughs" documents impossible instead of merely expensive.
    """

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(event.start_mark)
        return super().compose_node(parent, index)  # type: ignore[no-untyped-call,no-any-return]


class _Reader:
    """Walks the composed YAML node graph, collecting issues with positions."""

    def __init__(self) -> None:
        self.issues: list[ContractIssue] = []

    def issue(
        self, code: str, message: str, node: Node, severity: Severity = Severity.ERROR
    ) -> None:
        self.issues.append(
            ContractIssue(code, message, _node_range(node), severity)
        )

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]] | None:
        """Mapping items by key, reporting duplicate and non-string keys."""
        if not isinstance(node, MappingNode):
            self.issue("wrong-type", f"{what} must be a mapping, not {_kind_of(node)}", node)
            return None
        items: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.issue("wrong-type", f"keys in {what} must be plain strings", key_node)
                continue
            key = str(key_node.value)
            if key in items:
                self.issue("duplicate-key", f"duplicate key '{key}' in {what}", key_node)
                continue
            items[key] = (key_node, value_node)
        return items

    def string(self, node: Node, what: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return str(node.value)
        self.issue("wrong-type", f"{what} must be a string, not {_kind_of(node)}", node)
        return None

    def integer(self, node: Node, what: str) -> int | None:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            try:
                return int(str(node.value).replace("_", ""), 0)
            except ValueError:
                pass
        self.issue("wrong-type", f"{what} must be a whole number, not {_kind_of(node)}", node)
        return None

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if isinstance(node, SequenceNode):
            return list(node.value)
        self.issue("wrong-type", f"{what} must be a list, not {_kind_of(node)}", node)
        return None

    def unknown_keys(
        self, items: dict[str, tuple[Node, Node]], allowed: frozenset[str], what: str
    ) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                hint = _closest(key, allowed)
                suggestion = f"; did you mean '{hint}'?" if hint else ""
                self.issue("unknown-key", f"unknown key '{key}' in {what}{suggestion}", key_node)

    def semver(self, node: Node, what: str) -> tuple[int, int, int] | None:
        items = self.mapping(node, what)
        if items is None:
            return None
        self.unknown_keys(items, SEMVER_KEYS, what)
        parts: list[int] = []
        for part in ("major", "minor", "patch"):
            if part not in items:
                self.issue("missing-field", f"{what} is missing '{part}'", node)
                return None
            value = self.integer(items[part][1], f"{what}.{part}")
            if value is None:
                return None
            if value < 0:
                self.issue("wrong-type", f"{what}.{part} must not be negative", items[part][1])
                return None
            parts.append(value)
        return parts[0], parts[1], parts[2]


def _node_range(node: Node) -> Range:
    end = node.end_mark
    if isinstance(node, (MappingNode, SequenceNode)) and node.start_mark.line != end.line:
        # Block collections end at the start of the next key; underline the first line only.
        return range_from_yaml_marks(node.start_mark, node.start_mark)
    return range_from_yaml_marks(node.start_mark, end)


def _kind_of(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    return {
        "str": "a string",
        "int": "a number",
        "float": "a number",
        "bool": "true/false",
        "null": "empty",
    }.get(tag, tag)


def _closest(key: str, allowed: frozenset[str]) -> str | None:
    matches = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.75)
    return matches[0] if matches else None


def base_name(raw_name: str, kind: NodeKind | None) -> str:
    """``node_user_management_effect`` / ``UserManagementEffect`` -> ``user_management``."""
    match = _NODE_NAME.match(raw_name)
    if match and (kind is None or match.group("kind") == kind.value):
        return match.group("name")
    match = _KIND_SUFFIX.match(raw_name)
    if match and raw_name[0].isupper() and (kind is None or match.group("kind").lower() == kind.value):
        return to_snake(match.group("name"))
    if raw_name[:1].isupper():
        return to_snake(raw_name)
    return raw_name


def folder_kind(path: str) -> tuple[str, NodeKind] | None:
    """The (name, kind) a ``node_<name>_<kind>/`` folder around the contract implies."""
    match = _FOLDER.match(PurePath(path).parent.name)
    if not match:
        return None
    return match.group("name"), NodeKind(match.group("kind"))


def oversized_result() -> ContractResult:
    return ContractResult(
        None,
        (
            ContractIssue(
                "too-large",
                f"contract is larger than {MAX_CONTRACT_BYTES // 1024} KiB; "
                "ONEX contracts are small YAML files, refusing to parse this one",
                Range.point(0, 0),
            ),
        ),
    )


def load_contract(text: str, path: str = "contract.yaml") -> ContractResult:
    """Parse and check a contract; never raises for bad input."""
    origin = Range.point(0, 0)
    if len(text.encode("utf-8", errors="replace")) > MAX_CONTRACT_BYTES:
        return oversized_result()
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except _AliasRefused as exc:
        where = exc.mark
        rng = Range.point(where.line, where.column) if where else origin
        return ContractResult(
            None,
            (
                ContractIssue(
                    "yaml-alias",
                    "YAML aliases (*name) are not allowed in contracts; write the value out",
                    rng,
                ),
            ),
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        rng = Range.point(mark.line, mark.column) if mark else origin
        problem = exc.problem or exc.context or "invalid YAML"
        return ContractResult(None, (ContractIssue("yaml-syntax", f"YAML syntax error: {problem}", rng),))
    except yaml.YAMLError as exc:
        return ContractResult(None, (ContractIssue("yaml-syntax", f"YAML error: {exc}", origin),))
    if root is None:
        return ContractResult(
            None, (ContractIssue("missing-field", "the contract is empty", origin),)
        )
    return _read_contract(root, text, path)


def _read_contract(root: Node, text: str, path: str) -> ContractResult:
    reader = _Reader()
    items = reader.mapping(root, "the contract")
    if items is None:
        return ContractResult(None, tuple(reader.issues))
    key_ranges = {key: _node_range(k) for key, (k, _) in items.items()}

    kind, node_type = _read_kind(reader, items, root)
    reader.unknown_keys(items, KIND_KEYS[kind] if kind else ALL_KEYS, "the contract")
    for key in REQUIRED_KEYS:
        if key not in items and not (key == "node_type" and kind is not None):
            reader.issue("missing-field", f"required field '{key}' is missing", root)

    strings: dict[str, str] = {}
    for key in ("name", "description", "input_model", "output_model"):
        if key in items:
            value = reader.string(items[key][1], f"'{key}'")
            if value is not None:
                strings[key] = value
                if not value.strip():
                    reader.issue("wrong-type", f"'{key}' must not be empty", items[key][1])

    version = reader.semver(items["contract_version"][1], "'contract_version'") if "contract_version" in items else None
    if "node_version" in items:
        reader.semver(items["node_version"][1], "'node_version'")

    name = _read_name(reader, items, strings.get("name"), kind, path)
    if kind in KINDS_NEEDING_PERFORMANCE:
        _require_performance(reader, items, root, kind)
    tags = _read_tags(reader, items)
    _read_dependencies(reader, items)
    operations = _read_operations(reader, items)

    if not operations and "handler_routing" in items:
        reader.issue(
            "no-operations",
            "handler_routing declares no operations; every handler will be generated as the default one",
            items["handler_routing"][0],
            Severity.WARNING,
        )

    contract: Contract | None = None
    if kind is not None and name is not None and version is not None and len(strings) == 4:
        contract = Contract(
            path=path,
            text=text,
            raw_name=strings["name"],
            name=name,
            kind=kind,
            node_type=node_type or kind.value,
            description=strings["description"],
            version=version,
            input_model=strings["input_model"],
            output_model=strings["output_model"],
            operations=tuple(operations),
            tags=tags,
            key_ranges=key_ranges,
        )
    return ContractResult(contract, tuple(reader.issues))


def _read_kind(
    reader: _Reader, items: dict[str, tuple[Node, Node]], root: Node
) -> tuple[NodeKind | None, str | None]:
    if "node_type" not in items:
        return None, None
    node = items["node_type"][1]
    raw = reader.string(node, "'node_type'")
    if raw is None:
        return None, None
    kind = NODE_TYPE_KINDS.get(raw.lower())
    if kind is None:
        if raw.lower() in OTHER_NODE_TYPES:
            reader.issue(
                "unsupported-node-type",
                f"node_type '{raw}' is valid ONEX, but onex-lsp generates only "
                "effect, compute, reducer and orchestrator nodes",
                node,
                Severity.WARNING,
            )
        else:
            reader.issue(
                "invalid-node-type",
                f"node_type '{raw}' is not a node kind; use effect, compute, reducer or orchestrator",
                node,
            )
    return kind, raw


def _read_name(
    reader: _Reader,
    items: dict[str, tuple[Node, Node]],
    raw: str | None,
    kind: NodeKind | None,
    path: str,
) -> str | None:
    if raw is None:
        return None
    node = items["name"][1]
    name = base_name(raw, kind)
    node_match = _NODE_NAME.match(raw)
    if node_match and kind is not None and node_match.group("kind") != kind.value:
        reader.issue(
            "kind-mismatch",
            f"name '{raw}' ends in '_{node_match.group('kind')}' but node_type is '{kind.value}'",
            node,
        )
        name = node_match.group("name")
    if not is_snake_identifier(name):
        reader.issue(
            "invalid-identifier",
            f"name '{raw}' cannot become a Python package name; use snake_case "
            "letters, digits and underscores (e.g. 'user_management')",
            node,
        )
        return None
    folder = folder_kind(path)
    if folder is not None and kind is not None:
        folder_name, kind_of_folder = folder
        if kind_of_folder is not kind:
            reader.issue(
                "kind-mismatch",
                f"node_type is '{kind.value}' but the contract sits in folder "
                f"'node_{folder_name}_{kind_of_folder.value}' ({kind_of_folder.value})",
                items["node_type"][1],
            )
        elif folder_name != name:
            reader.issue(
                "name-mismatch",
                f"name '{raw}' does not match the folder 'node_{folder_name}_{kind_of_folder.value}'",
                node,
                Severity.WARNING,
            )
    return name


def _require_performance(
    reader: _Reader, items: dict[str, tuple[Node, Node]], root: Node, kind: NodeKind
) -> None:
    message = (
        f"{kind.title} nodes must declare performance.single_operation_max_ms "
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
    value = reader.integer(perf["single_operation_max_ms"][1], "performance.single_operation_max_ms")
    if value is not None and value <= 0:
        reader.issue("wrong-type", "performance.single_operation_max_ms must be positive", perf["single_operation_max_ms"][1])


def _read_tags(reader: _Reader, items: dict[str, tuple[Node, Node]]) -> tuple[str, ...]:
    if "tags" not in items:
        return ()
    nodes = reader.sequence(items["tags"][1], "'tags'")
    tags = [reader.string(n, "each tag") for n in nodes or []]
    return tuple(t for t in tags if t is not None)


def _read_dependencies(reader: _Reader, items: dict[str, tuple[Node, Node]]) -> None:
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
        dep_type = reader.string(dep["dependency_type"][1], "dependency_type") if "dependency_type" in dep else "protocol"
        if (dep_type or "protocol").lower() == "protocol" and "protocol" not in name.lower() and "protocol" not in (module or "").lower():
            reader.issue(
                "dependency-naming",
                f"protocol dependency '{name}' must mention 'protocol' in its name or module "
                "(omnibase-core rejects it otherwise)",
                dep["name"][1],
            )


def _read_operations(reader: _Reader, items: dict[str, tuple[Node, Node]]) -> list[Operation]:
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
                reader.issue("duplicate-operation", f"operation '{op.name}' is declared twice", node)
            return
        seen[op.name] = op
        operations.append(op)

    if "handler_routing" in items:
        _read_handler_routing(reader, items["handler_routing"][1], add)
    for key, field_name in (("io_operations", "operation_type"), ("reduction_operations", "operation_type")):
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
                reader.issue("missing-field", "each reduction operation needs 'reduction_function'", node)
            value_node = entry[field_name][1]
            value = reader.string(value_node, f"{key}.{field_name}")
            if value is not None:
                add(Operation(value, _node_range(value_node), key), value_node)
    return operations


def _read_handler_routing(
    reader: _Reader, node: Node, add: Callable[[Operation, Node], None]
) -> None:
    routing = reader.mapping(node, "'handler_routing'")
    if routing is None:
        return
    reader.unknown_keys(routing, HANDLER_ROUTING_KEYS, "handler_routing")
    if "version" not in routing:
        reader.issue("missing-field", "handler_routing needs a 'version' ({major, minor, patch})", node)
    else:
        reader.semver(routing["version"][1], "handler_routing.version")
    if "routing_strategy" in routing:
        strategy_node = routing["routing_strategy"][1]
        strategy = reader.string(strategy_node, "routing_strategy")
        if strategy is not None and strategy not in ROUTING_STRATEGIES:
            reader.issue(
                "wrong-type",
                f"routing_strategy '{strategy}' is not one of {', '.join(sorted(ROUTING_STRATEGIES))}",
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
            reader.issue("missing-field", "a handler entry needs 'handler: {name, module}'", entry_node)
        else:
            ref = reader.mapping(entry["handler"][1], "'handler'")
            if ref is not None:
                reader.unknown_keys(ref, HANDLER_REF_KEYS, "handler")
                for part in ("name", "module"):
                    if part not in ref:
                        reader.issue("missing-field", f"handler is missing '{part}'", entry["handler"][1])
                handler_name = reader.string(ref["name"][1], "handler name") if "name" in ref else None
                handler_module = reader.string(ref["module"][1], "handler module") if "module" in ref else None
        if "operation" in entry:
            op_node = entry["operation"][1]
            op_name = reader.string(op_node, "operation")
            if op_name is not None:
                add(
                    Operation(op_name, _node_range(op_node), "handler_routing", handler_name, handler_module),
                    op_node,
                )


def describe_words(contract: Contract) -> list[str]:
    """The words of a contract's name, description and tags (for detection)."""
    words = split_words(contract.raw_name) + split_words(contract.description)
    for tag in contract.tags:
        words.extend(split_words(tag))
    return words
