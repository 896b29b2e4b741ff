"""What the templates read: one view of the node and one per handler, all checked names.

Views are plain frozen values computed from the contract, its package plan and the chosen
blocks. Every name in them is built by ``layout`` and checked by ``identifiers``; prose is
passed raw and made inert by the templates' filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from onex_lsp import layout
from onex_lsp.contract.model import Contract
from onex_lsp.english import article, singular
from onex_lsp.generation.blocks import EXECUTOR, PUBLISHER, REPOSITORY, STUB, is_async, spec
from onex_lsp.generation.detection import TRANSITIONS, lookup
from onex_lsp.generation.imports import Code
from onex_lsp.generation.package_plan import HandlerTarget, PackagePlan
from onex_lsp.generation.ranking import HandlerChoice
from onex_lsp.identifiers import split_words

TERMINAL_STATES = ("cancelled", "voided", "refunded", "revoked", "rejected", "expired", "archived")
# States a transition legitimately leaves although they are otherwise terminal.
_LEAVES = {"restore": {"archived"}, "reopen": {"cancelled"}, "unblock": set(), "resume": set()}


@dataclass(frozen=True)
class Dep:
    """A dependency a handler is handed: a parameter name, its protocol and its default."""

    param: str
    protocol: str
    default: str | None  # the in-memory implementation; None: must be injected


@dataclass(frozen=True)
class NodeView:
    name: str
    kind: str
    kind_title: str
    package: str
    class_name: str
    description: str
    input_class: str
    output_class: str
    operations: tuple[str, ...]
    deps: tuple[Dep, ...]  # every dependency some handler needs, in a fixed order
    repository: Dep
    executor: Dep
    publisher: Dep


@dataclass(frozen=True)
class HandlerView:
    operation: str  # the routing key, as the contract writes it
    ident: str  # its snake_case Python name
    block: str
    variant: str
    block_template: str
    test_template: str
    is_async: bool
    deps: tuple[Dep, ...]
    request_class: str
    output_class: str
    method: str  # handle_<op> (function), handle (one-operation class) or _<op>
    reason: str
    todo: str
    entity: str
    entity_article: str
    entity_key: str
    variant_message: str
    steps: tuple[str, ...]
    steps_name: str
    helper_prefix: str
    constant_prefix: str
    target_state: str
    blocked_from: tuple[str, ...]
    topic: str
    event_name: str
    required_fields: tuple[str, ...]
    learned_origin: str
    seeds: bool

    @property
    def def_keyword(self) -> Code:
        return Code("async def" if self.is_async else "def")


def _deps(base: str) -> dict[str, Dep]:
    return {
        REPOSITORY: Dep(
            REPOSITORY, layout.repository_protocol(base), layout.in_memory_repository(base)
        ),
        PUBLISHER: Dep(
            PUBLISHER, layout.publisher_protocol(base), layout.in_memory_publisher(base)
        ),
        EXECUTOR: Dep(EXECUTOR, layout.executor_protocol(base), None),
    }


def node_view(contract: Contract, plan: PackagePlan, blocks: list[str]) -> NodeView:
    deps = _deps(contract.name)
    needed = {need for block in blocks for need in spec(block).needs}
    return NodeView(
        name=contract.name,
        kind=contract.kind.value,
        kind_title=contract.kind.upper_name,
        package=plan.package.name,
        class_name=plan.node.name if plan.node else "",
        description=contract.description or f"The {contract.name} node.",
        input_class=plan.input_model.name,
        output_class=plan.output_model.name,
        operations=plan.operations(),
        deps=tuple(deps[d] for d in (REPOSITORY, PUBLISHER, EXECUTOR) if d in needed),
        repository=deps[REPOSITORY],
        executor=deps[EXECUTOR],
        publisher=deps[PUBLISHER],
    )


def entity_of(operation: str) -> str:
    """``void_invoice`` -> ``invoice``; ``list_purchase_orders`` -> ``purchase_order``."""
    words = split_words(operation)
    if len(words) > 1 and lookup(words[0]) is not None:
        words = words[1:]
    elif len(words) > 1 and lookup(words[-1]) is not None:
        words = words[:-1]  # node-named operations put the verb last: invoice_void
    words[-1] = singular(words[-1])
    return "_".join(words)


def _topic(contract: Contract, entity: str, event: str) -> str:
    if contract.publish_topics:
        return contract.publish_topics[0]
    producer = contract.name.replace("_", "-")
    return f"onex.evt.{producer}.{entity.replace('_', '-')}-{event}.v1"


def _verb(operation: str) -> str:
    words = split_words(operation)
    return next((w for w in words if w in TRANSITIONS), words[0] if words else "")


def _transition(operation: str) -> tuple[str, tuple[str, ...]]:
    verb = _verb(operation)
    target = TRANSITIONS.get(verb, "done")
    leaves = _LEAVES.get(verb, set())
    blocked = tuple(s for s in TERMINAL_STATES if s != target and s not in leaves)
    return target, blocked


def handler_view(
    contract: Contract,
    plan: PackagePlan,
    target: HandlerTarget,
    choice: HandlerChoice,
    threshold: float,
) -> HandlerView:
    op = choice.operation
    ident = layout.operation_ident(op)
    block = spec(choice.block)
    entity = entity_of(op)
    prose_entity = entity.replace("_", " ")
    shared = len(target.operations) > 1
    deps = _deps(contract.name)
    target_state, blocked = _transition(op) if choice.block == "state.transition" else ("", ())
    event = target_state or ("published" if choice.block == "messaging.publish" else "")
    return HandlerView(
        operation=op,
        ident=ident,
        block=choice.block,
        variant=choice.variant,
        block_template=f"blocks/{block.template}.py.j2",
        test_template=_test_template(choice, block.template),
        is_async=is_async(choice.block, contract.kind),
        deps=tuple(deps[d] for d in block.needs),
        request_class=target.request.name,
        output_class=plan.output_model.name,
        method=_method(target, op, shared),
        reason=f"{choice.reason} (confidence {choice.confidence:.2f})",
        todo=_todo(choice, threshold),
        entity=prose_entity,
        entity_article=article(prose_entity),
        entity_key=entity,
        variant_message=block.message or choice.variant,
        steps=(),
        steps_name=f"{ident.upper()}_STEPS" if shared else "STEPS",
        helper_prefix=f"_{ident}_" if shared else "_",
        constant_prefix=f"{ident.upper()}_" if shared else "",
        target_state=target_state,
        blocked_from=blocked,
        topic=_topic(contract, entity, event) if event else "",
        event_name=f"{entity}.{event}" if event else "",
        required_fields=contract.required_inputs if choice.block == "validation.validate" else (),
        learned_origin=choice.learned.origin if choice.learned else "",
        seeds=block.seeds,
    )


def _test_template(choice: HandlerChoice, template: str) -> str:
    """A learned block is the user's own code: its test only checks it is routed and answers."""
    if choice.learned:
        return "blocks/learned.test.py.j2"
    return f"blocks/{template}.test.py.j2"


def _todo(choice: HandlerChoice, threshold: float) -> str:
    """What a stub's TODO says: which operation, and why no pattern was chosen for it."""
    return (
        f"TODO(onex-lsp): implement {choice.operation}. No built-in pattern fits with "
        f"confidence >= {threshold:.2f} ({choice.reason})."
    )


def _method(target: HandlerTarget, operation: str, shared: bool) -> str:
    if target.style.value == "function":
        return target.name
    return layout.operation_method(operation) if shared else "handle"


def is_stub(choice: HandlerChoice) -> bool:
    return choice.block == STUB
