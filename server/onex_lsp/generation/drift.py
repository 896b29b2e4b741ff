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
from onex_lsp.generation.detection import FITS, VOCABULARY, Pattern
from onex_lsp.generation.merge import merge3
from onex_lsp.generation.package_plan import Location, PackagePlan
from onex_lsp.generation.pipeline import GeneratedPackage, plan_package
from onex_lsp.generation.ranking import HandlerChoice
from onex_lsp.identifiers import py_string
from onex_lsp.layout import block_id


@dataclass(frozen=True)
class FileEdit:
    """Replace lines ``[start, end)`` (0-based) of the file at ``path`` (relative to the
    plan's root) by ``text``; an insertion when ``start == end``."""

    path: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class AddHandlerPlan:
    operation: str
    block: str
    new_files: dict[str, str]  # relative to the plan's root
    edits: tuple[FileEdit, ...]
    routed: bool  # False when the user reshaped the lines the routing goes into


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
    """Without a base: the lines ``fresh`` adds to ``current`` as (line, text) inserts, and
    how many of its other changes were left out (they would touch the user's lines)."""
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


def _file_edits(
    path: str, base: str | None, current: str, fresh: str
) -> tuple[list[FileEdit], bool]:
    """Edits bringing ``fresh``'s changes into ``current``; False when some were left out."""
    if base is None:
        additions, skipped = merge_additions(current, fresh)
        return [FileEdit(path, line, line, text) for line, text in additions], not skipped
    merged = merge3(base, current, fresh)
    edits = [FileEdit(path, e.start, e.end, e.text) for e in merged.edits]
    return edits, not merged.conflicts


def add_handler_plan(
    generated: GeneratedPackage,
    operation: str,
    existing: Mapping[str, str | None],
    base: Mapping[str, str] | None = None,
) -> AddHandlerPlan:
    """The handler of ``operation``, the files its block needs, and the lines that route it.

    ``generated`` is the package as the contract wants it now, ``existing`` the files as they
    are, ``base`` the package as generated before the change (when it can be rebuilt): with it,
    lines the generator wrote and the user left alone may change too; without it, only
    additions are made."""
    plan = generated.plan
    choice = next(c for c in generated.choices if c.operation == operation)
    target = str(plan.handler_for(operation).module.path)
    wiring = _wiring_files(plan)
    new_files: dict[str, str] = {}
    edits: list[FileEdit] = []
    routed = True
    for path, text in generated.files.items():
        current = existing.get(path)
        if current is None:
            if path == target or path in wiring or _support(path):
                new_files[path] = text
            continue
        if path != target and path not in wiring:
            continue
        file_edits, clean = _file_edits(path, (base or {}).get(path), current, text)
        if path == target:
            file_edits += [
                FileEdit(path, line, line, added)
                for line, added in _missing_definition(
                    current, text, plan.handler_for(operation).name
                )
            ]
        edits += file_edits
        if path in wiring:
            merged = _apply(current, file_edits)
            routed = routed and (clean or py_string(operation) in merged)
    return AddHandlerPlan(operation, choice.block, new_files, tuple(edits), routed)


def _apply(text: str, edits: list[FileEdit]) -> str:
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (-e.start, -e.end)):
        lines[edit.start : edit.end] = [edit.text] if edit.text else []
    return "".join(lines)


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


def swap_block_plan(
    generated: GeneratedPackage,
    operation: str,
    existing: Mapping[str, str | None],
    base: Mapping[str, str] | None = None,
) -> AddHandlerPlan:
    """Another block for an existing handler: the module's new text, and what the block
    needs that the package lacks (a repository or publisher module, the node's wiring)."""
    plan = add_handler_plan(generated, operation, existing, base)
    target = str(generated.plan.handler_for(operation).module.path)
    edits = tuple(e for e in plan.edits if e.path != target)
    new_files = {**plan.new_files, target: generated.files[target]}
    return replace(plan, new_files=new_files, edits=edits)


def alternative_blocks(contract: Contract, choice: HandlerChoice) -> list[str]:
    """Other blocks that fit this operation in this kind of node, most related first: any
    of its kind for a stub (the swap brings the block's wiring), else the same shape."""
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
        if block == current or block in result:
            continue
        if _fits(block, contract, current) or (current == STUB and _of_kind(block, contract)):
            result.append(block)
    return result


def _of_kind(block: str, contract: Contract) -> bool:
    head = family(block)
    return head == STUB or Pattern(head) in FITS[contract.kind]


def _fits(block: str, contract: Contract, current: str) -> bool:
    head = family(block)
    if head != STUB and Pattern(head) not in FITS[contract.kind]:
        return False
    return block_shape(block, contract.kind) == block_shape(current, contract.kind)


def render_with_block(
    contract: Contract, where: Location, operation: str, block: str, threshold: float
) -> tuple[str, str]:
    """(path, text) of the handler module for ``operation`` rendered with ``block``."""
    generated = plan_package(contract, where, threshold, blocks={operation: block})
    rel = str(generated.plan.handler_for(operation).module.path)
    return rel, generated.files[rel]
