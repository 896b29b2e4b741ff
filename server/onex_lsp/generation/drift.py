"""Drift between a contract and the node package around it, and the edits that mend it.

When a contract in ``node_<name>_<kind>/`` gains an operation, its handler module is
missing. ``missing_handlers`` finds those operations; ``add_handler_edits`` renders the
handler (pattern block included) and the routing: the import, the OPERATIONS entry and
the dispatch branch in ``node.py``, and the ``Literal`` of the input model, anchored on
the lines the generator wrote. Where the user has reshaped those files the anchors are
gone, and only the handler module is added (the result says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from onex_lsp.contract.reader import Contract, Operation
from onex_lsp.generation.detection import FITS, VOCABULARY, Pattern, detect_contract
from onex_lsp.generation.formatting import format_sources
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.generation.ranking import STUB, HandlerChoice, choose_handlers
from onex_lsp.generation.rendering import block_shape, render_package
from onex_lsp.workspace_fs import atomic_write, write_tree


@dataclass(frozen=True)
class TextInsert:
    """Insert ``text`` before 0-based ``line`` of the file at ``path``."""

    path: Path
    line: int
    text: str


@dataclass(frozen=True)
class AddHandlerPlan:
    operation: str
    block: str
    new_files: dict[Path, str]
    inserts: tuple[TextInsert, ...]
    routed: bool  # False when node.py had no anchors left to route the operation


def missing_handlers(contract: Contract, package_dir: Path) -> list[Operation]:
    """Operations without ``handlers/handler_<op>.py`` in an existing package."""
    handlers = package_dir / "handlers"
    if not (package_dir / "node.py").exists() or not handlers.is_dir():
        return []
    return [op for op in contract.operations if not (handlers / f"handler_{op.name}.py").exists()]


def _line_index(lines: list[str], pattern: str, *, last: bool = False) -> int | None:
    regex = re.compile(pattern)
    hits = [i for i, line in enumerate(lines) if regex.search(line)]
    if not hits:
        return None
    return hits[-1] if last else hits[0]


def _statement(lines: list[str], start: int) -> list[str]:
    """The lines of the (possibly parenthesised, multi-line) statement starting at ``start``."""
    if not lines[start].rstrip().endswith("("):
        return [lines[start]]
    end = start
    while not lines[end].startswith(")"):
        end += 1
    return lines[start : end + 1]


def _sorted_import_position(lines: list[str], operation: str) -> int | None:
    """Where ``from .handlers.handler_<operation> import`` goes to keep imports sorted."""
    regex = re.compile(r"^from \.handlers\.handler_(\w+) import")
    found = [(i, m.group(1)) for i, line in enumerate(lines) if (m := regex.match(line))]
    if not found:
        return None
    for index, name in found:
        if name > operation:
            return index
    last = found[-1][0]
    return last + len(_statement(lines, last))


def add_handler_edits(
    contract: Contract, package_dir: Path, operation: str, threshold: float
) -> AddHandlerPlan:
    generated = plan_package(contract, threshold)
    choice = next(c for c in generated.choices if c.operation == operation)
    handler_rel = f"handlers/handler_{operation}.py"
    new_files = {package_dir / handler_rel: generated.files[handler_rel]}
    inserts: list[TextInsert] = []
    routed = False
    node_py = package_dir / "node.py"
    node_lines = node_py.read_text(encoding="utf-8").splitlines(keepends=True)
    fresh = generated.files["node.py"].splitlines(keepends=True)
    import_line = _line_index(fresh, rf"^from \.handlers\.handler_{operation} import")
    branch = _line_index(fresh, rf'^\s+if request\.operation == "{operation}":')
    import_at = _sorted_import_position(node_lines, operation)
    operations_start = _line_index(node_lines, r"^OPERATIONS: tuple\[str, \.\.\.\] = \($")
    operations_end = (
        _line_index(node_lines[operations_start:], r"^\)$")
        if operations_start is not None
        else None
    )
    if operations_start is not None and operations_end is not None:
        operations_end += operations_start
    unknown_message = _line_index(node_lines, r'^\s+"unknown operation",$')
    unknown = unknown_message - 1 if unknown_message else None
    if None not in (import_line, branch, import_at, operations_end, unknown):
        assert import_line is not None and branch is not None
        assert import_at is not None and operations_end is not None and unknown is not None
        branch_end = branch + 1
        while branch_end < len(fresh) and not fresh[branch_end].lstrip().startswith(
            ("if ", "raise ")
        ):
            branch_end += 1
        inserts += [
            TextInsert(node_py, import_at, "".join(_statement(fresh, import_line))),
            TextInsert(node_py, operations_end, f'    "{operation}",\n'),
            TextInsert(node_py, unknown, "".join(fresh[branch:branch_end])),
        ]
        routed = True
    model = next((package_dir / "models").glob("model_*_input.py"), None)
    if model is not None:
        model_lines = model.read_text(encoding="utf-8").splitlines(keepends=True)
        literal_end = _line_index(model_lines, r"^    \]$")
        if literal_end is not None:
            inserts.append(TextInsert(model, literal_end, f'        "{operation}",\n'))
    return AddHandlerPlan(operation, choice.block, new_files, tuple(inserts), routed)


def apply_add_handler(plan: AddHandlerPlan, package_dir: Path) -> list[Path]:
    """Write the plan on the server side: new files never overwrite; edits are atomic."""
    write_tree(
        package_dir, {p.relative_to(package_dir).as_posix(): t for p, t in plan.new_files.items()}
    )
    edited: dict[Path, list[str]] = {}
    for insert in sorted(plan.inserts, key=lambda i: -i.line):
        if insert.path not in edited:
            edited[insert.path] = insert.path.read_text(encoding="utf-8").splitlines(keepends=True)
        edited[insert.path].insert(insert.line, insert.text)
    for path, lines in edited.items():
        atomic_write(path, "".join(lines))
    return list(edited)


def alternative_blocks(contract: Contract, choice: HandlerChoice) -> list[str]:
    """Other blocks that fit this operation in this kind of node, most related first."""
    fitting = FITS[contract.kind]
    current = choice.block
    family = choice.pattern
    ordered: list[str] = []
    if family is not None:
        ordered += [f"{family.value}.{v}" for v in VOCABULARY[family]]
    ordered += list(choice.alternatives)
    for pattern in Pattern:
        if pattern in fitting and pattern is not family:
            ordered += [f"{pattern.value}.{v}" for v in VOCABULARY[pattern]]
    ordered.append("orchestration.step")
    ordered.append(STUB)
    seen: set[str] = set()
    result: list[str] = []
    for block in ordered:
        if block != current and block not in seen and _fits(block, contract, current):
            seen.add(block)
            result.append(block)
    return result


def _fits(block: str, contract: Contract, current: str) -> bool:
    head = block.split(".", 1)[0]
    if head != STUB and Pattern(head) not in FITS[contract.kind]:
        return False
    return block_shape(block, contract.kind) == block_shape(current, contract.kind)


def render_with_block(contract: Contract, operation: str, block: str, threshold: float) -> str:
    """The handler module for ``operation`` rendered with ``block`` instead of its default."""
    choices = tuple(
        replace(c, block=block, reason=f"{operation}: alternative block {block} chosen by the user")
        if c.operation == operation
        else c
        for c in choose_handlers(contract, detect_contract(contract), threshold)
    )
    rel = f"handlers/handler_{operation}.py"
    files, _ = format_sources({rel: render_package(contract, choices, threshold)[rel]})
    return files[rel]
