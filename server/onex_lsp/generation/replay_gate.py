"""The replay gate's static half: would a learned block, re-rendered for a new contract,
import in the package generated for it?

A learned block was written for another package. Before it may become the default for
a new contract it is rendered into that contract's package (``replay_package``) and its
handler module is checked without running it (``static_verdict``): it must compile, every
name it reads must be bound in the module (its imports, definitions and assignments) or
be a builtin, its relative imports must name modules of the generated package that
define what it takes from them, and it must define the handler the node calls. Absolute
imports are not judged here: they resolve in the user's environment, not the server's
(``import_check`` imports the module for real where a framework interpreter is set).

Pure: texts in, a reason out (``""``: it passes).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import symtable
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from onex_lsp.contract.model import Contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_files import learned_handler_text, render_package
from onex_lsp.generation.package_plan import PackagePlan
from onex_lsp.generation.ranking import LearnedOption, apply_learned, choose_handlers
from onex_lsp.positions import Range

# Names every module has without binding them.
_MODULE_NAMES = frozenset(
    {"__name__", "__file__", "__doc__", "__package__", "__spec__", "__loader__",
     "__builtins__", "__path__", "__annotations__", "__dict__", "__cached__"}
)  # fmt: skip
_BUILTINS = frozenset(dir(builtins)) | _MODULE_NAMES
_SHOWN_NAMES = 3  # a reason names at most this many undefined names


@dataclass(frozen=True)
class Replay:
    """A learned block rendered into a new contract's package, ready to be checked."""

    files: dict[str, str]  # every file of the package, POSIX paths relative to the plan's root
    module: str  # the handler module's path (a key of ``files``)
    handler: str  # the function the node calls (``handle_create_user``)
    package: str  # the package folder, relative to the plan's root
    module_rel: str  # the handler module inside the package (``handlers.handler_x``); "" outside
    node_rel: str  # the node module inside the package; "" without one


def replay_package(
    contract: Contract, plan: PackagePlan, threshold: float, operation: str, option: LearnedOption
) -> Replay:
    """The package generated for ``contract`` with ``option`` as ``operation``'s handler
    (unformatted: formatting changes no name)."""
    choices = choose_handlers(contract, detect_contract(contract), threshold)
    choices = apply_learned(choices, {}, {operation: option})
    return _replay(plan, operation, render_package(contract, plan, choices, threshold))


def replay_packages(
    contract: Contract,
    plan: PackagePlan,
    threshold: float,
    wanted: Sequence[tuple[str, LearnedOption]],
) -> list[Replay]:
    """``replay_package`` of each (operation, option), for ``static_verdict``: the package
    is rendered once with its built-in blocks and each learned handler module put in its
    place (the modules a handler may import from, models and protocols, do not depend on
    it; a learned block the package would not write as is gets a full render)."""
    choices = choose_handlers(contract, detect_contract(contract), threshold)
    base = render_package(contract, plan, choices, threshold)
    replays = []
    for operation, option in wanted:
        learned = apply_learned(choices, {}, {operation: option})
        text = learned_handler_text(contract, plan, learned, operation)
        if text is None:
            replays.append(replay_package(contract, plan, threshold, operation, option))
            continue
        replay = _replay(plan, operation, base)
        replays.append(replace(replay, files={**base, replay.module: text}))
    return replays


def _replay(plan: PackagePlan, operation: str, files: dict[str, str]) -> Replay:
    target = plan.handler_for(operation)
    node = plan.node.module.rel if plan.node is not None else ""
    return Replay(
        files=files,
        module=str(target.module.path),
        handler=target.name,
        package=str(plan.package),
        module_rel=target.module.rel,
        node_rel=node,
    )


