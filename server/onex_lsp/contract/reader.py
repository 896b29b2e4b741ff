"""Parse an ONEX ``contract.yaml`` in omnibase-core 0.47's strict dialect.

``load_contract(text, path)`` never raises on bad input: it returns the contract it
could build (or ``None``) and every problem as a ``ContractIssue`` with a range, a
code and a sentence a user understands. Diagnostics, the CLI and generation all read
the same result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

import yaml
from yaml.nodes import Node

from onex_lsp.contract.schema import (
    ALL_KEYS,
    KIND_KEYS,
    KINDS_NEEDING_PERFORMANCE,
    NODE_TYPE_KINDS,
    OTHER_NODE_TYPES,
    REQUIRED_KEYS,
    NodeKind,
)
from onex_lsp.contract.sections import (
    Operation,
    read_dependencies,
    read_operations,
    read_tags,
    require_performance,
)
from onex_lsp.contract.yaml_reader import (
    AliasRefused,
    ContractIssue,
    Items,
    NoAliasLoader,
    Severity,
    YamlReader,
    node_range,
)
from onex_lsp.identifiers import MAX_NODE_NAME, is_snake_identifier, split_words, to_snake
from onex_lsp.positions import Range

__all__ = ["Contract", "ContractIssue", "ContractResult", "Operation", "Severity", "load_contract"]

MAX_CONTRACT_BYTES = 512 * 1024
_FOLDER = re.compile(r"^node_(?P<name>[a-z0-9_]+)_(?P<kind>effect|compute|reducer|orchestrator)$")
_NODE_NAME = re.compile(
    r"^node_(?P<name>[a-z0-9_]+?)_(?P<kind>effect|compute|reducer|orchestrator)$"
)
_KIND_SUFFIX = re.compile(r"(?P<name>.+?)(?P<kind>Effect|Compute|Reducer|Orchestrator)$")


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


def base_name(raw_name: str, kind: NodeKind | None) -> str:
    """``node_user_management_effect`` / ``UserManagementEffect`` -> ``user_management``."""
    match = _NODE_NAME.match(raw_name)
    if match and (kind is None or match.group("kind") == kind.value):
        return match.group("name")
    if not raw_name[:1].isupper():
        return raw_name
    pascal = raw_name.removeprefix("Node") if raw_name[4:5].isupper() else raw_name
    match = _KIND_SUFFIX.match(pascal)
    if match and (kind is None or match.group("kind").lower() == kind.value):
        pascal = match.group("name")
    return to_snake(pascal)


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
        root = yaml.compose(text, Loader=NoAliasLoader)
    except AliasRefused as exc:
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
        return ContractResult(
            None, (ContractIssue("yaml-syntax", f"YAML syntax error: {problem}", rng),)
        )
    except yaml.YAMLError as exc:
        return ContractResult(None, (ContractIssue("yaml-syntax", f"YAML error: {exc}", origin),))
    if root is None:
        return ContractResult(
            None, (ContractIssue("missing-field", "the contract is empty", origin),)
        )
    return _read_contract(root, text, path)


def _read_contract(root: Node, text: str, path: str) -> ContractResult:
    reader = YamlReader()
    items = reader.mapping(root, "the contract")
    if items is None:
        return ContractResult(None, tuple(reader.issues))
    key_ranges = {key: node_range(k) for key, (k, _) in items.items()}

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

    version = (
        reader.semver(items["contract_version"][1], "'contract_version'")
        if "contract_version" in items
        else None
    )
    if "node_version" in items:
        reader.semver(items["node_version"][1], "'node_version'")

    name = _read_name(reader, items, strings.get("name"), kind, path)
    if kind in KINDS_NEEDING_PERFORMANCE:
        require_performance(reader, items, root, kind)
    tags = read_tags(reader, items)
    read_dependencies(reader, items)
    issues_before = len(reader.issues)
    operations = read_operations(reader, items)

    if not operations and "handler_routing" in items and len(reader.issues) == issues_before:
        reader.issue(
            "no-operations",
            "handler_routing declares no operations, so the node will have no handlers",
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


def _read_kind(reader: YamlReader, items: Items, root: Node) -> tuple[NodeKind | None, str | None]:
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
                f"node_type '{raw}' is not a node kind; "
                "use effect, compute, reducer or orchestrator",
                node,
            )
    return kind, raw


def _read_name(
    reader: YamlReader,
    items: Items,
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
    if len(name) > MAX_NODE_NAME:
        reader.issue(
            "invalid-identifier",
            f"name '{raw}' is too long: the node name '{name}' has {len(name)} characters, "
            f"at most {MAX_NODE_NAME} are allowed",
            node,
        )
        return None
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
                f"name '{raw}' does not match the folder "
                f"'node_{folder_name}_{kind_of_folder.value}'",
                node,
                Severity.WARNING,
            )
    return name


def describe_words(contract: Contract) -> list[str]:
    """The words of a contract's name, description and tags (for detection)."""
    words = split_words(contract.raw_name) + split_words(contract.description)
    for tag in contract.tags:
        words.extend(split_words(tag))
    return words
