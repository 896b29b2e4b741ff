"""Drift between a contract and the node package it describes, and the edits that mend it.

When a contract gains an operation, its handler is missing. ``add_handler_plan`` renders
the package for the contract as it is now and brings into the existing files only the
lines the new operation adds (imports, routes, ``Literal`` entries, dependency wiring):
``merge_additions`` applies insert-only differences, so a line the user wrote is never
changed or removed, and where the user reshaped the surroundings the addition is skipped
and the plan says the operation is not routed. Pure: the caller reads and writes files.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from onex_lsp.contract.model import Contract
from onex_lsp.generation.blocks import STUB, block_shape, family
from onex_lsp.generation.detection import FITS, VOCABULARY, Pattern, detect_contract
from onex_lsp.generation.formatting import format_sources
from onex_lsp.generation.package_files import render_package
from onex_lsp.generation.package_plan import Location, PackagePlan, plan_layout
from onex_lsp.generation.pipeline import GeneratedPackage
from onex_lsp.generation.ranking import HandlerChoice, choose_handlers
from onex_lsp.identifiers import py_string
from onex_lsp.layout import block_id


@dataclass(frozen=True)
class TextInsert:
    """Insert ``text`` before 0-based ``line`` of the file at ``path`` (relative to root)."""

    path: str
    line: int
    text: str


@dataclass(frozen=True)
class AddHandlerPlan:
    operation: str
    block: str
    new_files: dict[str, str]  # relative to the plan's root
    inserts: tuple[TextInsert, ...]
    routed: bool  # False when the surroundings the routing lines go into were reshaped


def missing_handlers(plan: PackagePlan, exists: Mapping[str, bool]) -> list[str]:
    """Operations whose handler module is missing from a package that exists."""
    node_exists = plan.node is None or exists.get(str(plan.node.module.path), False)
    if not node_exists or not any(exists.get(str(h.module.path)) for h in plan.handlers):
        return []
    return [
        op
        for h in plan.handlers
        if not exists.get(str(h.module.path), False)
        for op in h.operations
    ]


def merge_additions(current: str, fresh: str) -> tuple[list[tuple[int, str]], int]:
    """Lines ``fresh`` adds to ``current`` as (line, text) inserts; and how many of its
    changes could not be applied without touching the user's lines."""
    old = current.splitlines(keepends=True)
    new = fresh.splitlines(keepends=True)
    inserts: list[tuple[int, str]] = []
    skipped = 0
    for tag, i1, _i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "insert":
            inserts.append((i1, "".join(new[j1:j2])))
        elif tag in ("replace", "delete"):
            skipped += 1
    return inserts, skipped


def add_handler_plan(
    generated: GeneratedPackage, operation: str, existing: Mapping[str, str | None]
) -> AddHandlerPlan:
    """The new handler module, the files its block needs, and the lines that route it,
    given the package as the contract wants it now and the files as they are."""
    plan = generated.plan
    choice = next(c for c in generated.choices if c.operation == operation)
    target = plan.handler_for(operation)
    new_files: dict[str, str] = {}
    inserts: list[TextInsert] = []
    routed = True
    wanted = {str(target.module.path)} | _wiring_files(plan)
    for path, text in generated.files.items():
        current = existing.get(path)
        if current is None:
            if path in wanted or _support(path):
                new_files[path] = text
            continue
        if path not in wanted:
            continue
        additions, _ = merge_additions(current, text)
        if path == str(target.module.path):
            additions += _missing_definition(current, text, target.name)
        inserts += [TextInsert(path, line, added) for line, added in additions]
        if path in _wiring_files(plan):
            routed = routed and py_string(operation) in _with_inserts(current, additions)
    return AddHandlerPlan(operation, choice.block, new_files, tuple(inserts), routed)


def _defines(text: str, name: str) -> ast.stmt | None:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return next((n for n in tree.body if isinstance(n, kinds) and n.name == name), None)


def _missing_definition(current: str, fresh: str, name: str) -> list[tuple[int, str]]:
    """The declared class or function, appended when the module no longer defines it."""
    if _defines(current, name) is not None:
        return []
    node = _defines(fresh, name)
    if node is None or node.end_lineno is None:
        return []
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    block = "".join(fresh.splitlines(keepends=True)[first - 1 : node.end_lineno])
    end = len(current.splitlines())
    return [(end, ("\n\n" if current.strip() else "") + block)]


def _with_inserts(text: str, additions: list[tuple[int, str]]) -> str:
    lines = text.splitlines(keepends=True)
    for line, added in sorted(additions, key=lambda a: -a[0]):
        lines.insert(line, added)
    return "".join(lines)


def _wiring_files(plan: PackagePlan) -> set[str]:
    """Files that route operations: the node module and the request models."""
    files = {str(plan.input_model.module.path)}
    files |= {str(m.module.path) for m in plan.request_models}
    if plan.node is not None:
        files.add(str(plan.node.module.path))
    return files


def _support(path: str) -> bool:
    """Protocol and in-memory modules a newly needed dependency brings."""
    name = path.rsplit("/", 1)[-1]
    return name.startswith(("protocol_", "in_memory_"))


def alternative_blocks(contract: Contract, choice: HandlerChoice) -> list[str]:
    """Other blocks that fit this operation in this kind of node, most related first."""
    fitting = FITS[contract.kind]
    current = choice.block
    own = choice.pattern
    ordered: list[str] = []
    if own is not None:
        ordered += [block_id(own.value, v) for v in VOCABULARY[own]]
    ordered += list(choice.alternatives)
    for pattern in Pattern:
        if pattern in fitting and pattern is not own:
            ordered += [block_id(pattern.value, v) for v in VOCABULARY[pattern]]
    ordered += ["orchestration.step", STUB]
    result: list[str] = []
    for block in ordered:
        if block != current and block not in result and _fits(block, contract, current):
            result.append(block)
    return result


def _fits(block: str, contract: Contract, current: str) -> bool:
    head = family(block)
    if head != STUB and Pattern(head) not in FITS[contract.kind]:
        return False
    return block_shape(block, contract.kind) == block_shape(current, contract.kind)


def render_with_block(
    contract: Contract, where: Location, operation: str, block: str, threshold: float
) -> tuple[str, str]:
    """(path, text) of the handler module for ``operation`` rendered with ``block``."""
    plan = plan_layout(contract, where)
    choices = tuple(
        replace(c, block=block, reason=f"{operation}: alternative block {block} chosen by the user")
        if c.operation == operation
        else c
        for c in choose_handlers(contract, detect_contract(contract), threshold)
    )
    rel = str(plan.handler_for(operation).module.path)
    files, _ = format_sources({rel: render_package(contract, plan, choices, threshold)[rel]})
    return rel, files[rel]