def static_verdict(replay: Replay) -> str:
    """Why the rendered handler module would not import in its package (``""``: it would)."""
    text = replay.files.get(replay.module)
    if text is None:
        return "its handler module is not part of the generated package"
    try:
        tree = ast.parse(text, replay.module)
        table = symtable.symtable(text, replay.module, "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None)
        return f"does not parse ({exc.__class__.__name__}{f' on line {line}' if line else ''})"
    undefined = undefined_names(tree, table)
    if undefined:
        shown = ", ".join(f"`{name}`" for name in undefined[:_SHOWN_NAMES])
        more = f" and {len(undefined) - _SHOWN_NAMES} more" if len(undefined) > _SHOWN_NAMES else ""
        return f"uses {shown}{more}, undefined in the generated module"
    for statement in _relative_imports(tree):
        reason = _import_problem(statement, replay)
        if reason:
            return reason
    if replay.handler not in _bindings(tree):
        return f"does not define `{replay.handler}`, which the node calls"
    return ""


def undefined_names(tree: ast.Module, table: symtable.SymbolTable) -> list[str]:
    """The global names the module reads that nothing binds, sorted; none can be known
    when the module star-imports."""
    if any(isinstance(s, ast.ImportFrom) and s.names[0].name == "*" for s in ast.walk(tree)):
        return []
    bound: set[str] = set()
    read: set[str] = set()
    for scope in _scopes(table):
        top = scope is table
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if (top and (symbol.is_assigned() or symbol.is_imported())) or (
                symbol.is_declared_global() and symbol.is_assigned()
            ):
                bound.add(name)
            if symbol.is_referenced() and (top or symbol.is_global()):
                read.add(name)
    return sorted(read - bound - _BUILTINS)


def _scopes(table: symtable.SymbolTable) -> Iterator[symtable.SymbolTable]:
    yield table
    for child in table.get_children():
        yield from _scopes(child)


def _bindings(tree: ast.Module) -> set[str]:
    """The names a module binds at its top level (imports under ``if`` included)."""
    names: set[str] = set()
    for statement in tree.body:
        nested = statement.body if isinstance(statement, ast.If | ast.Try) else [statement]
        for inner in [statement, *nested]:
            if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(inner.name)
            elif isinstance(inner, ast.Import | ast.ImportFrom):
                names |= {a.asname or a.name.split(".")[0] for a in inner.names}
            elif isinstance(inner, ast.Assign | ast.AnnAssign | ast.AugAssign):
                names |= {n.id for n in ast.walk(inner) if isinstance(n, ast.Name)}
    return names


def _relative_imports(tree: ast.Module) -> Iterator[ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            yield node


def _import_problem(statement: ast.ImportFrom, replay: Replay) -> str:
    """Why ``from .x import y`` would fail in the generated package (``""``: it would not)."""
    spelled = "." * statement.level + (statement.module or "")
    base = PurePosixPath(replay.module).parent
    for _ in range(statement.level - 1):
        base = base.parent
    package = PurePosixPath(replay.package)
    if base != package and package not in base.parents:
        return f"imports `{spelled}`, outside the generated package"
    target = base.joinpath(*statement.module.split(".")) if statement.module else base
    text = _module_text(replay.files, target)
    if text is None:
        return f"imports `{spelled}`, which the generated package does not have"
    try:
        provided = _bindings(ast.parse(text))
    except SyntaxError:
        return ""  # the package's own module: not the learned block's fault
    star = "*" in provided
    for alias in statement.names:
        name = alias.name
        submodule = _module_text(replay.files, target / name) is not None
        if name != "*" and not star and name not in provided and not submodule:
            return f"imports `{name}` from `{spelled}`, which does not define it"
    return ""


def _module_text(files: Mapping[str, str], path: PurePosixPath) -> str | None:
    """The text of the module or package at ``path`` (without suffix) among ``files``."""
    found = files.get(f"{path}.py")
    return found if found is not None else files.get(f"{path}/__init__.py")


def gate_digest(contract: Contract) -> str:
    """What a verdict depends on in the contract: everything the package is rendered from
    except prose and positions. Descriptions reach generated code only as escaped literals,
    which cannot change what a module binds or imports, so editing one re-checks nothing."""
    nowhere = Range.point(0, 0)
    operations = tuple(replace(o, description="", range=nowhere) for o in contract.operations)
    bare = replace(contract, text="", description="", key_ranges={}, operations=operations)
    return hashlib.sha256(repr(bare).encode()).hexdigest()
