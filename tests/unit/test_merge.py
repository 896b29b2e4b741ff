"""The three-way line merge: the generator's changes land where the user left its lines
alone, and no line the user wrote is ever changed or lost."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onex_lsp.generation.merge import merge3

BASE = "import a\n\ndef f():\n    return 1\n\nROUTES = [\n    'x',\n]\n"


@pytest.mark.parametrize(
    ("ours", "theirs", "merged", "conflicts"),
    [
        # The generator adds a route; the user changed f: both stay.
        (BASE.replace("return 1", "return 2"), BASE.replace("    'x',\n", "    'x',\n    'y',\n"),
         BASE.replace("return 1", "return 2").replace("    'x',\n", "    'x',\n    'y',\n"), 0),
        # The generator changes a line the user left alone: it changes.
        (BASE, BASE.replace("import a", "import a, b"), BASE.replace("import a", "import a, b"), 0),
        # ...and one the user changed: a conflict, the user's line stays.
        (BASE.replace("import a", "import mine"), BASE.replace("import a", "import a, b"),
         BASE.replace("import a", "import mine"), 1),
        # The user added lines: they stay, the generator's addition lands after its anchor.
        (BASE + "EXTRA = 1\n", BASE.replace("ROUTES", "OTHER = 0\nROUTES"),
         BASE.replace("ROUTES", "OTHER = 0\nROUTES") + "EXTRA = 1\n", 0),
        # Nothing changed on the generator's side: nothing to do.
        (BASE.replace("return 1", "return 2"), BASE, BASE.replace("return 1", "return 2"), 0),
    ],
    ids=["route-and-user-edit", "clean-change", "conflict", "user-additions", "no-change"],
)  # fmt: skip
def test_merge_table(ours: str, theirs: str, merged: str, conflicts: int) -> None:
    result = merge3(BASE, ours, theirs)
    assert result.apply(ours) == merged
    assert len(result.conflicts) == conflicts


LINES = st.text(alphabet="abcxyz=()' ", min_size=1, max_size=8).map(lambda s: s + "\n")


@settings(max_examples=200, deadline=None)
@given(
    base=st.lists(LINES, min_size=1, max_size=12),
    user=st.lists(st.tuples(st.integers(0, 11), LINES), max_size=4),
    generator=st.lists(st.tuples(st.integers(0, 12), LINES), max_size=4),
)
def test_no_user_line_is_ever_lost(
    base: list[str], user: list[tuple[int, str]], generator: list[tuple[int, str]]
) -> None:
    ours_lines = list(base)
    written: dict[int, str] = {}
    for index, line in user:  # the user rewrites some lines with marked text
        if index < len(ours_lines):
            ours_lines[index] = written[index] = f"USER{index}:{line}"
    theirs_lines = list(base)
    for index, line in generator:  # the generator inserts lines
        theirs_lines.insert(min(index, len(theirs_lines)), f"GEN:{line}")
    ours, theirs = "".join(ours_lines), "".join(theirs_lines)
    merged = merge3("".join(base), ours, theirs).apply(ours)
    for line in written.values():
        assert line in merged.splitlines(keepends=True)
