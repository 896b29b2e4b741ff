"""Every name and path of a generated node package, and the keys that identify its blocks.

The one home of these formats: contract checks, generation, learning, feedback and the
protocol layer ask here instead of spelling ``handler_<op>.py`` or ``Node<P>Effect``
themselves (a test greps for stray copies). Names are built from contract words with
``identifiers`` and are always prefixed (``handle_``, ``Handler``, ``model_``), so an
operation called ``self`` or ``class`` still yields valid, non-shadowing Python names.
"""

from __future__ import annotations

import keyword
import re

from onex_lsp.contract.schema import NodeKind
from onex_lsp.identifiers import split_words

NODE_FOLDER = re.compile(
    r"^node_(?P<name>[a-z0-9_]+?)_(?P<kind>effect|compute|reducer|orchestrator)$"
)
_KIND_SUFFIX = re.compile(r"^(?P<name>.+?)_(?P<kind>effect|compute|reducer|orchestrator)$")


def snake(text: str) -> str:
    """``ledger.project`` / ``createUser`` / ``Invoice Ledger`` -> ``ledger_project`` ..."""
    return "_".join(split_words(text))


def pascal(text: str) -> str:
    return "".join(word.capitalize() for word in split_words(text))


def operation_ident(operation: str) -> str:
    """The snake_case Python name of an operation's routing key (modules, functions);
    a keyword gets Python's trailing underscore (``class`` -> ``class_``)."""
    name = snake(operation)
    if name[:1].isdigit():
        return f"op_{name}"
    return f"{name}_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


def node_base_name(raw: str) -> str:
    """``node_user_management_effect`` / ``NodeUserManagementEffect`` / ``contract.verify``
    -> ``user_management`` / ``user_management`` / ``contract_verify``."""
    name = snake(raw)
    name = name.removeprefix("node_") if name != "node" else name
    match = _KIND_SUFFIX.match(name)
    return match.group("name") if match else name


def name_kind_suffix(raw: str) -> NodeKind | None:
    """The kind a node's name ends in (``..._compute``), if any."""
    match = _KIND_SUFFIX.match(snake(raw))
    return NodeKind(match.group("kind")) if match else None


def package_folder(base: str, kind: NodeKind) -> str:
    return f"node_{base}_{kind.value}"


def node_class(base: str, kind: NodeKind) -> str:
    return f"Node{pascal(base)}{kind.pascal}"


def node_module_for_scaffold(base: str, kind: NodeKind) -> str:
    """``onex new node`` writes ``node_<name>_<kind>.py`` in ``nodes/<name>/``."""
    return f"node_{base}_{kind.value}"


def handler_module(operation: str) -> str:
    return f"handler_{operation_ident(operation)}"


def handler_function(operation: str) -> str:
    return f"handle_{operation_ident(operation)}"


def handler_class(operation: str) -> str:
    return f"Handler{pascal(operation)}"


def operation_method(operation: str) -> str:
    """The private method of a handler class that serves several operations."""
    return f"_{operation_ident(operation)}"


def input_model_class(base: str) -> str:
    return f"Model{pascal(base)}Input"


def output_model_class(base: str) -> str:
    return f"Model{pascal(base)}Output"


def model_module(class_name: str) -> str:
    """``ModelInvoiceLedgerInput`` -> ``model_invoice_ledger_input`` (one model per file)."""
    words = split_words(class_name)
    if words[:1] == ["model"]:
        words = words[1:]
    return "model_" + "_".join(words or ["data"])


def repository_protocol(base: str) -> str:
    return f"Protocol{pascal(base)}Repository"


def repository_protocol_module(base: str) -> str:
    return f"protocol_{base}_repository"


def in_memory_repository(base: str) -> str:
    """Not ``Service...``: ``onex validate --strict`` rejects that word in class names."""
    return f"InMemory{pascal(base)}Repository"


def in_memory_repository_module(base: str) -> str:
    return f"in_memory_{base}_repository"


def executor_protocol(base: str) -> str:
    return f"Protocol{pascal(base)}StepExecutor"


def executor_protocol_module(base: str) -> str:
    return f"protocol_{base}_step_executor"


def publisher_protocol(base: str) -> str:
    return f"Protocol{pascal(base)}Publisher"


def publisher_protocol_module(base: str) -> str:
    return f"protocol_{base}_publisher"


def in_memory_publisher(base: str) -> str:
    return f"InMemory{pascal(base)}Publisher"


def in_memory_publisher_module(base: str) -> str:
    return f"in_memory_{base}_publisher"


def tests_module(package: str) -> str:
    return f"test_{package}"


def block_id(pattern: str, variant: str) -> str:
    """A built-in block: ``crud.create``, ``transformation.parse``..."""
    return f"{pattern}.{variant}"


def builtin_key(block: str) -> str:
    """The feedback key of a built-in block."""
    return f"builtin:{block}"


def learned_key(block_id: str) -> str:
    """The feedback key of a learned block."""
    return f"learned:{block_id}"


LEARNED_PREFIX = "learned:"


def handler_file_operation(path_parts: tuple[str, ...]) -> str | None:
    """The operation of ``.../handlers/handler_<op>.py``, if the path is one."""
    if len(path_parts) < 2 or path_parts[-2] != "handlers":
        return None
    name = path_parts[-1]
    if not (name.startswith("handler_") and name.endswith(".py")):
        return None
    return name.removeprefix("handler_").removesuffix(".py") or None
