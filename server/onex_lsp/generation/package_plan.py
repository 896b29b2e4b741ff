"""Where every part of a generated package goes, in the layout its contract's dialect uses.

The contract names its handlers and models by dotted module (``pkg.nodes.node_x.handlers.
handler_y``, ``handlers.handler_y``, ``handler``); ``plan_layout`` turns each into a file:
inside the node package when a segment names the package folder or the module is
package-relative, in another package of the workspace when an ancestor folder carries the
module's first segment, and otherwise in the package itself, with a note saying so (the
contract then points outside the workspace). Pure: paths in, paths out, no disk.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath

from onex_lsp import layout
from onex_lsp.contract.model import Contract, Dialect, ModelRef, Operation
from onex_lsp.generation.plan_model import (
    ClassRef,
    HandlerStyle,
    HandlerTarget,
    Location,
    Module,
    PackagePlan,
    PlanNote,
    Shell,
)
from onex_lsp.generation.strict_naming import strict_naming_notes

__all__ = [
    "ClassRef", "HandlerStyle", "HandlerTarget", "Location", "Module", "PackagePlan",
    "PlanNote", "Shell", "plan_layout",
]  # fmt: skip

_SUBPACKAGES = frozenset({"handlers", "models", "registry", "protocols", "enums"})


@dataclass
class _Resolver:
    plan_root: PurePath
    package_abs: PurePath
    folder: str
    notes: list[PlanNote]

    def package_module(self, parts: list[str]) -> Module:
        rel = ".".join(parts)
        path = PurePosixPath(self.package_abs.relative_to(self.plan_root).as_posix())
        return Module(path.joinpath(*parts).with_suffix(".py"), "", rel)

    def locate(self, dotted: str) -> Module | None:
        """The module a dotted name means here; None when it is outside the workspace."""
        parts = dotted.strip().split(".")
        if not all(p.isidentifier() and p.isascii() and not keyword.iskeyword(p) for p in parts):
            return None  # not a module path generated code uses: written into the package
        if self.folder in parts:
            rest = parts[len(parts) - parts[::-1].index(self.folder) :]
            return self.package_module(rest) if rest else None
        if len(parts) == 1 or parts[0] in _SUBPACKAGES:
            return self.package_module(parts)
        for ancestor in self.package_abs.parents:
            if ancestor == self.plan_root or self.plan_root not in ancestor.parents:
                break
            if ancestor.name == parts[0]:
                path = ancestor.parent.joinpath(*parts).with_suffix(".py")
                return Module(PurePosixPath(path.relative_to(self.plan_root).as_posix()), dotted)
        return None


def _in_place(contract: Contract, folder: str) -> bool:
    names = {layout.snake(form) for form in contract.name_forms} | {
        contract.name,
        layout.package_folder(contract.name, contract.kind),
    }
    return layout.snake(folder) in names


def _package_folder(contract: Contract) -> str:
    """Not in place: the folder a declared module names, else ``node_<name>_<kind>``."""
    names = {layout.snake(form) for form in contract.name_forms} | {
        layout.package_folder(contract.name, contract.kind)
    }
    refs = [op.handler.module for op in contract.operations if op.handler and op.handler.module]
    refs += [m.module for m in (contract.input_model, contract.output_model) if m and m.module]
    for dotted in refs:
        for part in str(dotted).split("."):
            if part in names and part.isidentifier():
                return part
    return layout.package_folder(contract.name, contract.kind)


def _style(contract: Contract) -> tuple[HandlerStyle, Shell]:
    if contract.dialect in (Dialect.SUBCONTRACT, Dialect.WORKFLOW):
        return HandlerStyle.CLASS, Shell.DECLARATIVE
    if contract.dialect is Dialect.CORE_PACKAGED:
        return HandlerStyle.CLASS, Shell.NONE
    refs = [op.handler for op in contract.operations if op.handler and op.handler.name]
    functions = refs and not any(r.is_class for r in refs)
    if contract.dialect is Dialect.STRICT and (functions or not refs):
        return HandlerStyle.FUNCTION, Shell.ROUTING
    if functions:
        return HandlerStyle.FUNCTION, Shell.ROUTING
    return HandlerStyle.CLASS, Shell.THIN


def plan_layout(contract: Contract, where: Location) -> PackagePlan:
    """Every module of the package for this contract, at ``where``."""
    folder_name = where.contract.parent.name
    in_place = where.out is None and _in_place(contract, folder_name)
    if in_place:
        package_abs = where.contract.parent
    else:
        package_abs = (where.out or where.contract.parent) / _package_folder(contract)
    resolver = _Resolver(where.root, package_abs, package_abs.name, [])
    style, shell = _style(contract)
    package = PurePosixPath(package_abs.relative_to(where.root).as_posix())
    models = _models(contract, resolver)
    model_notes = len(resolver.notes)
    handlers = _handlers(contract, resolver, style, models)
    if style is HandlerStyle.FUNCTION and any(len(h.operations) > 1 for h in handlers):
        # One function cannot serve several operations; a class with a method each can.
        style, shell = HandlerStyle.CLASS, Shell.THIN
        del resolver.notes[model_notes:]
        handlers = _handlers(contract, resolver, style, models)
    node = _node(contract, resolver, shell)
    resolver.notes.extend(strict_naming_notes(contract, handlers, node, models))
    tests = resolver.package_module(["tests", layout.tests_module(package_abs.name)])
    return PackagePlan(
        root=where.root,
        package=package,
        in_place=in_place,
        base=contract.name,
        shell=shell,
        style=style if handlers else HandlerStyle.CLASS,
        node=node,
        input_model=models["input"],
        output_model=models["output"],
        request_models=tuple(v for k, v in models.items() if k not in ("input", "output")),
        handlers=tuple(handlers),
        tests=tests,
        notes=tuple(resolver.notes),
    )


def _node(contract: Contract, resolver: _Resolver, shell: Shell) -> ClassRef | None:
    if shell is Shell.NONE:
        return None
    if contract.dialect is Dialect.SCAFFOLD:
        module = layout.node_module_for_scaffold(contract.name, contract.kind)
        node_class = layout.scaffold_node_class(contract.name)
        return ClassRef(resolver.package_module([module]), node_class)
    return ClassRef(
        resolver.package_module(["node"]), layout.node_class(contract.name, contract.kind)
    )


def _inside(package: Module, name: str) -> Module:
    """Module ``name`` in the package ``package`` names (``x.models`` -> ``x.models.name``)."""
    path = package.path.with_suffix("") / f"{name}.py"
    return Module(
        path,
        f"{package.dotted}.{name}" if package.dotted else "",
        f"{package.rel}.{name}" if package.rel else "",
    )


def _model_target(
    ref: ModelRef | None, default: str, resolver: _Resolver, taken: set[PurePosixPath]
) -> ClassRef:
    name = ref.name if ref is not None else default
    local = resolver.package_module(["models", layout.model_module(name)])
    if ref is None or ref.module is None:
        return ClassRef(local, name)
    module = resolver.locate(ref.module)
    if module is not None and module.path.stem in _SUBPACKAGES:
        module = _inside(module, layout.model_module(name))  # a models package: one file each
    if module is None or module.path in taken:
        if module is None:
            resolver.notes.append(
                PlanNote(
                    "module-outside-workspace",
                    f"{ref.module} is not in this workspace, so {name} is written to "
                    f"{local.path.name} in the package's models/",
                    ref.range,
                    {"module": ref.module, "local": local.rel},
                )
            )
        module = local
    taken.add(module.path)
    return ClassRef(module, name)


def _models(contract: Contract, resolver: _Resolver) -> dict[str, ClassRef]:
    taken: set[PurePosixPath] = set()
    base = contract.name
    models = {
        "input": _model_target(
            contract.input_model, layout.input_model_class(base), resolver, taken
        ),
        "output": _model_target(
            contract.output_model, layout.output_model_class(base), resolver, taken
        ),
    }
    for op in contract.operations:
        ref = op.request_model
        if ref is not None and ref.name not in {m.name for m in models.values()}:
            models[op.name] = _model_target(ref, ref.name, resolver, taken)
    return models


def _handler_module(op: Operation, resolver: _Resolver, style: HandlerStyle) -> tuple[Module, str]:
    """The module and the function or class name one operation is handled by."""
    ref = op.handler
    default_name = (
        layout.handler_class(op.name)
        if style is HandlerStyle.CLASS
        else layout.handler_function(op.name)
    )
    name = ref.name if ref is not None and ref.name and ref.name.isidentifier() else default_name
    if style is HandlerStyle.CLASS and not name[:1].isupper():
        name = default_name
    local = resolver.package_module(["handlers", layout.handler_module(op.name)])
    if ref is None or ref.module is None:
        return local, name
    module = resolver.locate(ref.module)
    if module is None:
        resolver.notes.append(
            PlanNote(
                "module-outside-workspace",
                f"{ref.module} is not in this workspace, so {name} is written to "
                f"handlers/{local.path.name}",
                ref.range,
                {"module": ref.module, "local": local.rel},
            )
        )
        return local, name
    return module, name


def _handlers(
    contract: Contract, resolver: _Resolver, style: HandlerStyle, models: dict[str, ClassRef]
) -> list[HandlerTarget]:
    if contract.dialect in (Dialect.SUBCONTRACT, Dialect.WORKFLOW):
        return []
    grouped: dict[tuple[PurePosixPath, str], list[Operation]] = {}
    modules: dict[tuple[PurePosixPath, str], Module] = {}
    for op in contract.operations:
        module, name = _handler_module(op, resolver, style)
        grouped.setdefault((module.path, name), []).append(op)
        modules[(module.path, name)] = module
    targets = []
    for key, ops in grouped.items():
        request = models.get(ops[0].name, models["input"])
        targets.append(
            HandlerTarget(modules[key], key[1], style, tuple(op.name for op in ops), request)
        )
    return targets
