"""Turn a handler written for one contract into a template for any contract, and back.

Names that derive from the contract (operation, entity in snake/Pascal/plural forms, the
node name, the package, model and protocol classes and their modules) become
placeholders that are themselves valid identifiers, so a template still parses as
Python (and so has a structural fingerprint). ``instantiate`` puts a new contract's
names back, every one a checked identifier: no contract value reaches code otherwise.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass

from onex_lsp import layout
from onex_lsp.contract.schema import NodeKind
from onex_lsp.generation.detection import lookup
from onex_lsp.identifiers import check_pascal, check_snake, to_pascal

# Words too common in code to be abstracted as "the entity".
_GENERIC = frozenset(
    {"id", "ids", "data", "item", "items", "record", "records", "value", "values", "result",
     "request", "payload", "type", "key", "keys", "name", "all", "list", "info", "state"}
)  # fmt: skip


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def entity_of(operation: str) -> str:
    """``create_user`` -> ``user``; ``list_users`` -> ``user``; ``reconcile`` -> ``reconcile``."""
    words = operation.split("_")
    if len(words) > 1 and lookup(words[0]) is not None:
        words = words[1:]
    words[-1] = singular(words[-1])
    return "_".join(words)


@dataclass(frozen=True)
class NameContext:
    """The contract-derived names of one handler."""

    node: str  # user_management
    kind: str  # effect
    operation: str  # create_user
    input_class: str = ""
    output_class: str = ""
    repository_protocol: str = ""
    executor_protocol: str = ""

    @property
    def entity(self) -> str:
        return entity_of(self.operation)

    @property
    def package(self) -> str:
        return layout.package_folder(self.node, NodeKind(self.kind))

    def _node_names(self) -> dict[str, str]:
        """The names generated in the node's package (``layout`` spells them all)."""
        node = self.node
        input_class = self.input_class or layout.input_model_class(node)
        output_class = self.output_class or layout.output_model_class(node)
        return {
            "__ONEX_PACKAGE__": self.package,
            "__ONEX_INPUT_MODULE__": layout.model_module(input_class),
            "__ONEX_OUTPUT_MODULE__": layout.model_module(output_class),
            "__ONEX_REPOSITORY_MODULE__": layout.repository_protocol_module(node),
            "__ONEX_EXECUTOR_MODULE__": layout.executor_protocol_module(node),
            "__ONEX_INPUT_CLASS__": input_class,
            "__ONEX_OUTPUT_CLASS__": output_class,
            "__ONEX_REPOSITORY_PROTOCOL__": self.repository_protocol
            or layout.repository_protocol(node),
            "__ONEX_EXECUTOR_PROTOCOL__": self.executor_protocol or layout.executor_protocol(node),
            "__ONEX_NODE_CLASS__": layout.node_class(node, NodeKind(self.kind)),
            "__ONEX_NODE__": node,
            "__ONEX_NODE_PASCAL__": layout.pascal(node),
        }

    def names(self, *, abstract_generic: bool = False) -> dict[str, str]:
        """Placeholder -> concrete name, for every name this handler may contain.

        When abstracting (``abstract_generic`` False), an entity that is a common code
        word (``item``, ``data``) is left alone rather than replaced everywhere.
        """
        names = {
            "__ONEX_FUNCTION__": layout.handler_function(self.operation),
            "__ONEX_MODULE__": layout.handler_module(self.operation),
            "__ONEX_OPERATION__": self.operation,
            "__ONEX_OPERATION_PASCAL__": to_pascal(self.operation),
        }
        if self.node:  # handlers outside a node package keep their other names
            names |= self._node_names()
        entity = self.entity
        meaningful = entity not in _GENERIC and len(entity) >= 3 and entity != self.operation
        if meaningful or abstract_generic:
            names.update(
                {
                    "__ONEX_ENTITIES__": plural(entity),
                    "__ONEX_ENTITY__": entity,
                    "__ONEX_ENTITIES_PASCAL__": to_pascal(plural(entity)),
                    "__ONEX_ENTITY_PASCAL__": to_pascal(entity),
                }
            )
        return names


def _pattern(name: str) -> re.Pattern[str]:
    # snake names may be followed by "_suffix" (user -> user_id); Pascal names by a
    # capitalised word (User -> UserRecord); never inside a longer lowercase word.
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![a-z0-9])")


def parameterize(source: str, context: NameContext) -> str:
    """Replace the contract-derived names in ``source`` by placeholders (longest first)."""
    names = context.names()
    by_length = sorted(names.items(), key=lambda item: -len(item[1]))
    text = source
    for placeholder, concrete in by_length:
        if concrete:
            text = _pattern(concrete).sub(placeholder, text)
    return text


def instantiate(template: str, context: NameContext) -> str:
    """Put ``context``'s names into a template; every name is checked first."""
    text = template
    names = context.names(abstract_generic=True)
    for placeholder, concrete in sorted(names.items(), key=lambda i: -len(i[0])):
        safe = check_pascal(concrete) if concrete[:1].isupper() else check_snake(concrete, "name")
        text = text.replace(placeholder, safe)
    if "__ONEX_" in text:
        raise ValueError("the template needs a name this contract does not have")
    return text


def fingerprint(template: str) -> str:
    """Structure, not formatting: the AST of the template, without docstrings."""
    return fingerprint_tree(ast.parse(template))


def fingerprint_tree(tree: ast.Module) -> str:
    """``fingerprint`` of an already parsed template (the tree loses its docstrings)."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()
