"""Every file of a generated package, from its plan and the chosen blocks.

Keys are POSIX paths relative to the plan's root; each value is the module's text before
formatting. Learned blocks replace whole handler modules in the function layout; the class
layout uses built-in blocks (a learned module is a function, not a method).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from onex_lsp.contract.model import Contract
from onex_lsp.generation import modules as mod
from onex_lsp.generation.blocks import EXECUTOR, PUBLISHER, REPOSITORY, blocks_needing, spec
from onex_lsp.generation.imports import ImportSet
from onex_lsp.generation.package_plan import (
    ClassRef,
    HandlerStyle,
    HandlerTarget,
    Module,
    PackagePlan,
    Shell,
)
from onex_lsp.generation.ranking import HandlerChoice, workflow_steps
from onex_lsp.generation.rendering import render
from onex_lsp.generation.views import HandlerView, NodeView, handler_view, node_view
from onex_lsp.identifiers import prose, py_string


def render_package(
    contract: Contract, plan: PackagePlan, choices: tuple[HandlerChoice, ...], threshold: float
) -> dict[str, str]:
    """Render every file of the package; keys are POSIX paths relative to ``plan.root``."""
    if plan.style is HandlerStyle.CLASS:
        choices = tuple(replace(c, learned=None) if c.learned else c for c in choices)
    node = node_view(contract, plan, [c.block for c in choices])
    steps = workflow_steps(choices)
    views = {}
    for choice in choices:
        view = handler_view(contract, plan, plan.handler_for(choice.operation), choice, threshold)
        views[choice.operation] = replace(view, steps=steps) if view.steps_name else view
    files: dict[str, str] = {}
    by_module: dict[PurePosixPath, list[HandlerTarget]] = {}
    for target in plan.handlers:
        by_module.setdefault(target.module.path, []).append(target)
    classes: list[mod.ClassView] = []
    for targets in by_module.values():
        module_views = [views[op] for t in targets for op in t.operations]
        text, made = _handler_module(plan, node, targets, module_views, choices)
        files[str(targets[0].module.path)] = text
        classes += made
    ordered = [t for targets in by_module.values() for t in targets]
    shell = mod.shell_view(plan, node, classes, ordered)
    files.update(_node_module(plan, node, shell, list(views.values())))
    files.update(_models(plan, node))
    files.update(_support(plan, node, [c.block for c in choices]))
    files.update(_package_inits(plan, node, ordered))
    files.update(_tests(plan, node, shell, [views[c.operation] for c in choices]))
    if not plan.in_place:
        text = contract.text if contract.text.endswith("\n") else contract.text + "\n"
        files[str(plan.package / "contract.yaml")] = text
    return files


def learned_handler_text(
    contract: Contract, plan: PackagePlan, choices: tuple[HandlerChoice, ...], operation: str
) -> str | None:
    """The handler module ``render_package`` writes for ``operation`` whose choice is
    learned, without rendering the rest; ``None`` where the package would not write the
    learned module as it is (the class layout, a module shared by operations)."""
    choice = next((c for c in choices if c.operation == operation), None)
    if plan.style is not HandlerStyle.FUNCTION or choice is None or choice.learned is None:
        return None
    target = plan.handler_for(operation)
    sharing = [t for t in plan.handlers if t.module.path == target.module.path]
    if len(sharing) != 1 or len(target.operations) != 1:
        return None
    return _learned_module(choice, node_view(contract, plan, [c.block for c in choices]))


def _title(targets: list[HandlerTarget], package: str) -> str:
    operations = ", ".join(py_string(op) for t in targets for op in t.operations)
    return f"Handler for {operations} in {package}."


def _handler_module(
    plan: PackagePlan,
    node: NodeView,
    targets: list[HandlerTarget],
    views: list[HandlerView],
    choices: tuple[HandlerChoice, ...],
) -> tuple[str, list[mod.ClassView]]:
    module = targets[0].module
    learned = {c.operation: c for c in choices if c.learned is not None}
    if plan.style is HandlerStyle.FUNCTION and len(views) == 1 and views[0].operation in learned:
        return _learned_module(learned[views[0].operation], node), []
    imports = ImportSet()
    mod.block_imports(imports, views)
    for target in targets:
        mod.add_class(imports, target.request, module)
    mod.add_class(imports, plan.output_model, module)
    reason = "; ".join(v.reason for v in views)
    if plan.style is HandlerStyle.FUNCTION:
        deps = tuple({d.param: d for v in views for d in v.deps}.values())
        mod.add_deps(imports, plan, deps, module, defaults=False)
        m = _ModuleView(_title(targets, node.package), reason, tuple(views), ())
        text = render(
            "layouts/functions/handler_module.py.j2", node=node, imports=imports.render(), m=m
        )
        return text, []
    classes = [
        mod.class_view(t, [v for v in views if v.operation in t.operations], plan) for t in targets
    ]
    for view_class in classes:
        mod.add_deps(imports, plan, view_class.deps, module, defaults=True)
        if view_class.routes or any(not d.default for d in view_class.deps):
            mod.add_errors(imports)
    m = _ModuleView(_title(targets, node.package), reason, tuple(views), tuple(classes))
    text = render("layouts/classes/handler_module.py.j2", node=node, imports=imports.render(), m=m)
    return text, classes


class _ModuleView:
    def __init__(
        self, title: str, reason: str, handlers: tuple[HandlerView, ...],
        classes: tuple[mod.ClassView, ...],
    ) -> None:  # fmt: skip
        self.title = title
        self.reason = reason
        self.handlers = handlers
        self.classes = classes


def _learned_module(choice: HandlerChoice, node: NodeView) -> str:
    """A learned handler re-rendered for this contract, under a header saying where from."""
    assert choice.learned is not None
    header = "\n".join(prose(f"{choice.reason}. Learned block {choice.learned.block_id}."))
    title = f"Handler for {py_string(choice.operation)} in {node.package}."
    return f'"""{title}\n\n{header}\n"""\n\n{choice.learned.module_text}'


def _node_module(
    plan: PackagePlan, node: NodeView, shell: mod.ShellView, views: list[HandlerView]
) -> dict[str, str]:
    if plan.node is None:
        return {}
    module = plan.node.module
    imports = mod.node_imports(plan, node, module)
    if plan.shell is Shell.ROUTING:
        for view in views:
            target = plan.handler_for(view.operation)
            imports.names(target.module.imported_from(module), [view.method])
    elif plan.shell is Shell.THIN:
        for view_class, target in zip(shell.handlers, _targets_in_order(plan, shell), strict=True):
            imports.names(target.module.imported_from(module), [view_class.name])
            if target.request.name != node.input_class:
                mod.add_class(imports, target.request, module)
    template = {
        Shell.ROUTING: "layouts/functions/node.py.j2",
        Shell.THIN: "layouts/classes/node.py.j2",
        Shell.DECLARATIVE: "layouts/declarative/node.py.j2",
    }[plan.shell]
    text = render(
        template, node=node, shell=shell, handlers=views, imports=imports.render(),
        entry=shell.entry, declarative_doc=_declarative_doc(plan),
    )  # fmt: skip
    return {str(module.path): text}


def _declarative_doc(plan: PackagePlan) -> str:
    return (
        "its operations, state machine or workflow are declared in contract.yaml"
        if (plan.shell is Shell.DECLARATIVE)
        else ""
    )


def _targets_in_order(plan: PackagePlan, shell: mod.ShellView) -> list[HandlerTarget]:
    by_name = {t.name: t for t in plan.handlers}
    return [by_name[c.name] for c in shell.handlers]


def _models(plan: PackagePlan, node: NodeView) -> dict[str, str]:
    if plan.shell is Shell.DECLARATIVE:
        return {}
    files: dict[str, str] = {}
    requests = [(plan.input_model, node.operations)] + [
        (m, tuple(op for h in plan.handlers if h.request == m for op in h.operations))
        for m in plan.request_models
    ]
    for ref, operations in requests:
        model = _ModelView(ref.name, operations)
        files[str(ref.module.path)] = render(
            "package/models/model_input.py.j2", node=node, model=model
        )
    files[str(plan.output_model.module.path)] = render(
        "package/models/model_output.py.j2", node=node, model=_ModelView(node.output_class, ())
    )
    in_models = [
        ref
        for ref, _ in [*requests, (plan.output_model, ())]
        if ref.module.rel.startswith("models.")
    ]
    if in_models:
        init = plan.in_package("models.__init__")
        imports = ImportSet()
        for ref in in_models:
            mod.add_class(imports, ref, init)
        files[str(init.path)] = render(
            "package/models/__init__.py.j2", node=node, imports=imports.render(),
            exports=[ref.name for ref in in_models],
        )  # fmt: skip
    return files


class _ModelView:
    def __init__(self, name: str, operations: tuple[str, ...]) -> None:
        self.name = name
        self.operations = operations


def _support(plan: PackagePlan, node: NodeView, blocks: list[str]) -> dict[str, str]:
    files: dict[str, str] = {}
    wanted = [
        (REPOSITORY, ("protocol_repository", "in_memory_repository")),
        (PUBLISHER, ("protocol_publisher", "in_memory_publisher")),
        (EXECUTOR, ("protocol_step_executor",)),
    ]
    deps = {dep.param: dep for dep in (node.repository, node.publisher, node.executor)}
    for need, templates in wanted:
        if not blocks_needing(need, blocks):
            continue
        dep = deps[need]
        for template, class_name in zip(templates, (dep.protocol, dep.default), strict=False):
            if class_name is None:
                continue
            module = plan.in_package(mod.support_module(plan, class_name))
            files[str(module.path)] = render(f"package/{template}.py.j2", node=node)
    return files


def _package_inits(
    plan: PackagePlan, node: NodeView, targets: list[HandlerTarget]
) -> dict[str, str]:
    files: dict[str, str] = {}
    init = plan.init
    imports = ImportSet()
    exports: list[str] = []
    entry = [plan.node] if plan.node else []
    if plan.shell is Shell.NONE:
        entry = [ClassRef(t.module, t.name) for t in targets if t.module.in_package]
    models = [] if plan.shell is Shell.DECLARATIVE else [plan.input_model, plan.output_model]
    for ref in [*entry, *(m for m in models if m.module.in_package)]:
        mod.add_class(imports, ref, init)
        exports.append(ref.name)
    files[str(init.path)] = render(
        "package/init.py.j2", node=node, imports=imports.render(), exports=exports
    )
    if any(t.module.rel.startswith("handlers.") for t in targets):
        handlers_init = plan.in_package("handlers.__init__")
        files[str(handlers_init.path)] = render("package/handlers/__init__.py.j2", node=node)
    return files


def _tests(
    plan: PackagePlan, node: NodeView, shell: mod.ShellView, views: list[HandlerView]
) -> dict[str, str]:
    module = plan.tests
    imports = ImportSet().module("pytest")
    uses_executor = any(d.param == EXECUTOR for d in node.deps)
    uses_publisher = any(d.param == PUBLISHER for d in node.deps)
    if uses_executor or uses_publisher:
        imports.names("typing", ["Any"])
    if uses_publisher:
        mod.add_deps(imports, plan, (node.publisher,), module, defaults=True, protocols=False)
    if plan.shell is Shell.DECLARATIVE:
        imports.names(mod.CONTAINER_MODULE, ["ModelONEXContainer"])
    else:
        _test_imports(plan, node, shell, views, imports, module)
    if plan.node is not None:
        mod.add_class(imports, plan.node, module)
    text = render(
        "package/tests/test_node.py.j2", node=node, shell=shell, handlers=views,
        imports=imports.render(), uses_executor=uses_executor, uses_publisher=uses_publisher,
        harness_class=node.class_name if plan.node is not None else "Harness",
    )  # fmt: skip
    init = plan.in_package("tests.__init__")
    return {str(init.path): "", str(module.path): text}


def _test_imports(
    plan: PackagePlan, node: NodeView, shell: mod.ShellView, views: list[HandlerView],
    imports: ImportSet, module: Module,
) -> None:  # fmt: skip
    routed = plan.shell in (Shell.ROUTING, Shell.THIN)
    if routed or any(spec(v.block).raises and not v.learned_origin for v in views):
        imports.names(mod.ERROR_MODULES[1], ["OnexError"])
    if routed:
        imports.names(mod.CONTAINER_MODULE, ["ModelONEXContainer"])
        if node.kind == "effect":
            imports.names(f"{mod.CORE_PACKAGE}.enums.enum_effect_types", ["EnumEffectType"])
            imports.names(f"{mod.CORE_PACKAGE}.nodes", ["ModelEffectInput"])
        elif node.kind == "compute":
            imports.names(f"{mod.CORE_PACKAGE}.nodes", ["ModelComputeInput"])
    mod.add_class(imports, plan.input_model, module)
    mod.add_class(imports, plan.output_model, module)
    if plan.shell is Shell.NONE:
        mod.add_deps(imports, plan, node.deps, module, defaults=True, protocols=False)
        for view_class, target in zip(shell.handlers, plan.handlers, strict=True):
            imports.names(target.module.imported_from(module), [view_class.name])
            if target.request.name != node.input_class:
                mod.add_class(imports, target.request, module)
