"""The node's name, and checks that it agrees with its kind, its folder and the framework.

Real repositories name nodes ``node_<name>_<kind>``, ``<name>`` or ``NodeNamePascal``, keep
them in ``node_<name>_<kind>/`` or ``nodes/<name>/`` folders, and give the name under
``name``, ``node_name``, ``contract_name``, ``node_id`` or ``handler_id``. These checks are
warnings: the framework itself does not compare names with folders.
"""

from __future__ import annotations

import keyword
import re
from pathlib import PurePath

from yaml.nodes import Node, ScalarNode

from onex_lsp.contract.model import ContractIssue, ModelRef, Operation, Severity
from onex_lsp.contract.schema import NodeKind
from onex_lsp.contract.yaml_reader import Items, YamlReader, scalar_text
from onex_lsp.identifiers import is_snake_identifier, split_words, to_snake
from onex_lsp.layout import (
    HANDLER_FUNCTION_PREFIX,
    NODE_FOLDER,
    handler_class,
    name_kind_suffix,
    node_base_name,
    pascal,
)
from onex_lsp.positions import Range

NAME_KEYS = ("name", "node_name", "contract_name", "node_id", "handler_id", "workflow_id")
MAX_NODE_NAME = 48  # node_<name>_orchestrator and Model<Name>Output stay readable

# Classes a generated node imports from omnibase-core: a contract model of the same name
# would shadow them in the generated modules.
FRAMEWORK_CLASSES = frozenset(
    {
        "ModelEffectInput",
        "ModelEffectOutput",
        "ModelComputeInput",
        "ModelComputeOutput",
        "ModelReducerInput",
        "ModelReducerOutput",
        "ModelOrchestratorInput",
        "ModelOrchestratorOutput",
        "ModelONEXContainer",
        "NodeEffect",
        "NodeCompute",
        "NodeReducer",
        "NodeOrchestrator",
        "OnexError",
        "ModelOnexError",
        "BaseModel",
        "ConfigDict",
        "Field",
        "EnumCoreErrorCode",
        "EnumEffectType",
        "EnumTransactionState",
        "Any",
        "Literal",
        "Protocol",
    }
)


def name_forms(items: Items) -> list[tuple[str, Node]]:
    """Every name the contract gives the node, first the one it calls ``name``."""
    forms = []
    for key in NAME_KEYS:
        if key in items:
            text = scalar_text(items[key][1])
            if text and text.strip():
                forms.append((text.strip(), items[key][1]))
    return forms


def read_name(
    reader: YamlReader, items: Items, kind: NodeKind | None, path: str, root: Node
) -> tuple[str, str] | None:
    """(raw name, snake base name), or None when no usable name exists."""
    forms = name_forms(items)
    where = PurePath(path)
    # Unnamed: a ``contract.yaml`` is named by its folder, another file by its own name.
    fallback = where.parent.name if where.stem in ("contract", "") else where.stem
    raw, node = forms[0] if forms else (fallback, root)
    base = node_base_name(raw)
    if not base:
        reader.issue(
            "invalid-identifier",
            f"the node name '{raw}' has no letters or digits to build Python names from",
            node,
            Severity.WARNING,
            blocks_generation=True,
        )
        return None
    if len(base) > MAX_NODE_NAME:
        reader.issue(
            "invalid-identifier",
            f"name '{raw}' is too long: the node name '{base}' has {len(base)} characters, "
            f"at most {MAX_NODE_NAME} fit the generated package and class names",
            node,
            Severity.WARNING,
            blocks_generation=True,
        )
        return None
    if not is_snake_identifier(base if not base[:1].isdigit() else "x"):
        reader.issue(
            "invalid-identifier",
            f"name '{raw}' cannot become a Python package name; use letters, digits and "
            "underscores, starting with a letter (e.g. 'user_management')",
            node,
            Severity.WARNING,
            blocks_generation=True,
        )
        return None
    suffix = name_kind_suffix(raw)
    if kind is not None and suffix is not None and suffix is not kind:
        reader.issue(
            "kind-mismatch",
            f"name '{raw}' ends in '_{suffix.value}' but node_type says {kind.value}",
            node,
            Severity.WARNING,
        )
    return raw, base


def check_folder(
    reader: YamlReader, items: Items, kind: NodeKind | None, base: str, path: str
) -> None:
    """A ``node_<name>_<kind>/`` folder around the contract should agree with it."""
    match = NODE_FOLDER.match(PurePath(path).parent.name)
    if match is None:
        return
    folder_kind = NodeKind(match.group("kind"))
    if kind is not None and folder_kind is not kind and "node_type" in items:
        reader.issue(
            "kind-mismatch",
            f"node_type says {kind.value} but the contract sits in folder "
            f"'{PurePath(path).parent.name}' ({folder_kind.value})",
            items["node_type"][1],
            Severity.WARNING,
        )
    folder_base = match.group("name")
    if folder_base != base:
        names = name_forms(items)
        if names:
            reader.issue(
                "name-mismatch",
                f"name '{names[0][0]}' does not match the folder '{PurePath(path).parent.name}'",
                names[0][1],
                Severity.WARNING,
            )


