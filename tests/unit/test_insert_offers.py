"""Insert-pattern policy (generation/blocks.py verb families, generation/ranking.py
``insert_candidates``, feedback/offers.py titles): which blocks a handler is offered by
default, which only when the user asks for other verbs, and in which order."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.contract.schema import NodeKind
from onex_lsp.feedback.offers import more_patterns_title, other_verb_offers
from onex_lsp.generation.blocks import CATALOGUE, STUB, same_verb
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.drift import alternative_blocks
from onex_lsp.generation.offers import builtin_pick
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.generation.ranking import choose_handlers, insert_candidates, named_blocks
from onex_lsp.lsp.generation_jobs import Workbench, handler_package, insert_job, swap_job
from onex_lsp.workspace_fs import write_tree
from tests.conftest import MINIMAL_EFFECT, ROOT

EFFECT_CRUD = ("crud.create", "crud.read", "crud.list", "crud.update", "crud.delete", "crud.upsert")


@pytest.mark.parametrize(
    ("block", "other", "same"),
    [
        ("crud.create", "crud.upsert", True),
        ("crud.create", "crud.delete", False),
        ("crud.create", "crud.read", False),
        ("crud.update", "crud.upsert", True),
        ("crud.upsert", "crud.create", True),
        ("crud.read", "crud.list", True),
        ("crud.delete", "crud.update", False),
        ("transformation.normalize", "transformation.parse", True),
        ("transformation.parse", "validation.validate", False),
        ("aggregation.sum", "aggregation.mean", True),
        ("orchestration.workflow", "orchestration.step", True),
        ("crud.delete", STUB, True),
        (STUB, "messaging.publish", True),
    ],
)
def test_verb_families(block: str, other: str, same: bool) -> None:
    assert same_verb(block, other) is same


def test_every_block_but_the_stub_has_a_verb_family() -> None:
    assert all(same_verb(b, b) for b in CATALOGUE)
    assert not any(same_verb(b, "crud.delete") for b in CATALOGUE if b not in ("crud.delete", STUB))


@pytest.mark.parametrize(
    ("current", "kind", "verbs", "fitting", "default", "other"),
    [
        # A create handler: its verb family only, never a delete.
        ("crud.create", NodeKind.EFFECT, ["crud.create"], [b for b in EFFECT_CRUD if b != "crud.create"],
         ("crud.upsert",), ("crud.read", "crud.list", "crud.update", "crud.delete")),
        # A verb the name also carries stays in the menu, first.
        ("crud.update", NodeKind.EFFECT, ["crud.update", "crud.delete"], ["crud.create", "crud.delete", "crud.upsert"],
         ("crud.delete", "crud.upsert"), ("crud.create",)),
        # A stub whose name points at nothing: every block of its kind, the kind's own first.
        (STUB, NodeKind.REDUCER, [], ["validation.validate", "transformation.parse", "aggregation.sum"],
         ("aggregation.sum", "validation.validate", "transformation.parse"), ()),
        # A stub with a weak verb: that verb and its family first, the other verbs on request.
        (STUB, NodeKind.EFFECT, ["crud.create"], [*EFFECT_CRUD, "messaging.publish"],
         ("crud.create", "crud.upsert"), ("crud.read", "crud.list", "crud.update", "crud.delete", "messaging.publish")),
        # A verb of a block the node cannot host is no anchor.
        (STUB, NodeKind.COMPUTE, ["crud.create"], ["validation.validate", "transformation.parse"],
         ("validation.validate", "transformation.parse"), ()),
        # A COMPUTE block may go back to the stub.
        ("transformation.parse", NodeKind.COMPUTE, ["transformation.parse"],
         ["transformation.format", "validation.validate", STUB],
         ("transformation.format", STUB), ("validation.validate",)),
    ],
)  # fmt: skip
def test_insert_candidates(
    current: str,
    kind: NodeKind,
    verbs: list[str],
    fitting: list[str],
    default: tuple[str, ...],
    other: tuple[str, ...],
) -> None:
    found = insert_candidates(current, kind, verbs, fitting)
    assert (found.default, found.other_verbs) == (default, other)


def test_a_stub_named_after_a_weak_verb_is_offered_that_verb_first() -> None:
    """``user_create``: the verb is not the leading word, so its confidence is below the
    threshold and the handler is a stub; the menu still starts with a create block."""
    text = MINIMAL_EFFECT.replace("create_user", "user_create")
    contract = load_contract(text, "/w/contract.yaml").contract
    assert contract is not None
    detection = detect_contract(contract)
    (stub,) = choose_handlers(contract, detection, 0.7)
    assert stub.block == STUB
    found = insert_candidates(
        STUB,
        contract.kind,
        named_blocks(contract, detection, "user_create"),
        alternative_blocks(contract, stub),
    )
    assert found.default == ("crud.create", "crud.upsert")
    assert "crud.delete" in found.other_verbs and "state.transition" in found.other_verbs


def test_other_verb_offers_say_so_and_the_menu_entry_counts_them() -> None:
    (offer,) = other_verb_offers("create_user", ["crud.delete"])
    assert (
        offer.title == "Replace the create_user handler with the crud.delete block (another verb)"
    )
    assert offer.variant == builtin_pick("create_user", "crud.delete")
    assert not offer.preferred
    assert more_patterns_title("create_user", 4) == (
        "More patterns (other verbs)… — 4 block(s) that would change what create_user does"
    )


CORE_NODE = ROOT / "tests/fixtures/real/core/nodes/node_compliance_scan_compute"


def test_the_packaged_layouts_handler_module_takes_a_block(tmp_path: Path) -> None:
    """Real ONEX's packaged layout keeps the handler class in ``<package>/handler.py``:
    insert-pattern finds its package and operation, and the swap's module parses."""
    package = tmp_path / CORE_NODE.name
    package.mkdir()
    shutil.copy(CORE_NODE / "contract.yaml", package / "contract.yaml")
    contract = load_contract((package / "contract.yaml").read_text(), "contract.yaml").contract
    assert contract is not None
    write_tree(
        tmp_path, plan_package(contract, Location(package / "contract.yaml", tmp_path)).files
    )
    handler = package / "handler.py"
    assert handler_package(handler) == package
    assert handler_package(package / "models" / "model_x.py") is None
    bench = Workbench(0.7, {}, lambda *_: {}, (tmp_path,))
    found = insert_job(bench, handler, False)
    assert found is not None and found.operation == "compliance_scan"
    assert [o.variant for o in found.offers] == [builtin_pick("compliance_scan", STUB)]
    assert found.held_back > 0  # the other verbs' blocks, on request
    others = insert_job(bench, handler, False, other_verbs=True)
    assert others is not None and len(others.offers) == found.held_back
    swap = swap_job(bench, handler, found.offers[0].variant, False)
    assert swap is not None
    ast.parse(swap.text)
    assert "class NodeComplianceScanCompute:" in swap.text
