"""YAML with positions: the composed node graph, read into values with located issues.

PyYAML's composer keeps a mark on every node; ``YamlReader`` walks that graph,
collecting ``ContractIssue`` values instead of raising, so one pass reports every
problem of a document. Aliases are refused while composing (no "billion laughs").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from onex_lsp.contract.schema import SEMVER_KEYS
from onex_lsp.positions import Range, range_from_yaml_marks

Items = dict[str, tuple[Node, Node]]


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


class AliasRefused(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__("alias")
        self.mark = mark


class NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that refuses anchors' aliases.

    Contracts never need aliases, and refusing them at composition time makes
    "billion laughs" documents impossible instead of merely expensive.
    """

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise AliasRefused(event.start_mark)
        return super().compose_node(parent, index)


class YamlReader:
    """Walks the composed YAML node graph, collecting issues with positions."""

    def __init__(self) -> None:
        self.issues: list[ContractIssue] = []

    def issue(
        self, code: str, message: str, node: Node, severity: Severity = Severity.ERROR
    ) -> None:
        self.issues.append(ContractIssue(code, message, node_range(node), severity))

    def mapping(self, node: Node, what: str) -> Items | None:
        """Mapping items by key, reporting duplicate and non-string keys."""
        if not isinstance(node, MappingNode):
            self.issue("wrong-type", f"{what} must be a mapping, not {_kind_of(node)}", node)
            return None
        items: Items = {}
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

    def unknown_keys(self, items: Items, allowed: frozenset[str], what: str) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                hint = _closest(key, allowed)
                suggestion = f"; did you mean '{hint}'?" if hint else ""
                self.issue(
                    "unknown-key",
                    f"unknown key '{key}' in {what}{suggestion}",
                    key_node,
                )

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


def node_range(node: Node) -> Range:
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
