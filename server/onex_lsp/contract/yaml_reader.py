"""YAML with positions: compose safely, find duplicate keys anywhere, read values with ranges.

PyYAML's composer keeps a mark on every node. ``compose_document`` first measures the
nesting depth from the event stream (no recursion), so a deeply nested document becomes
one diagnostic instead of a ``RecursionError``. Aliases are accepted, as omnibase-core's
loaders accept them, but never expanded: every walk here visits a node once, so an alias
bomb costs no more than its text. Duplicate keys are found at any depth, compared after
YAML typing (``true``/``yes``, ``1``/``1.0``), as ``load_yaml_mapping_no_duplicates`` does.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from onex_lsp.contract.model import ContractIssue, Severity
from onex_lsp.positions import Range, range_from_yaml_marks

Items = dict[str, tuple[Node, Node]]
MAX_DEPTH = 64  # real contracts nest about ten levels; PyYAML's composer recurses
_MERGE = "tag:yaml.org,2002:merge"
_LIBYAML_DIFFERS = re.compile("[\t\r\ufeff]")
_STR = "tag:yaml.org,2002:str"


def compose_document(text: str) -> tuple[Node | None, list[ContractIssue]]:
    """The document's node graph, or ``None`` with one located issue saying why not."""
    origin = Range.point(0, 0)
    try:
        depth_issue = _depth_issue(text)
        if depth_issue is not None:
            return None, [depth_issue]
        return _compose(text), []
    except yaml.composer.ComposerError as exc:
        if "single document" in str(exc.problem):
            mark = exc.problem_mark
            rng = Range.point(mark.line, mark.column) if mark is not None else origin
            message = "a contract is one YAML document; remove the second '---' document"
            return None, [ContractIssue("yaml-syntax", message, rng)]
        return None, [_syntax_issue(exc)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_issue(exc)]
    except yaml.YAMLError as exc:
        return None, [ContractIssue("yaml-syntax", f"YAML error: {exc}", origin)]


def _compose(text: str) -> Node | None:
    """libyaml composes (~10x faster) where it gives PyYAML's nodes and marks: a
    well-formed document that ends with a newline and holds no tab, carriage return or
    byte-order mark (libyaml accepts some tabs PyYAML rejects; at the end of the file
    and at the others their columns differ). Any other text, and every error, is
    PyYAML's, so the diagnostics and their ranges never change."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None and text.endswith("\n") and not _LIBYAML_DIFFERS.search(text):
        with contextlib.suppress(yaml.YAMLError):
            return yaml.compose(text, Loader=fast)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _syntax_issue(exc: yaml.MarkedYAMLError) -> ContractIssue:
    mark = exc.problem_mark or exc.context_mark
    rng = Range.point(mark.line, mark.column) if mark else Range.point(0, 0)
    problem = exc.problem or exc.context or "invalid YAML"
    return ContractIssue("yaml-syntax", f"YAML syntax error: {problem}", rng)


def _depth_issue(text: str) -> ContractIssue | None:
    """The too-deep issue, if the document nests deeper than ``MAX_DEPTH``. libyaml's
    parser (~20x faster) clears a well-formed, shallow document when PyYAML has it; its
    marks and messages differ from PyYAML's, so anything else is PyYAML's to report."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        # libyaml reads UTF-8: a text with lone surrogates (undecodable bytes the editor
        # kept) cannot be encoded, and is PyYAML's to report like any other bad input.
        with contextlib.suppress(yaml.YAMLError, UnicodeError):
            if _too_deep(yaml.parse(text, Loader=fast)) is None:
                return None
    return _too_deep(yaml.parse(text, Loader=yaml.SafeLoader))


