"""One home for the generated package's names: only ``layout.py`` spells their formats."""

from __future__ import annotations

import re

from tests.conftest import ROOT

PACKAGE = ROOT / "server" / "onex_lsp"
# Spellings of generated names: handler modules/functions/classes, models, protocols,
# in-memory adapters, node classes and folders, and the feedback keys of blocks.
NAME_FORMATS = re.compile(
    r"""f["'](?:handler_|handle_|Handler|Model|Protocol|InMemory|Node|node_|model_|protocol_|in_memory_)\{"""
    r"""|["'](?:handle_|handler_|builtin:|learned:)["']"""
    r"""|\^node_\("""
)


def _offenders() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "layout.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if NAME_FORMATS.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_only_layout_formats_generated_names() -> None:
    assert _offenders() == []


def test_the_check_sees_a_format_spelled_elsewhere() -> None:
    """The pattern catches the spellings it is there for (the test cannot pass vacuously)."""
    samples = ['f"handler_{op}"', "f'Model{name}Input'", '"learned:"', 'f"node_{base}_{kind}"']
    assert all(NAME_FORMATS.search(s) for s in samples)
    assert not NAME_FORMATS.search("layout.handler_module(op)")
