"""Which journalled saves are still to be learned (table)."""

from __future__ import annotations

from typing import Any

import pytest

from onex_lsp.learning.lineage import Origin
from onex_lsp.learning.pending_saves import (
    LEARNED,
    PENDING,
    PendingSave,
    pending_payload,
    unlearned,
)


def _pending(seq: int, path: str = "/ws/a.py") -> dict[str, Any]:
    return {"seq": seq, "type": PENDING, "path": path, "source": f"# {seq}", "origins": []}


def _learned(seq: int, of: int) -> dict[str, Any]:
    return {"seq": seq, "type": LEARNED, "pending": of}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], []),
        ([_pending(1)], [1]),
        ([_pending(1), _learned(2, 1)], []),
        ([_pending(1), _pending(2), _learned(3, 1)], [2]),
        ([_pending(1), {"seq": 2, "type": "applied"}, _pending(3)], [1, 3]),
        ([{"seq": 1, "type": PENDING, "path": 3, "source": None}], []),  # damaged: skipped
    ],
)
def test_unlearned_saves(events: list[dict[str, Any]], expected: list[int]) -> None:
    assert [save.seq for save in unlearned(events)] == expected


def test_a_pending_save_carries_what_learning_needs() -> None:
    """Its lineage too: the followed blocks the file held, as the payload records them."""
    origins = (Origin(3, 9, "builtin:crud.create"), Origin(12, 20, "learned:abc", learn=False))
    payload = pending_payload("/ws/h.py", "# 7", origins)
    event = {"seq": 7, "type": PENDING, **payload}
    assert unlearned([event]) == [PendingSave(7, "/ws/h.py", "# 7", origins)]
    damaged = {**event, "origins": [{"first_line": "x"}]}
    assert unlearned([damaged]) == [PendingSave(7, "/ws/h.py", "# 7", ())]
