"""Where every part of a generated package goes, in the layout its contract's dialect uses.

The contract names its handlers and models by dotted module (``pkg.nodes.node_x.handlers.
handler_y``, ``handlers.handler_y``, ``handler``); ``plan_layout`` turns each into a file:
inside the node package when a segment names the package folder or the module is
package-relative, in another package of the workspace when an ancestor folder carries the
module's first segment, and otherwise in the package itself, with a note saying so (the
contract then points outside the workspace). Pure: paths in, paths out, no disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath, PurePosixPath

from onex_lsp import layout
from onex_lsp.contract.model import Contract, Dialect, ModelRef, Operation
from onex_lsp.positions import Range

_SUBPACKAGES = frozenset({"handlers", "models", "registry", "protocols", "enums"})
# ``onex validate --strict`` (NamingConventionChecker) rejects class names containing these
# words, case-insensitively, unless the file sits in a folder named as below.
_ANTI_PATTERNS = (
    "Manager", "Handler", "Helper", "Utility", "Util", "Service", "Controller", "Processor",
    "Worker",
)  # fmt: skip
_EXEMPT_FOLDERS = frozenset({"handlers", "services", "errors"})


class HandlerStyle(StrEnum):
    FUNCTION = "function"  # ``async def handle_<op>(request, deps)`` (the strict layout)
    CLASS = "class"  # ``class Handler<X>: def handle(self, request) -> response``


class Shell(StrEnum):
    ROUTING = "routing"  # node.py routes ``execute(request)`` to handler functions
    THIN = "thin"  # a node class that builds the handlers and routes ``handle(request)``
    NONE = "none"  # the contract's default handler class is the node's entry point
    DECLARATIVE = "declarative"  # omnibase-core runs the node from the contract's YAML


@dataclass(frozen=True)
class Module:
    """A Python module of the plan: where it is written and how it is imported."""

    path: PurePosixPath  # relative to the plan's root
    dotted: str  # absolute name, for modules outside the package
    rel: str = ""  # dotted name inside the package ("handlers.handler_x"); "" outside

    @property
    def in_package(self) -> bool:
        return bool(self.rel) or self.dotted == ""

    def imported_from(self, importer: Module) -> str:
        """What follows ``from`` when ``importer`` imports this module."""
        if self.in_package and importer.in_package:
            return "." * (importer.rel.count(".") + 1) + self.rel
        return self.dotted


@dataclass(frozen=True)
class ClassRef:
    module: Module
    name: str


@dataclass(frozen=True)
class HandlerTarget:
    module: Module
    name: str  # a function (handle_x) or a class (HandlerX)
    style: HandlerStyle
    operations: tuple[str, ...]
    request: ClassRef


@dataclass(frozen=True)
class PlanNote:
    """Something the user should know about where a part goes (shown on the contract).

    ``data["replacement"]``, when given, is the text that replaces ``range`` to fix it.
    """

    code: str
    message: str
    range: Range
    data: dict[str, str] = field(default_factory=dict)
    warning: bool = False


@dataclass(frozen=True)
class PackagePlan:
    root: PurePath  # the folder every path of the plan is relative to
    package: PurePosixPath  # the node package folder, relative to root
    in_place: bool  # the contract already sits in that folder
    base: str  # the node's snake_case base name
    shell: Shell
    style: HandlerStyle
    node: ClassRef | None
    input_model: ClassRef
    output_model: ClassRef
    request_models: tuple[ClassRef, ...]  # per-operation request models besides input_model
    handlers: tuple[HandlerTarget, ...]
    tests: Module
    notes: tuple[PlanNote, ...]

    def in_package(self, rel: str) -> Module:
        """A module of the package by its package-relative dotted name."""
        path = self.package.joinpath(*rel.split(".")).with_suffix(".py")
        return Module(path, "", rel)

    @property
    def init(self) -> Module:
        return Module(self.package / "__init__.py", "", "")

    def handler_for(self, operation: str) -> HandlerTarget:
        return next(h for h in self.handlers if operation in h.operations)

    def operations(self) -> tuple[str, ...]:
        return tuple(op for h in self.handlers for op in h.operations)

    def code_paths(self) -> frozenset[str]:
        """The node, handler and model modules: the files that hold the user's code."""
        refs = [self.input_model, self.output_model, *self.request_models]
        paths = {str(r.module.path) for r in refs} | {str(h.module.path) for h in self.handlers}
        if self.node is not None:
            paths.add(str(self.node.module.path))
        return frozenset(paths)


@dataclass(frozen=True)
class Location:
    """Where the contract is, and the folder generation may write in."""

    contract: PurePath  # absolute path of contract.yaml
    root: PurePath  # the workspace root (or the CLI's output folder)
    out: PurePath | None = None  # a folder to create the package in, if not beside the contract


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
        if not all(p.isidentifier() for p in parts):
            return None
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
    _strict_naming_notes(contract, handlers, node, models, resolver.notes)
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


def _anti_pattern(name: str, path: PurePosixPath) -> str | None:
    if name.endswith(("Error", "Exception")) or _EXEMPT_FOLDERS & set(path.parts[:-1]):
        return None
    return next((word for word in _ANTI_PATTERNS if word.lower() in name.lower()), None)


def _strict_naming_notes(
    contract: Contract,
    handlers: list[HandlerTarget],
    node: ClassRef | None,
    models: dict[str, ClassRef],
    notes: list[PlanNote],
) -> None:
    """Classes ``onex validate --strict`` would reject where the contract puts them."""
    for target in handlers:
        word = (
            _anti_pattern(target.name, target.module.path)
            if target.style.value == "class"
            else None
        )
        if word is None:
            continue
        ref = next(op.handler for op in contract.operations if op.name in target.operations)
        data: dict[str, str] = {}
        if ref is not None and ref.module_range is not None and ref.module:
            moved = ".".join([*ref.module.split(".")[:-1], "handlers", ref.module.split(".")[-1]])
            data["replacement"] = f"{moved}:{ref.name}" if ref.module_range == ref.range else moved
        where = ref.module_range or ref.range if ref is not None else Range.point(0, 0)
        notes.append(
            PlanNote(
                "onex-validate-naming",
                f"`onex validate --strict` rejects the class name '{target.name}' (it contains "
                f"'{word}') outside a handlers/ folder; move its module into handlers/",
                where, data, warning=True,
            )
        )  # fmt: skip
    for cls in [node, *models.values()]:
        found = _anti_pattern(cls.name, cls.module.path) if cls is not None else None
        if cls is not None and found is not None:
            notes.append(
                PlanNote(
                    "onex-validate-naming",
                    f"`onex validate --strict` rejects the generated class name '{cls.name}' "
                    f"(it contains '{found}'); a node or model name without it avoids that",
                    _name_range(contract), warning=True,
                )
            )  # fmt: skip


def _name_range(contract: Contract) -> Range:
    for key in ("name", "node_name", "contract_name", "node_id"):
        if key in contract.key_ranges:
            return contract.key_ranges[key]
    return Range.point(0, 0)


def _node(contract: Contract, resolver: _Resolver, shell: Shell) -> ClassRef | None:
    if shell is Shell.NONE:
        return None
    if contract.dialect is Dialect.SCAFFOLD:
        module = layout.node_module_for_scaffold(contract.name, contract.kind)
        return ClassRef(resolver.package_module([module]), f"Node{layout.pascal(contract.name)}")
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
