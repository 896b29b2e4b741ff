"""Where the code and the contract disagree about names: a handler module that exists but
does not define the class or function the contract routes to.

Pure: takes the texts of the package's modules (read by the caller) and returns the
disagreements, each with the fix on either side: the name the code defines (to put in the
contract), or the declared name (to add to the code).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from onex_lsp import layout
from onex_lsp.contract.model import Contract
from onex_lsp.generation.package_plan import HandlerStyle, PackagePlan
from onex_lsp.positions import Range


@dataclass(frozen=True)
class NameDrift:
    operation: str
    declared: str
    module: str  # the module's path, relative to the plan's root
    defined: tuple[str, ...]  # what the module defines of the same kind
    range: Range  # where the contract names the handler
    replacement: str | None  # the contract text that points at what the code defines


def _definitions(text: str, classes: bool) -> tuple[str, ...] | None:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None  # mid-edit: say nothing
    kinds = (ast.ClassDef,) if classes else (ast.FunctionDef, ast.AsyncFunctionDef)
    return tuple(node.name for node in tree.body if isinstance(node, kinds))


def name_drift(
    contract: Contract, plan: PackagePlan, texts: dict[str, str | None]
) -> list[NameDrift]:
    """Declared handlers whose (existing) module does not define them."""
    found: list[NameDrift] = []
    for target in plan.handlers:
        text = texts.get(str(target.module.path))
        if text is None:
            continue
        defined = _definitions(text, target.style is HandlerStyle.CLASS)
        if defined is None or target.name in defined:
            continue
        op = next(o for o in contract.operations if o.name in target.operations)
        ref = op.handler
        if ref is None or ref.name != target.name:
            continue  # the contract names no handler: the layout's name is ours to choose
        prefix = (
            layout.HANDLER_CLASS_PREFIX
            if target.style is HandlerStyle.CLASS
            else layout.HANDLER_FUNCTION_PREFIX
        )
        candidates = [name for name in defined if name.startswith(prefix)]
        replacement = None
        if len(candidates) == 1 and ref.name_range is not None:
            replacement = candidates[0]
            if ref.module_range == ref.name_range and ref.module:  # "module:Class"
                replacement = f"{ref.module}:{candidates[0]}"
        found.append(
            NameDrift(
                op.name, target.name, str(target.module.path), tuple(candidates),
                ref.name_range or ref.range, replacement,
            )
        )  # fmt: skip
    return found
