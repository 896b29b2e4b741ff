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


def scaffold_node_class(base: str) -> str:
    """``onex new node`` names the node class without its kind: ``NodeInvoiceLedger``."""
    return f"Node{pascal(base)}"


def node_module_for_scaffold(base: str, kind: NodeKind) -> str:
    """``onex new node`` writes ``node_<name>_<kind>.py`` in ``nodes/<name>/``."""
    return f"node_{base}_{kind.value}"


HANDLER_MODULE_PREFIX = "handler_"
HANDLER_FUNCTION_PREFIX = "handle_"
HANDLER_CLASS_PREFIX = "Handler"


def handler_module(operation: str) -> str:
    return f"{HANDLER_MODULE_PREFIX}{operation_ident(operation)}"


def handler_function(operation: str) -> str:
    return f"{HANDLER_FUNCTION_PREFIX}{operation_ident(operation)}"


def handler_class(operation: str) -> str:
    return f"{HANDLER_CLASS_PREFIX}{pascal(operation)}"


def is_handler_function(name: str) -> bool:
    """``handle_<something>``: the function layout's handler naming."""
    return name.startswith(HANDLER_FUNCTION_PREFIX) and len(name) > len(HANDLER_FUNCTION_PREFIX)


def handler_function_operation(name: str) -> str:
    """``handle_create_user`` -> ``create_user`` (other names unchanged)."""
    return name.removeprefix(HANDLER_FUNCTION_PREFIX)


def handler_operation(ref_name: str) -> str:
    """An operation named after its handler: ``HandlerLedgerAppend`` / ``handle_x`` /
    ``handler_x`` -> ``ledger_append`` / ``x`` / ``x``."""
    name = snake(ref_name)
    for prefix in (HANDLER_MODULE_PREFIX, HANDLER_FUNCTION_PREFIX):
        name = name.removeprefix(prefix)
    return name


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


BUILTIN_PREFIX = "builtin:"
LEARNED_PREFIX = "learned:"


def builtin_key(block: str) -> str:
    """The feedback key of a built-in block."""
    return f"{BUILTIN_PREFIX}{block}"


def learned_key(block_id: str) -> str:
    """The feedback key of a learned block."""
    return f"{LEARNED_PREFIX}{block_id}"


def is_learned_key(key: str) -> bool:
    return key.startswith(LEARNED_PREFIX)


def handler_file_operation(path_parts: tuple[str, ...]) -> str | None:
    """The operation of ``.../handlers/handler_<op>.py``, if the path is one."""
    if len(path_parts) < 2 or path_parts[-2] != "handlers":
        return None
    name = path_parts[-1]
    if not (name.startswith(HANDLER_MODULE_PREFIX) and name.endswith(".py")):
        return None
    return name.removeprefix(HANDLER_MODULE_PREFIX).removesuffix(".py") or None


GENERATION_RECORD = ".onex_generated.json"


def generation_record(package: str) -> str:
    """The generation record of a package folder (relative POSIX path in, same out): what
    ``generate`` wrote there, so ``update`` can rebuild the exact merge base."""
    return f"{package}/{GENERATION_RECORD}" if package not in ("", ".") else GENERATION_RECORD
