"""The views and import blocks of each generated module, for every shell and handler style.

Imports are computed here rather than in templates: a module imports exactly what its code
uses (ruff's F401 and isort rules run on generated code), relatively inside the node
package and by the contract's dotted name outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from onex_lsp import layout
from onex_lsp.generation.blocks import spec
from onex_lsp.generation.imports import Code, ImportSet
from onex_lsp.generation.package_plan import ClassRef, HandlerTarget, Module, PackagePlan, Shell
from onex_lsp.generation.views import Dep, HandlerView, NodeView

CORE_PACKAGE = "omnibase_core"
ERROR_MODULES = (f"{CORE_PACKAGE}.enums.enum_core_error_code", f"{CORE_PACKAGE}.errors")
CONTAINER_MODULE = f"{CORE_PACKAGE}.models.container.model_onex_container"
_BASES = {
    "effect": "NodeEffect",
    "compute": "NodeCompute[dict[str, Any], dict[str, Any]]",
    "reducer": "NodeReducer[dict[str, Any], dict[str, Any]]",
    "orchestrator": "NodeOrchestrator",
}


@dataclass(frozen=True)
class RouteView:
    operation: str
    attr: str  # the node attribute holding the handler object
    is_async: bool
    argument: Code  # ``request``, or the request converted to the handler's own model


@dataclass(frozen=True)
class ClassView:
    name: str
    attr: str
    operations_doc: str
    deps: tuple[Dep, ...]
    deps_doc: str
    routes: bool  # serves several operations: ``handle`` routes to one method each
    is_async: bool
    request_class: str
    output_class: str
    handlers: tuple[HandlerView, ...]

    @property
    def def_keyword(self) -> Code:
        return Code("async def" if self.is_async else "def")


@dataclass(frozen=True)
class ShellView:
    kind: str
    base: Code
    entry: str  # the routing method tests call
    sync_dispatch: bool
    operations_doc: str
    routes: tuple[RouteView, ...]
    handlers: tuple[ClassView, ...]


def add_errors(imports: ImportSet) -> None:
    imports.names(ERROR_MODULES[0], ["EnumCoreErrorCode"]).names(ERROR_MODULES[1], ["OnexError"])


def add_class(imports: ImportSet, ref: ClassRef, importer: Module) -> None:
    imports.names(ref.module.imported_from(importer), [ref.name])


def add_deps(
    imports: ImportSet,
    plan: PackagePlan,
    deps: tuple[Dep, ...],
    importer: Module,
    *,
    defaults: bool,
    protocols: bool = True,
) -> None:
    """Import the protocols of ``deps`` and, with ``defaults``, their in-memory classes."""
    for dep in deps:
        if protocols:
            module = plan.in_package(support_module(plan, dep.protocol))
            imports.names(module.imported_from(importer), [dep.protocol])
        if defaults and dep.default:
            module = plan.in_package(support_module(plan, dep.default))
            imports.names(module.imported_from(importer), [dep.default])


def support_module(plan: PackagePlan, class_name: str) -> str:
    """The package-relative module of a protocol or in-memory implementation class."""
    base = plan.base
    modules = {
        layout.repository_protocol(base): layout.repository_protocol_module(base),
        layout.in_memory_repository(base): layout.in_memory_repository_module(base),
        layout.executor_protocol(base): layout.executor_protocol_module(base),
        layout.publisher_protocol(base): layout.publisher_protocol_module(base),
        layout.in_memory_publisher(base): layout.in_memory_publisher_module(base),
    }
    return modules[class_name]


def block_imports(imports: ImportSet, views: list[HandlerView]) -> None:
    for view in views:
        block = spec(view.block)
        for module in block.imports:
            imports.module(module)
        if block.uses_any:
            imports.names("typing", ["Any"])
        if block.raises:
            add_errors(imports)


def class_view(target: HandlerTarget, views: list[HandlerView], plan: PackagePlan) -> ClassView:
    deps: dict[str, Dep] = {}
    for view in views:
        deps.update({dep.param: dep for dep in view.deps})
    ordered = tuple(deps[p] for p in ("repository", "publisher", "executor") if p in deps)
    names = ", ".join(f"'{op}'" for op in target.operations)
    injected = ", ".join(dep.param for dep in ordered)
    defaults = [dep.param for dep in ordered if dep.default]
    doc = f"Dependencies ({injected}) are injected by keyword."
    if defaults:
        doc += (
            f" Without one, {' and '.join(defaults)} default to in-memory implementations "
            "(each handler its own: inject shared ones in production)."
        )
    return ClassView(
        name=target.name,
        attr="_" + layout.snake(target.name),
        operations_doc=names,
        deps=ordered,
        deps_doc=doc,
        routes=len(views) > 1,
        is_async=any(v.is_async for v in views),
        request_class=target.request.name,
        output_class=plan.output_model.name,
        handlers=tuple(views),
    )


def shell_view(
    plan: PackagePlan, node: NodeView, classes: list[ClassView], targets: list[HandlerTarget]
) -> ShellView:
    routes = []
    for view_class, target in zip(classes, targets if classes else [], strict=True):
        convert = target.request.name != node.input_class
        argument = (
            Code(f"{target.request.name}.model_validate(request.model_dump())")
            if convert
            else Code("request")
        )
        for handler in view_class.handlers:
            routes.append(
                RouteView(handler.operation, view_class.attr, view_class.is_async, argument)
            )
    ops = ", ".join(node.operations) or "none"
    doc = (
        f"Operations are routed to their handlers, as the contract declares: {ops}."
        if plan.shell is not Shell.DECLARATIVE
        else "no handler code of its own."
    )
    return ShellView(
        kind=plan.shell.value,
        base=Code(_BASES[node.kind]),
        entry="execute" if plan.shell is Shell.ROUTING else "handle",
        sync_dispatch=node.kind in ("compute", "reducer"),
        operations_doc=doc,
        routes=tuple(routes),
        handlers=tuple(classes),
    )


def node_imports(plan: PackagePlan, node: NodeView, importer: Module) -> ImportSet:
    """What a node module (routing, thin or declarative) imports from the framework."""
    imports = ImportSet()
    kind = node.kind
    if plan.shell is not Shell.DECLARATIVE:
        add_errors(imports)
        if kind == "effect":
            imports.module("time")
            imports.names(f"{CORE_PACKAGE}.enums.enum_effect_types", ["EnumTransactionState"])
            imports.names(f"{CORE_PACKAGE}.nodes", ["ModelEffectInput", "ModelEffectOutput"])
        if kind != "orchestrator":
            imports.names("typing", ["Any"])
    elif kind in ("compute", "reducer"):
        imports.names("typing", ["Any"])
    imports.names(CONTAINER_MODULE, ["ModelONEXContainer"])
    imports.names(f"{CORE_PACKAGE}.nodes", [_BASES[kind].split("[")[0]])
    if plan.shell is not Shell.DECLARATIVE:
        add_class(imports, plan.input_model, importer)
        add_class(imports, plan.output_model, importer)
        add_deps(imports, plan, node.deps, importer, defaults=True)
    return imports
