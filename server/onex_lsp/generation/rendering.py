"""Render a node package from Jinja2 templates.

The environment uses ``StrictUndefined`` and no autoescaping (this is Python, not
HTML). Contract values reach templates only through the filters defined here, which
call the one gate in ``identifiers``: ``ident`` (checked identifier), ``pystr``
(escaped string literal), ``doc``/``doc_inline``/``comment`` (prose made inert).
A test checks every ``{{ ... }}`` in every template ends in one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from onex_lsp.contract.reader import Contract
from onex_lsp.contract.schema import NodeKind
from onex_lsp.generation.ranking import STUB, HandlerChoice, workflow_steps
from onex_lsp.identifiers import (
    check_pascal,
    check_snake,
    is_snake_identifier,
    prose,
    py_string,
    to_pascal,
)

SAFE_FILTERS = frozenset({"ident", "pystr", "doc", "doc_inline", "comment"})

_BLOCK_TEMPLATES = {
    "crud.create": "patterns/crud/create",
    "crud.read": "patterns/crud/read",
    "crud.list": "patterns/crud/list",
    "crud.update": "patterns/crud/update",
    "crud.delete": "patterns/crud/delete",
    "crud.upsert": "patterns/crud/upsert",
    "transformation.normalize": "patterns/transformation/normalize",
    "transformation.parse": "patterns/transformation/parse",
    "transformation.format": "patterns/transformation/format",
    "transformation.convert": "patterns/transformation/convert",
    "aggregation.count": "patterns/aggregation/count",
    "aggregation.sum": "patterns/aggregation/numeric",
    "aggregation.mean": "patterns/aggregation/numeric",
    "aggregation.min": "patterns/aggregation/numeric",
    "aggregation.max": "patterns/aggregation/numeric",
    "aggregation.collect": "patterns/aggregation/collect",
    "orchestration.workflow": "patterns/orchestration/workflow",
    "orchestration.step": "patterns/orchestration/step",
    STUB: "patterns/stub/stub",
}
_MESSAGES = {
    "normalize": "normalised",
    "parse": "parsed",
    "format": "formatted",
    "convert": "reshaped",
    "sum": "sum",
    "mean": "mean",
    "min": "minimum",
    "max": "maximum",
}
_ASYNC_KINDS = frozenset({NodeKind.EFFECT, NodeKind.ORCHESTRATOR})


def templates_root() -> Path:
    """Templates ship inside the package; a source checkout links them there."""
    return Path(str(resources.files("onex_lsp") / "templates"))


def _ident(value: object) -> str:
    text = str(value)
    return check_pascal(text) if text[:1].isupper() else check_snake(text, "identifier")


def _doc(value: object, indent: str = "") -> str:
    return ("\n" + indent).join(prose(value))


def _doc_inline(value: object) -> str:
    return " ".join(prose(value, width=10_000))


def _comment(value: object, indent: str = "") -> str:
    return ("\n" + indent).join("# " + line for line in prose(value, width=76))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        ident=_ident,
        pystr=py_string,
        doc=_doc,
        doc_inline=_doc_inline,
        comment=_comment,
    )
    return env


@dataclass(frozen=True)
class NodeView:
    """Names and facts the node templates need, all checked identifiers."""

    name: str
    kind: str
    kind_title: str
    package: str
    class_name: str
    description: str
    operations_doc: str
    input_class: str
    output_class: str
    input_module: str
    output_module: str
    repository_protocol: str
    repository_module: str
    repository_service: str
    repository_service_module: str
    executor_protocol: str
    executor_module: str
    uses_repository: bool
    uses_executor: bool
    has_sync_dispatch: bool


@dataclass(frozen=True)
class HandlerView:
    operation: str
    function: str
    module: str
    block: str
    variant: str
    block_template: str
    test_template: str
    is_async: bool
    needs: str | None
    needs_any: bool
    needs_re: bool
    needs_json: bool
    raises: bool
    reason: str
    todo: str
    entity: str
    variant_message: str
    steps: tuple[str, ...]
    seeds: bool
    learned_origin: str


def _model_class(declared: str, fallback: str) -> str:
    """Use the class the contract names (last dotted part) when it is a Model* class."""
    last = declared.rsplit(".", 1)[-1]
    try:
        return check_pascal(last) if last.startswith("Model") else fallback
    except ValueError:
        return fallback


def node_view(contract: Contract, choices: Iterable[HandlerChoice]) -> NodeView:
    name = check_snake(contract.name, "contract name")
    pascal = to_pascal(name)
    kind = contract.kind
    blocks = [c.block for c in choices]
    return NodeView(
        name=name,
        kind=kind.value,
        kind_title=kind.upper_name,
        package=contract.package_name,
        class_name=f"Node{pascal}{kind.pascal}",
        description=contract.description,
        operations_doc="Operations are routed to one handler module each, as the contract's "
        f"handler_routing declares: {', '.join(c.operation for c in choices) or 'none'}.",
        input_class=_model_class(contract.input_model, f"Model{pascal}Input"),
        output_class=_model_class(contract.output_model, f"Model{pascal}Output"),
        input_module=f"model_{name}_input",
        output_module=f"model_{name}_output",
        repository_protocol=f"Protocol{pascal}Repository",
        repository_module=f"protocol_{name}_repository",
        repository_service=f"Service{pascal}InMemoryRepository",
        repository_service_module=f"service_{name}_in_memory_repository",
        executor_protocol=f"Protocol{pascal}StepExecutor",
        executor_module=f"protocol_{name}_step_executor",
        uses_repository=any(b.startswith("crud.") for b in blocks),
        uses_executor=any(b.startswith("orchestration.") for b in blocks),
        has_sync_dispatch=kind in (NodeKind.COMPUTE, NodeKind.REDUCER),
    )


def block_shape(block: str, kind: NodeKind) -> tuple[str | None, bool]:
    """(injected dependency, async?) of a block: handlers can only swap for the same shape."""
    family = block.split(".", 1)[0]
    needs = "repository" if family == "crud" else "executor" if family == "orchestration" else None
    is_async = family in ("crud", "orchestration") or (block == STUB and kind in _ASYNC_KINDS)
    return needs, is_async


def handler_view(
    choice: HandlerChoice, kind: NodeKind, steps: tuple[str, ...], threshold: float
) -> HandlerView:
    op = check_snake(choice.operation, "operation")
    block = choice.block
    template = _BLOCK_TEMPLATES[block]
    family = block.split(".", 1)[0]
    words = op.split("_")
    entity = " ".join(words[1:]) if len(words) > 1 else op
    return HandlerView(
        operation=op,
        function=f"handle_{op}",
        module=f"handler_{op}",
        block=block,
        variant=choice.variant,
        block_template=f"{template}.py.j2",
        test_template=(
            "patterns/learned.test.py.j2" if choice.learned else f"{template}.test.py.j2"
        ),
        is_async=block_shape(block, kind)[1],
        needs=block_shape(block, kind)[0],
        needs_any=block in ("orchestration.workflow",)
        or block.startswith(("transformation.", "aggregation.")),
        needs_re=block in ("transformation.normalize", "transformation.parse"),
        needs_json=block == "transformation.format",
        raises=family == "crud" and block != "crud.list",
        reason=f"{choice.reason} (confidence {choice.confidence:.2f})",
        todo=(
            f"TODO(onex-lsp): implement {op}. No built-in pattern fits with "
            f"confidence >= {threshold:.2f} ({choice.reason})."
        ),
        entity=entity,
        variant_message=_MESSAGES.get(choice.variant, choice.variant),
        steps=steps if block == "orchestration.workflow" else (),
        seeds=block in ("crud.read", "crud.update", "crud.delete", "crud.list"),
        learned_origin=choice.learned.origin if choice.learned else "",
    )


def learned_module(contract: Contract, node: NodeView, choice: HandlerChoice) -> str:
    """A learned handler re-rendered for this contract, under a header saying where from."""
    assert choice.learned is not None
    body = choice.learned.module_text
    header = _doc(f"{choice.reason}. Learned block {choice.learned.block_id}.")
    title = f"Handler for {py_string(choice.operation)} in {node.package}."
    return f'"""{title}\n\n{header}\n"""\n\n{body}'


def render_package(
    contract: Contract, choices: tuple[HandlerChoice, ...], threshold: float
) -> dict[str, str]:
    """Render every file of ``node_<name>_<kind>/``; keys are POSIX paths inside it."""
    env = environment()
    node = node_view(contract, choices)
    steps = workflow_steps(choices)
    handlers = [handler_view(c, contract.kind, steps, threshold) for c in choices]
    context = {"node": node, "handlers": handlers}

    def render(template: str) -> str:
        return env.get_template(f"node/{template}").render(context)

    files: dict[str, str] = {
        "__init__.py": render("init.py.j2"),
        "node.py": render("node.py.j2"),
        "models/__init__.py": render("models/__init__.py.j2"),
        f"models/{node.input_module}.py": render("models/model_input.py.j2"),
        f"models/{node.output_module}.py": render("models/model_output.py.j2"),
        "handlers/__init__.py": render("handlers/__init__.py.j2"),
        "tests/__init__.py": "",
        f"tests/test_{node.package}.py": render("tests/test_node.py.j2"),
        "contract.yaml": contract.text if contract.text.endswith("\n") else contract.text + "\n",
    }
    handler_template = env.get_template("node/handler_module.py.j2")
    for view, choice in zip(handlers, choices, strict=True):
        if choice.learned is not None:
            files[f"handlers/{view.module}.py"] = learned_module(contract, node, choice)
        else:
            files[f"handlers/{view.module}.py"] = handler_template.render(node=node, h=view)
    if node.uses_repository:
        files[f"{node.repository_module}.py"] = render("protocol_repository.py.j2")
        files[f"{node.repository_service_module}.py"] = render("service_in_memory_repository.py.j2")
    if node.uses_executor:
        files[f"{node.executor_module}.py"] = render("protocol_step_executor.py.j2")
    for path in files:
        if not all(
            is_snake_identifier(part.removesuffix(".py"))
            or part in ("__init__.py", "contract.yaml")
            for part in path.split("/")
        ):
            raise ValueError(f"refusing to render an unsafe path: {path!r}")
    return files