def check_archetype(
    reader: YamlReader, items: Items, kind: NodeKind | None, archetype: str | None
) -> None:
    if kind is None or not archetype or archetype.lower() not in {k.value for k in NodeKind}:
        return
    if archetype.lower() != kind.value:
        reader.issue(
            "kind-mismatch",
            f"descriptor.node_archetype is '{archetype}' but node_type says {kind.value}",
            items["node_type"][1],
            Severity.WARNING,
        )


_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def check_handler_names(reader: YamlReader, operations: list[Operation]) -> None:
    """Declared handler names must be a PascalCase class or a snake_case function, and
    not a Python keyword (``None``, ``class``, ``match``: valid-looking, unusable)."""
    for op in operations:
        name = op.handler.name if op.handler else None
        if not name:
            continue
        reserved = keyword.iskeyword(name) or keyword.issoftkeyword(name)
        well_formed = _PASCAL.match(name) or is_snake_identifier(name)
        if well_formed and not reserved:
            continue
        problem = (
            "is a Python keyword, which cannot name a class or function"
            if reserved
            else "is neither a PascalCase class nor a snake_case function name; onex-lsp "
            "(and `onex validate --strict`) need one of the two"
        )
        suggestion = handler_name_suggestion(name)
        fix = _handler_fix(op, suggestion) if suggestion else None
        reader.issues.append(
            ContractIssue(
                "invalid-identifier",
                f"handler '{name}' {problem}" + (f"; try '{suggestion}'" if suggestion else ""),
                fix[0] if fix else op.handler.range if op.handler else op.range,
                Severity.WARNING,
                blocks_generation=True,
                data={"replacement": fix[1]} if fix else None,
            )
        )


def handler_name_suggestion(name: str) -> str | None:
    """A usable spelling of a handler name: ``void invoice`` -> ``void_invoice``,
    ``handler-void-invoice`` -> ``handler_void_invoice``, ``Class`` -> ``HandlerClass``."""
    if not split_words(name):
        return None
    if name[:1].isupper():
        candidate = pascal(name)
        if keyword.iskeyword(candidate) or keyword.issoftkeyword(candidate):
            candidate = handler_class(candidate)
        return candidate if _PASCAL.match(candidate) else None
    candidate = to_snake(name)
    if not is_snake_identifier(candidate):
        candidate = HANDLER_FUNCTION_PREFIX + candidate
    return candidate if is_snake_identifier(candidate) else None


def _handler_fix(op: Operation, suggestion: str) -> tuple[Range, str] | None:
    """Where the handler's name is written, and the text that names ``suggestion`` there
    (``module:Class`` keeps its module)."""
    handler = op.handler
    if handler is None or handler.name_range is None:
        return None
    if handler.module and handler.module_range == handler.name_range:
        return handler.name_range, f"{handler.module}:{suggestion}"
    return handler.name_range, suggestion


def _model_name_suggestion(name: str) -> str | None:
    """``model_user_input`` -> ``ModelUserInput`` (``None`` when no spelling of the same
    words is a usable class name, e.g. a keyword: only the user can name it)."""
    candidate = pascal(name)
    usable = _PASCAL.match(candidate) and not keyword.iskeyword(candidate)
    return candidate if usable and candidate != name else None


def check_models(
    reader: YamlReader, models: list[tuple[str, ModelRef | None]], items: Items
) -> None:
    """Model names that would break the generated code are reported where they are written."""
    seen: dict[str, str] = {}
    for key, ref in models:
        if ref is None:
            continue
        node = items[key][1] if key in items else None
        if ref.name in FRAMEWORK_CLASSES and node is not None:
            reader.issue(
                "shadows-framework",
                f"{key} '{ref.name}' has the name of a class the generated node imports from "
                "omnibase-core; name the model after this node (e.g. 'ModelUserInput')",
                node,
                Severity.WARNING,
                blocks_generation=True,
            )
        elif not _PASCAL.match(ref.name) or keyword.iskeyword(ref.name):
            if node is None:
                continue
            suggestion = _model_name_suggestion(ref.name)
            reader.issue(
                "invalid-identifier",
                f"{key} '{ref.name}' is not a PascalCase Python class name (e.g. "
                "'ModelUserInput'), which the generated code declares it as"
                + (f"; try '{suggestion}'" if suggestion else ""),
                node,
                Severity.WARNING,
                blocks_generation=True,
                # a bare class name is replaced in place; a {name, module} mapping is left to you
                data={"replacement": suggestion}
                if suggestion and isinstance(node, ScalarNode) and "." not in ref.name
                else None,
            )
        elif ref.name in seen and node is not None:
            reader.issue(
                "same-model-twice",
                f"{key} is the same class as {seen[ref.name]} ('{ref.name}'); the generated "
                "node needs a request model and a distinct result model",
                node,
                Severity.WARNING,
                blocks_generation=True,
            )
        seen.setdefault(ref.name, key)
