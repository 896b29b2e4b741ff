"""Read an ONEX ``contract.yaml`` in any dialect, with diagnostics that agree with omnibase-core.

``load_contract(text, path)`` never raises on bad input: it returns the contract it could
read (or ``None``), its dialect, and every problem as a located ``ContractIssue``. The
severity follows the framework (see ``rules``): an error means omnibase-core would reject
the file; warnings say what one of its tools (``onex validate``) or the generated code would
trip on; ``strict-model`` hints (opt-in) mirror the strict ``ModelContract`` models; an
information diagnostic says why generation is not offered. Diagnostics, the CLI and
generation all read the same result.
"""

from __future__ import annotations

from yaml.nodes import Node

from onex_lsp.contract.dialects import detect_dialect
from onex_lsp.contract.model import (
    Contract,
    ContractIssue,
    ContractResult,
    Dialect,
    ModelRef,
    Operation,
    Severity,
)
from onex_lsp.contract.naming import (
    check_archetype,
    check_folder,
    check_handler_names,
    check_models,
    name_forms,
    read_name,
)
from onex_lsp.contract.rules import check_contract_version, check_node_type, check_typed_fields
from onex_lsp.contract.sections import (
    read_descriptor,
    read_model_ref,
    read_operations,
    read_required_inputs,
    read_tags,
    read_topics,
)
from onex_lsp.contract.strict import strict_model_hints
from onex_lsp.contract.yaml_reader import (
    Items,
    YamlReader,
    compose_document,
    duplicate_key_issues,
    node_range,
    scalar_text,
    unknown_tag_issues,
)
from onex_lsp.positions import Range

__all__ = ["Contract", "ContractIssue", "ContractResult", "Operation", "Severity", "load_contract"]

MAX_CONTRACT_BYTES = 512 * 1024
MAX_OPERATIONS = 500  # a node with more is not a node; generation would write thousands of files

# Dialects whose contracts describe something other than one node onex-lsp can write.
_NOT_GENERATED = {
    Dialect.HANDLER_CONTRACT: "it is a handler contract (handler_id, capability_inputs): it "
    "describes one handler bound by capabilities, not a node package",
    Dialect.LEGACY_TOOL: "it is a legacy tool contract (tool_specification / actions / "
    "input_state), which omnibase-core 0.47 reads only on its legacy path; onex-lsp "
    "generates nodes for current contracts",
}


# Dialects whose nodes omnibase-core runs from the YAML (no handler code of their own).
_DECLARATIVE = frozenset({Dialect.SUBCONTRACT, Dialect.WORKFLOW, Dialect.HANDLER_CONTRACT})


def oversized_result() -> ContractResult:
    issue = ContractIssue(
        "too-large",
        f"contract is larger than {MAX_CONTRACT_BYTES // 1024} KiB; "
        "ONEX contracts are small YAML files, refusing to parse this one",
        Range.point(0, 0),
    )
    return ContractResult(None, (issue,))


def load_contract(
    text: str, path: str = "contract.yaml", *, strict_model: bool = False
) -> ContractResult:
    """Parse and check a contract; never raises for bad input."""
    if len(text.encode("utf-8", errors="replace")) > MAX_CONTRACT_BYTES:
        return oversized_result()
    root, problems = compose_document(text)
    if root is None:
        if problems:
            return ContractResult(None, tuple(problems))
        return ContractResult(
            None, (ContractIssue("missing-field", "the contract is empty", Range.point(0, 0)),)
        )
    duplicates = duplicate_key_issues(root) + unknown_tag_issues(root)
    reader = YamlReader()
    items = reader.mapping(root, "the contract")
    if items is None:
        return ContractResult(None, (*duplicates, *reader.issues))
    reader.issues.extend(duplicates)
    return _read_contract(reader, root, items, text, path, strict_model)


def _read_contract(
    reader: YamlReader, root: Node, items: Items, text: str, path: str, strict_model: bool
) -> ContractResult:
    """Check every section in a fixed order (diagnostics keep it), then build the contract."""
    dialect = detect_dialect(items)
    node_contract = dialect is not Dialect.HANDLER_CONTRACT
    kind, node_type = check_node_type(reader, items, root, required=node_contract)
    version = check_contract_version(reader, items, root)
    check_typed_fields(reader, items)
    named = read_name(reader, items, kind, path, root)
    if named is None:
        return ContractResult(None, tuple(reader.issues), dialect)
    raw_name, base = named
    check_folder(reader, items, kind, base, path)
    descriptor = read_descriptor(reader, items)
    check_archetype(reader, items, kind, descriptor.archetype)
    input_model, output_model = _read_models(reader, items)
    operations = _node_operations(reader, items, root, dialect, base)
    _refuse_other_dialects(reader, root, dialect)
    if strict_model and kind is not None:
        strict_model_hints(reader, items, kind, root)
    if kind is None or version is None or node_type is None:
        return ContractResult(None, tuple(reader.issues), dialect)
    publish, subscribe = read_topics(reader, items)
    description = scalar_text(items["description"][1]) if "description" in items else None
    contract = Contract(
        path=path,
        text=text,
        dialect=dialect,
        raw_name=raw_name,
        name=base,
        kind=kind,
        node_type=node_type,
        description=(description or "").strip(),
        version=version,
        operations=tuple(operations[:MAX_OPERATIONS]),
        input_model=input_model,
        output_model=output_model,
        tags=read_tags(reader, items),
        descriptor=descriptor,
        required_inputs=read_required_inputs(reader, items),
        publish_topics=publish,
        subscribe_topics=subscribe,
        name_forms=tuple(form for form, _ in name_forms(items)),
        key_ranges={key: node_range(k) for key, (k, _) in items.items()},
    )
    return ContractResult(contract, tuple(reader.issues), dialect)


def _read_models(reader: YamlReader, items: Items) -> tuple[ModelRef | None, ModelRef | None]:
    """Input and output models, read together: their names are checked against each other."""
    models = [
        (key, read_model_ref(reader, items[key][1] if key in items else None))
        for key in ("input_model", "output_model")
    ]
    check_models(reader, models, items)
    return models[0][1], models[1][1]


def _node_operations(
    reader: YamlReader, items: Items, root: Node, dialect: Dialect, base: str
) -> list[Operation]:
    """The operations a generated node routes; one that names none still has its own."""
    operations = read_operations(reader, items, base)
    check_handler_names(reader, operations)
    if not operations and dialect not in _DECLARATIVE:
        # ``default_handler`` nodes: the node's own name is its one operation.
        where = node_range(items["name"][0]) if "name" in items else Range.point(0, 0)
        operations = [Operation(base, where, "node")]
    _limit_operations(reader, items, root, operations)
    return operations


def _refuse_other_dialects(reader: YamlReader, root: Node, dialect: Dialect) -> None:
    """Contracts that describe no node onex-lsp writes: say why, as information, not error."""
    if dialect not in _NOT_GENERATED:
        return
    reader.issue(
        "no-generation",
        f"onex-lsp does not generate from this contract: {_NOT_GENERATED[dialect]}",
        root,
        Severity.INFO,
        blocks_generation=True,
    )


def _limit_operations(
    reader: YamlReader, items: Items, root: Node, operations: list[Operation]
) -> None:
    if len(operations) <= MAX_OPERATIONS:
        return
    where = items["handler_routing"][0] if "handler_routing" in items else root
    reader.issue(
        "too-many-operations",
        f"the contract declares {len(operations)} operations; onex-lsp generates nodes with "
        f"at most {MAX_OPERATIONS} (split the node)",
        where,
        Severity.WARNING,
        blocks_generation=True,
    )
