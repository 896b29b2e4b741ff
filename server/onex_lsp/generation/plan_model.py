"""The values a package plan is made of: modules, classes, handlers, notes, the plan.

Plain frozen data, shared by the planner (``package_plan``), the checks that read a plan
(``strict_naming``) and rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath, PurePosixPath

from onex_lsp.positions import Range


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
