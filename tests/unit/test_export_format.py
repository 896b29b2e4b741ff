"""One block or one family in the ``patterns export`` format (the pattern library view's
"Export"), readable by ``patterns import``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from onex_lsp.cli.importing import read_export
from onex_lsp.learning.export_format import events_of, export_lines, selected_blocks
from onex_lsp.learning.learned_block import LearnedBlock

HANDLER = "async def handle(record):\n    return await repository.create(record)\n"


def block(block_id: str, parent: str | None) -> LearnedBlock:
    return LearnedBlock(
        block_id, f"fp-{block_id}", "handler", "crud.create", "effect", "create_x", None, True,
        HANDLER, HANDLER, f"/w/{block_id}.py", (3, 0, 5, 0), 0.0, "", parent_id=parent,
    )  # fmt: skip


# a <- b <- c is one family (rooted at a); d came from a built-in block: a family alone
BLOCKS = [
    block("a", "builtin:crud.create"),
    block("b", "learned:a"),
    block("d", "builtin:crud.create"),
    block("c", "learned:b"),
]


@pytest.mark.parametrize(
    ("chosen", "family", "ids"),
    [
        ("b", False, ["b"]),
        ("b", True, ["a", "b", "c"]),
        ("c", True, ["a", "b", "c"]),
        ("d", True, ["d"]),
        ("gone", True, []),
    ],
)
def test_a_block_or_its_family(chosen: str, family: bool, ids: list[str]) -> None:
    assert [b.id for b in selected_blocks(BLOCKS, chosen, family)] == ids


def test_the_lines_are_what_patterns_import_reads(tmp_path: Path) -> None:
    chosen = selected_blocks(BLOCKS, "a", True)
    events = [
        {"type": "applied", "pattern": "learned:b", "at": 1.0},
        {"type": "applied", "pattern": "learned:zzz", "at": 2.0},
        {"type": "outcome", "pattern": "builtin:crud.create", "at": 3.0},
    ]
    about = events_of(chosen, events)
    assert about == [events[0]]
    exported = tmp_path / "family.jsonl"
    exported.write_text("".join(export_lines(chosen, about)))
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [next(iter(line)) for line in lines] == ["block", "block", "block", "event"]
    plan = read_export(exported, io.StringIO())
    assert len(plan.blocks) == 3 and plan.events == 1 and plan.unreadable == 0
