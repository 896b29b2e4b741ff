"""libyaml reads contracts faster and never changes what the server says about them.

``yaml_reader`` lets libyaml scan (depth) and compose where its nodes and marks are
PyYAML's; everything else goes to PyYAML. Each contract here must give the same
result, issues and ranges included, with and without libyaml.
"""

from __future__ import annotations

import pytest
import yaml

from onex_lsp.contract.reader import load_contract
from tests.conftest import EXAMPLES, ROOT

FIXTURES = sorted((ROOT / "tests" / "fixtures").rglob("*.yaml"))
EXAMPLE = EXAMPLES[0].read_text()
EDGES = {
    "no final newline": EXAMPLE.rstrip("\n"),
    "crlf": EXAMPLE.replace("\n", "\r\n"),
    "byte-order mark": "\ufeff" + EXAMPLE,
    "tab in a value": EXAMPLE.replace("description: ", "description:\t", 1),
    "tab before a key": EXAMPLE + "\tstray: 1\n",
    "syntax error": EXAMPLE + "bad: [unclosed\n",
    "non-ascii": EXAMPLE.replace("description: ", "description: ünïcödé 😀 ", 1),
    "too deep": "a: " + "[" * 80 + "]" * 80 + "\n",
}


def _read(text: str) -> str:
    result = load_contract(text, "ws/contract.yaml")
    return repr((result.issues, result.contract))


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize(
    "text",
    [p.read_text(encoding="utf-8") for p in [*EXAMPLES, *FIXTURES]] + list(EDGES.values()),
    ids=[p.name for p in [*EXAMPLES, *FIXTURES]] + list(EDGES),
)
def test_libyaml_and_pyyaml_read_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_libyaml = _read(text)
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert _read(text) == with_libyaml
