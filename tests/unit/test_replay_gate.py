"""The replay gate: a learned block re-rendered for a new contract must import in that
contract's package before it may be the default (generation/replay_gate.py, the policy
in generation/ranking.py and feedback/, the cache in lsp/replay_gates.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

import pytest

from onex_lsp.contract.model import Contract
from onex_lsp.contract.reader import load_contract
from onex_lsp.feedback.offers import GenerateSituation, generate_offers
from onex_lsp.feedback.ranking import gate_learned
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_plan import Location, PackagePlan, plan_layout
from onex_lsp.generation.ranking import LearnedOption, apply_learned, choose_handlers
from onex_lsp.generation.replay_gate import replay_package, replay_packages, static_verdict
from onex_lsp.learning.blocks import blocks_from_source
from onex_lsp.learning.library import learned_option
from onex_lsp.lsp.replay_gates import ReplayGates
from tests.conftest import generate, package_files

WORKSPACE = PurePosixPath("/workspace")
UNDEFINED_LOG = "`log`, undefined in the generated module"


def contract_text(entity: str) -> str:
    cap = entity.capitalize()
    return (
        f"name: {entity}_book\ncontract_version: {{major: 1, minor: 0, patch: 0}}\n"
        f"description: Keeps {entity} records.\nnode_type: EFFECT_GENERIC\n"
        f"input_model: Model{cap}BookInput\noutput_model: Model{cap}BookOutput\n"
        "handler_routing:\n  version: {major: 1, minor: 0, patch: 0}\n"
        "  routing_strategy: operation_match\n  handlers:\n"
        f"    - operation: create_{entity}\n"
        f"      handler: {{name: handle_create_{entity}, module: handlers.handler_create_{entity}}}\n"
    )


def contract_of(entity: str) -> tuple[Contract, PackagePlan]:
    path = WORKSPACE / entity / "contract.yaml"
    contract = load_contract(contract_text(entity), str(path)).contract
    assert contract is not None
    return contract, plan_layout(contract, Location(path, WORKSPACE))


BUILTIN = package_files(generate(contract_text("user")))["handlers/handler_create_user.py"]
STORE = "    stored = await repository.create(record)\n"
# Styles a user may save: each is the built-in create handler with one change.
FINE = BUILTIN.replace(STORE, '    record.setdefault("status", "active")\n' + STORE)
# ``log`` comes from a star import, which learned code never carries.
USES_LOG = BUILTIN.replace(
    "from omnibase_core.errors import OnexError\n",
    "from omnibase_core.errors import OnexError\nfrom .logging_setup import *\n",
).replace(STORE, '    log.info("creating a user")\n' + STORE)
SIBLING_MODULE = BUILTIN.replace(
    "from omnibase_core.errors import OnexError\n",
    "from omnibase_core.errors import OnexError\n\nfrom ..helpers import clean\n",
).replace(STORE, "    record = clean(record)\n" + STORE)


def learned(source: str) -> LearnedOption:
    """The handler learned from ``source`` (in the user package), offered for the order book."""
    path = "/seed/node_user_book_effect/handlers/handler_create_user.py"
    (block,) = [b for b in blocks_from_source(source, path).blocks if b.kind == "handler"]
    contract, plan = contract_of("order")
    option = learned_option(block, contract, plan, "create_order", 0.95)
    assert option is not None
    return option


def verdict(source: str) -> str:
    contract, plan = contract_of("order")
    return static_verdict(replay_package(contract, plan, 0.7, "create_order", learned(source)))


def test_a_block_that_uses_names_of_the_generated_package_passes() -> None:
    assert verdict(FINE) == ""


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (USES_LOG, f"uses {UNDEFINED_LOG}"),
        (SIBLING_MODULE, "imports `..helpers`, which the generated package does not have"),
    ],
)
def test_a_block_that_would_not_import_fails_and_says_why(source: str, reason: str) -> None:
    assert verdict(source) == reason


def test_a_name_the_packages_module_does_not_define_fails() -> None:
    contract, plan = contract_of("order")
    option = learned(FINE)
    text = option.module_text.replace(
        "import ModelOrderBookInput", "import ModelOrderBookInput, ModelOrderExtra"
    )
    assert text != option.module_text
    replay = replay_package(contract, plan, 0.7, "create_order", replace(option, module_text=text))
    assert static_verdict(replay) == (
        "imports `ModelOrderExtra` from `..models.model_order_book_input`, which does not define it"
    )


def test_module_level_names_of_every_scope_are_checked() -> None:
    contract, plan = contract_of("order")
    option = learned(FINE)
    helper = (
        "\n\nclass Audit:\n    level = LEVEL\n\n    def note(self) -> None:\n"
        "        global seen\n        seen = tracer\n"
    )
    replay = replay_package(
        contract,
        plan,
        0.7,
        "create_order",
        replace(option, module_text=option.module_text + helper),
    )
    assert static_verdict(replay) == "uses `LEVEL`, `tracer`, undefined in the generated module"


def test_a_block_that_does_not_parse_or_define_the_handler_fails() -> None:
    contract, plan = contract_of("order")
    option = learned(FINE)
    broken = replace(option, module_text="def handle_create_order(:\n    pass\n")
    renamed = replace(option, module_text="async def handle_other() -> None:\n    pass\n")
    checks = [replay_package(contract, plan, 0.7, "create_order", o) for o in (broken, renamed)]
    assert static_verdict(checks[0]).startswith("does not parse (SyntaxError on line")
    assert (
        static_verdict(checks[1]) == "does not define `handle_create_order`, which the node calls"
    )


# -- policy: the verdict is data the default is chosen from ---------------------------------

CONTRACT, PLAN = contract_of("order")
DETECTION = detect_contract(CONTRACT)
CHOICES = choose_handlers(CONTRACT, DETECTION, 0.7)
GOOD = LearnedOption("good", "...", "handle_create_user in a/handlers/x.py", 0.90)
BEST = LearnedOption("best", "...", "handle_create_user in b/handlers/y.py", 0.99)
FAILED = replace(BEST, gate=f"uses {UNDEFINED_LOG}")


@pytest.mark.parametrize(
    ("options", "default"),
    [
        ([BEST, GOOD], "best"),  # through the gate: the best one
        ([FAILED, GOOD], "good"),  # the best one fails the gate: the next one
        ([FAILED], None),  # only a failing one: the built-in block
        ([replace(GOOD, gate="importing it in the generated package fails (...)")], None),
    ],
)
def test_a_block_failing_the_gate_is_never_the_default(
    options: list[LearnedOption], default: str | None
) -> None:
    (choice,) = apply_learned(CHOICES, {"create_order": options})
    assert (choice.learned.block_id if choice.learned else None) == default


def test_the_users_own_pick_is_rendered_even_when_it_failed_the_gate() -> None:
    (choice,) = apply_learned(CHOICES, {"create_order": [FAILED]}, {"create_order": FAILED})
    assert choice.learned == FAILED


def test_verdicts_are_set_per_operation_and_block() -> None:
    options = {"create_order": [BEST, GOOD], "get_order": [BEST]}
    verdicts = {("create_order", "best"): "uses `log`, undefined in the generated module"}
    gated = gate_learned(options, verdicts)
    assert [o.gate for o in gated["create_order"]] == [verdicts[("create_order", "best")], ""]
    assert gated["get_order"][0].gate == ""  # rendered for another operation: judged apart


def test_a_failing_block_is_offered_as_an_alternative_whose_title_says_why() -> None:
    options = {"create_order": [FAILED]}
    choices = apply_learned(CHOICES, options)
    offers = generate_offers(GenerateSituation(CONTRACT, DETECTION, choices, options, 0), {})
    assert "your learned blocks" not in offers[0].title and offers[0].preferred
    (alternative,) = [o for o in offers if "learned from" in o.title]
    assert alternative.title.endswith(f"— not the default: uses {UNDEFINED_LOG}")
    assert not alternative.preferred


# -- the server's cache ----------------------------------------------------------------------


def test_verdicts_are_computed_once_per_block_and_rendered_contract() -> None:
    calls: list[str] = []
    # the failing block ranks first, so the one below it is checked too
    fine = replace(learned(FINE), similarity=0.9)
    uses_log = replace(learned(USES_LOG), block_id="uses-log")

    def library(contract: Contract, plan: PackagePlan, threshold: float) -> Any:
        calls.append(contract.name)
        return {"create_order": [fine, uses_log]}

    gates = ReplayGates()
    gated = gates.gated(library, lambda: None)
    first = gated(CONTRACT, PLAN, 0.7)
    assert [o.gate for o in first["create_order"]] == ["", f"uses {UNDEFINED_LOG}"]
    checked = gates.checked
    assert gated(CONTRACT, PLAN, 0.7) == first and gates.checked == checked == 2
    # prose reaches generated code only as escaped literals: a description edit re-checks nothing
    operations = tuple(replace(o, description="Revised.") for o in CONTRACT.operations)
    described = replace(
        CONTRACT, text=CONTRACT.text + "# edited\n", description="Revised.", operations=operations
    )
    gated(described, PLAN, 0.7)
    assert gates.checked == 2
    gated(replace(CONTRACT, version=(2, 0, 0)), PLAN, 0.7)
    assert gates.checked == 4 and calls == ["order_book"] * 4


def test_options_below_a_passing_one_are_not_rendered() -> None:
    """Only what can be the default is judged: the best option that may be the default
    passes, so the ones ranked below it (never the default) are not rendered; options
    that cannot be the default anyway (reverted twice) are not rendered either."""
    best = learned(FINE)
    lower = replace(learned(USES_LOG), block_id="lower", similarity=0.5)
    demoted = replace(learned(USES_LOG), block_id="demoted", not_preferred=True)
    gates = ReplayGates()
    gated = gates.gated(lambda c, p, t: {"create_order": [lower, demoted, best]}, lambda: None)
    judged = gated(CONTRACT, PLAN, 0.7)
    assert gates.checked == 1
    assert [o.gate for o in judged["create_order"]] == ["", "", ""]
    choices = choose_handlers(CONTRACT, detect_contract(CONTRACT), 0.7)
    (chosen,) = [c for c in apply_learned(choices, judged) if c.operation == "create_order"]
    assert chosen.learned is not None and chosen.learned.block_id == best.block_id


@pytest.mark.parametrize("source", [BUILTIN, FINE, USES_LOG, SIBLING_MODULE])
def test_one_render_for_many_replays_judges_as_a_full_render_does(source: str) -> None:
    """The gate renders the package once and swaps each learned handler in: the handler
    module and the verdict are the ones a full render of that package gives."""
    contract, plan = contract_of("order")
    option = learned(source)
    (fast,) = replay_packages(contract, plan, 0.7, [("create_order", option)])
    full = replay_package(contract, plan, 0.7, "create_order", option)
    assert fast.files[fast.module] == full.files[full.module]
    assert static_verdict(fast) == static_verdict(full)
    assert (fast.module, fast.handler, fast.package) == (full.module, full.handler, full.package)
