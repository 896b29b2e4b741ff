"""Generating over existing files: scaffold placeholders are filled, user code is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from onex_lsp.generation.existing import blocking, is_stub, reconcile
from tests.conftest import ROOT

SCAFFOLD = ROOT / "tests" / "fixtures" / "real" / "scaffold" / "effect" / "invoice-ledger"


@pytest.mark.parametrize(
    "path", sorted(SCAFFOLD.rglob("*.py")), ids=lambda p: p.relative_to(SCAFFOLD).as_posix()
)
def test_every_file_onex_new_node_writes_is_a_stub(path: Path) -> None:
    assert is_stub(path.read_text())


@pytest.mark.parametrize(
    "text",
    [
        "ANSWER = 42\n",
        "def handle(request):\n    return compute(request)\n",
        "class HandlerX:\n    def handle(self, request):\n        return Out(value=1)\n",
        "from pydantic import BaseModel\n\nclass ModelX(BaseModel):\n    name: str\n",
        "def broken(:\n",
    ],
    ids=["constant", "logic", "result", "model-field", "syntax-error"],
)
def test_anything_more_is_the_users_code(text: str) -> None:
    assert not is_stub(text)


def test_reconcile_creates_fills_keeps_and_skips() -> None:
    files = {"a.py": "A = 1\n", "b.py": "B = 2\n", "c.py": "C = 3\n", "d.py": "D = 4\n"}
    existing = {"a.py": None, "b.py": "", "c.py": "MINE = 1\n", "d.py": "D = 4\n"}
    result = reconcile(files, existing)
    assert result.create == {"a.py": "A = 1\n"}
    assert result.replace == {"b.py": "B = 2\n"}
    assert result.kept == ("c.py",)
    assert result.unchanged == ("d.py",)
    assert blocking(frozenset({"c.py"}), result) == ("c.py",)
    assert blocking(frozenset({"a.py"}), result) == ()
    forced = reconcile(files, existing, force=True)
    assert forced.replace == {"b.py": "B = 2\n", "c.py": "C = 3\n"}
