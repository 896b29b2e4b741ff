"""omnibase-core's own rules for a contract, with the severity the framework gives them.

Errors are what both ``onex validate`` (``ModelYamlContract``, extra="ignore") and the
strict ``ModelContract<Kind>`` models reject: a missing or invalid ``node_type``, a missing
``contract_version`` or one that is not ``{major, minor, patch}`` of whole numbers >= 0,
a top-level ``version`` key, and the few typed fields ``ModelYamlContract`` reads
(``description``, ``golden_path``, ``dod_evidence``, ``event_subscriptions``). What only
one of the two readers rejects is a warning (``node_type: effect``: ``onex validate``
wants ``EFFECT_GENERIC``) or, for the strict models alone, an opt-in hint (``strict``).
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node

from onex_lsp.contract.model import Severity
from onex_lsp.contract.schema import (
    NodeKind,
    NodeTypeStatus,
    classify_node_type,
    enum_spelling,
)
from onex_lsp.contract.skeletons import skeleton
from onex_lsp.contract.yaml_reader import Items, YamlReader, integer, kind_of, scalar_text

_SEMVER_PARTS = ("major", "minor", "patch")


def check_node_type(
    reader: YamlReader, items: Items, root: Node, required: bool
) -> tuple[NodeKind | None, str | None]:
    """The node kind, with the framework's verdict on how node_type is written."""
    if "node_type" not in items:
        if required:
            reader.issue(
                "missing-field",
                "required field 'node_type' is missing (e.g. node_type: EFFECT_GENERIC)",
                root,
                data=skeleton("node_type"),
            )
        return None, None
    node = items["node_type"][1]
    raw = reader.string(node, "'node_type'")
    if raw is None:
        return None, None
    kind, status = classify_node_type(raw)
    if status is NodeTypeStatus.INVALID:
        reader.issue(
            "invalid-node-type",
            f"node_type '{raw}' is not an ONEX node type; use EFFECT_GENERIC, "
            "COMPUTE_GENERIC, REDUCER_GENERIC or ORCHESTRATOR_GENERIC "
            "(or another EnumNodeType value)",
            node,
        )
    elif status is NodeTypeStatus.ARCHETYPE and kind is not None:
        suggestion = enum_spelling(kind)
        reader.issue(
            "onex-validate-node-type",
            f"`onex validate` rejects node_type '{raw}' (it needs an EnumNodeType value); "
            f"'{suggestion}' is accepted by every omnibase-core reader",
            node,
            Severity.WARNING,
            data={"replacement": suggestion},
        )
    elif status is NodeTypeStatus.OTHER_ONEX:
        reader.issue(
            "unsupported-node-type",
            f"node_type '{raw}' is valid ONEX; onex-lsp generates EFFECT, COMPUTE, REDUCER "
            "and ORCHESTRATOR nodes only",
            node,
            Severity.INFO,
            blocks_generation=True,
        )
    return kind, raw


def check_semver(reader: YamlReader, node: Node, what: str) -> tuple[int, int, int] | None:
    """``{major, minor, patch}`` of whole numbers >= 0 (ModelSemVer ignores other keys)."""
    if not isinstance(node, MappingNode):
        text = scalar_text(node)
        hint = f" (write {{major: 1, minor: 0, patch: 0}}, not '{text}')" if text else ""
        reader.issue(
            "invalid-version",
            f"{what} must be a mapping {{major, minor, patch}}{hint}; "
            "omnibase-core rejects a string version",
            node,
        )
        return None
    fields = reader.mapping(node, what) or {}
    parts: list[int] = []
    for part in _SEMVER_PARTS:
        if part not in fields:
            reader.issue("invalid-version", f"{what} is missing '{part}'", node)
            return None
        value = integer(fields[part][1])
        if value is None or value < 0:
            reader.issue(
                "invalid-version",
                f"{what}.{part} must be a whole number >= 0, not {kind_of(fields[part][1])}",
                fields[part][1],
            )
            return None
        parts.append(value)
    return parts[0], parts[1], parts[2]


def check_contract_version(
    reader: YamlReader, items: Items, root: Node
) -> tuple[int, int, int] | None:
    if "version" in items:
        reader.issue(
            "deprecated-version-key",
            "omnibase-core rejects a top-level 'version' key: contracts use "
            "'contract_version' (and 'node_version' for the node itself)",
            items["version"][0],
            data={"replacement": "node_version"},
        )
    if "contract_version" not in items:
        reader.issue(
            "missing-field",
            "required field 'contract_version' is missing "
            "(contract_version: {major: 1, minor: 0, patch: 0})",
            root,
            data=skeleton("contract_version"),
        )
        return None
    return check_semver(reader, items["contract_version"][1], "contract_version")


def check_typed_fields(reader: YamlReader, items: Items) -> None:
    """The few fields ``onex validate`` types: a wrong shape fails it (and the strict models)."""
    if "description" in items and scalar_text(items["description"][1]) is None:
        node = items["description"][1]
        if kind_of(node) != "empty":
            reader.issue("wrong-type", f"description must be text, not {kind_of(node)}", node)
    if "golden_path" in items:
        _list_of(reader, items["golden_path"][1], "golden_path", _is_text, "text")
    if "dod_evidence" in items:
        _list_of(
            reader,
            items["dod_evidence"][1],
            "dod_evidence",
            _is_text_mapping,
            "a mapping of text values",
        )
    if "event_subscriptions" in items:
        for entry in reader.sequence(items["event_subscriptions"][1], "event_subscriptions") or []:
            fields = reader.mapping(entry, "an event subscription") or {}
            for needed in ("event_pattern", "handler_function"):
                if fields and needed not in fields:
                    reader.issue("missing-field", f"an event subscription needs '{needed}'", entry)


def _is_text(node: Node) -> bool:
    return scalar_text(node) is not None and kind_of(node) == "a string"


def _is_text_mapping(node: Node) -> bool:
    return isinstance(node, MappingNode) and all(
        kind_of(value) in ("a string", "a number", "true/false") for _, value in node.value
    )


def _list_of(reader: YamlReader, node: Node, what: str, ok: object, wanted: str) -> None:
    if kind_of(node) == "empty":
        return
    entries = reader.sequence(node, what)
    for entry in entries or []:
        if callable(ok) and not ok(entry):
            reader.issue(
                "wrong-type",
                f"each entry of {what} must be {wanted} (onex validate rejects this one)",
                entry,
            )