def _too_deep(events: Iterator[yaml.Event]) -> ContractIssue | None:
    depth = 0
    for event in events:
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                where = Range.point(mark.line, mark.column) if mark is not None else None
                return ContractIssue(
                    "too-deep",
                    f"the contract nests deeper than {MAX_DEPTH} levels; "
                    "ONEX contracts are shallow, refusing to read this one",
                    where or Range.point(0, 0),
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
    return None


def walk(root: Node) -> Iterator[Node]:
    """Every node once (aliases are the same node object), without recursion."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack += [value, key]
        elif isinstance(node, SequenceNode):
            stack += reversed(node.value)


def _typed_key(node: ScalarNode) -> object:
    """The key as YAML typing reads it (``yes`` is True, ``1.0`` equals ``1``)."""
    try:
        return SafeConstructor().construct_object(node, deep=True)
    except (ConstructorError, ValueError):
        return str(node.value)


def duplicate_key_issues(root: Node) -> list[ContractIssue]:
    """Every mapping key given twice, at any depth, merge keys included."""
    issues: list[ContractIssue] = []
    for node in walk(root):
        if not isinstance(node, MappingNode):
            continue
        seen: dict[object, Node] = {}
        for key_node, _ in _flattened(node):
            if not isinstance(key_node, ScalarNode):
                issues.append(
                    ContractIssue(
                        "wrong-type",
                        "a mapping key must be a plain value, not a list or a mapping",
                        node_range(key_node),
                    )
                )
                continue
            typed = _typed_key(key_node)
            try:
                first = seen.get(typed)
            except TypeError:
                continue
            if first is not None and first is not key_node:
                line = first.start_mark.line + 1
                issues.append(
                    ContractIssue(
                        "duplicate-key",
                        f"duplicate key '{key_node.value}' (first given on line {line}); "
                        "omnibase-core's loader rejects duplicate keys",
                        node_range(key_node),
                    )
                )
            else:
                seen[typed] = key_node
    return issues


_SAFE_TAGS = {tag for tag in SafeConstructor.yaml_constructors if tag} | {_MERGE}


def unknown_tag_issues(root: Node) -> list[ContractIssue]:
    """Tags omnibase-core's loader (a safe loader) cannot construct: ``!!python/object``,
    local ``!tags``. The file fails to load there, so it is an error here."""
    return [
        ContractIssue(
            "yaml-syntax",
            f"the tag '{_short_tag(node)}' cannot be loaded: omnibase-core reads contracts "
            "with a safe YAML loader, which knows only the standard tags",
            node_range(node),
        )
        for node in walk(root)
        if node.tag not in _SAFE_TAGS
    ]


def _short_tag(node: Node) -> str:
    return str(node.tag).replace("tag:yaml.org,2002:", "!!")


def _flattened(node: MappingNode) -> list[tuple[Node, Node]]:
    """A mapping's pairs with ``<<`` merges expanded (one level per merge, as YAML does)."""
    pairs: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            pairs.append((key_node, value_node))
            continue
        merged = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for source in merged:
            if isinstance(source, MappingNode):
                pairs += [(k, v) for k, v in source.value if k.tag != _MERGE]
    return pairs


class YamlReader:
    """Reads values from the node graph, collecting located issues instead of raising."""

    def __init__(self) -> None:
        self.issues: list[ContractIssue] = []

    def issue(
        self,
        code: str,
        message: str,
        node: Node,
        severity: Severity = Severity.ERROR,
        **extra: object,
    ) -> None:
        self.issues.append(
            ContractIssue(code, message, node_range(node), severity, **extra)  # type: ignore[arg-type]
        )

    def mapping(self, node: Node | None, what: str, *, report: bool = True) -> Items | None:
        """Mapping items by (string) key; the first of a duplicated key wins."""
        if not isinstance(node, MappingNode):
            if report and node is not None:
                self.issue("wrong-type", f"{what} must be a mapping, not {kind_of(node)}", node)
            return None
        items: Items = {}
        for key_node, value_node in _flattened(node):
            if isinstance(key_node, ScalarNode):
                items.setdefault(str(key_node.value), (key_node, value_node))
        return items

    def string(self, node: Node, what: str, *, report: bool = True) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return str(node.value)
        if report:
            self.issue("wrong-type", f"{what} must be a string, not {kind_of(node)}", node)
        return None

    def sequence(self, node: Node | None, what: str, *, report: bool = True) -> list[Node] | None:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if report and node is not None:
            self.issue("wrong-type", f"{what} must be a list, not {kind_of(node)}", node)
        return None


def scalar_text(node: Node | None) -> str | None:
    """A scalar's text whatever its YAML type (``1.0.0``, ``true``, ``42``); None otherwise."""
    if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return str(node.value)
    return None


def integer(node: Node | None) -> int | None:
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int":
        try:
            return int(str(node.value).replace("_", ""), 0)
        except ValueError:
            return None
    return None


def boolean(node: Node | None) -> bool | None:
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        value = _typed_key(node)
        return value if isinstance(value, bool) else None
    return None


def node_range(node: Node) -> Range:
    end = node.end_mark
    if isinstance(node, MappingNode | SequenceNode) and node.start_mark.line != end.line:
        # Block collections end at the start of the next key; underline the first line only.
        return range_from_yaml_marks(node.start_mark, node.start_mark)
    return range_from_yaml_marks(node.start_mark, end)


def kind_of(node: Node) -> str:
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


def closest(key: str, allowed: frozenset[str]) -> str | None:
    matches = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.75)
    return matches[0] if matches else None
