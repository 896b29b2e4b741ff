"""Tracking applied blocks through edits, with an injected clock: each outcome, each retention."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onex_lsp.feedback.stats import PatternStats, fold
from onex_lsp.feedback.tracker import (
    FeedbackTracker,
    TextChange,
    TrackedBlock,
    change_from_texts,
    diff_changes,
    move_range,
    retention,
    token_hashes,
)

DOC = "import os\n\n\ndef handle_x(request):\n    value = request.payload\n    return value\n\n\nTAIL = 1\n"
BLOCK = DOC[DOC.index("def handle_x") : DOC.index("\n\n\nTAIL")]
START = DOC.index(BLOCK)
END = START + len(BLOCK)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tracker(clock: Clock, text: str = DOC) -> tuple[FeedbackTracker, dict[str, str]]:
    docs = {"file:///x.py": text}
    t = FeedbackTracker(clock=clock, checkpoints=(30.0, 120.0, 300.0, 600.0))
    t.track(
        TrackedBlock(
            "b1",
            "s1",
            "builtin:crud.create",
            "file:///x.py",
            START,
            END,
            token_hashes(BLOCK),
            clock.now,
        )
    )
    return t, docs


def edit(t: FeedbackTracker, docs: dict[str, str], change: TextChange) -> list[object]:
    old = docs["file:///x.py"]
    docs["file:///x.py"] = old[: change.start] + change.text + old[change.end :]
    return t.did_change("file:///x.py", [change], docs["file:///x.py"])  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(TextChange(0, 0, "# header\n"), (START + 9, END + 9), id="insert-before"),
        pytest.param(TextChange(0, 10, ""), (START - 10, END - 10), id="delete-before"),
        pytest.param(
            TextChange(START, START, "\n"), (START + 1, END + 1), id="insert-at-start-is-before"
        ),
        pytest.param(TextChange(START + 4, START + 4, "abc"), (START, END + 3), id="type-inside"),
        pytest.param(TextChange(START + 4, START + 10, ""), (START, END - 6), id="delete-inside"),
        pytest.param(TextChange(END + 1, END + 1, "\n# after\n"), (START, END), id="insert-after"),
        pytest.param(
            TextChange(END, END, "  # tail"), (START, END + 8), id="type-at-the-end-is-inside"
        ),
        pytest.param(
            TextChange(START - 3, START + 5, "XY"), (START - 3, END - 6), id="across-the-start"
        ),
        pytest.param(TextChange(END - 5, END + 3, "Z"), (START, END - 4), id="across-the-end"),
        pytest.param(TextChange(START - 1, END + 1, ""), (START - 1, START - 1), id="swallowed"),
    ],
)
def test_block_range_moves_with_edits(change: TextChange, expected: tuple[int, int]) -> None:
    assert move_range(START, END, change) == expected


def test_full_text_sync_becomes_one_change() -> None:
    new = DOC.replace("value = request.payload", "value = dict(request.payload)")
    change = change_from_texts(DOC, new)
    assert DOC[: change.start] + change.text + DOC[change.end :] == new
    assert change.text == "dict(" or change.text.startswith("dict(")


@pytest.mark.parametrize(
    ("current", "value"),
    [
        (BLOCK, 1.0),
        (BLOCK.replace("    ", "  "), 1.0),  # re-indenting is not a rewrite
        (BLOCK.replace("return value", "return dict(value)"), 0.8125),  # 3 of 16 tokens
        ("", 0.0),
    ],
)
def test_retention_values(current: str, value: float) -> None:
    assert retention(token_hashes(BLOCK), token_hashes(current)) == value


def reference_retention(inserted: tuple[str, ...], current: tuple[str, ...]) -> float:
    """The pure-Python token Levenshtein retention used before rapidfuzz (the reference)."""
    if not inserted and not current:
        return 1.0
    previous = list(range(len(current) + 1))
    for i, a in enumerate(inserted, 1):
        row = [i]
        for j, b in enumerate(current, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = row
    return round(1.0 - previous[-1] / max(len(inserted), len(current)), 4)


# Small alphabets make repeated tokens (and so non-trivial alignments) likely.
TOKENS = st.lists(st.sampled_from(["def", "(", ")", ":", "x", "return", "a1b2c3", "é"]))


@settings(max_examples=300, deadline=None)
@given(TOKENS, TOKENS)
def test_retention_equals_the_reference_on_random_token_sequences(
    inserted: list[str], current: list[str]
) -> None:
    a, b = tuple(inserted), tuple(current)
    assert retention(a, b) == reference_retention(a, b)
    ha, hb = token_hashes(" ".join(inserted)), token_hashes(" ".join(current))
    assert retention(ha, hb) == reference_retention(ha, hb)


def test_untouched_block_is_kept_at_the_last_checkpoint() -> None:
    clock = Clock()
    t, docs = tracker(clock)
    clock.now += 29
    assert t.tick(docs.get) == []
    clock.now += 1
    (first,) = t.tick(docs.get)
    assert (first.type, first.checkpoint, first.retention) == ("checkpoint", 30.0, 1.0)
    clock.now += 600
    (last,) = t.tick(docs.get)  # missed checkpoints collapse into the last one
    assert (last.type, last.outcome, last.retention) == ("outcome", "kept", 1.0)
    assert t.tick(docs.get) == []


def test_typing_inside_then_before_gives_modified_with_its_retention() -> None:
    clock = Clock()
    t, docs = tracker(clock)
    edit(t, docs, TextChange(0, 0, "# a comment before the block\n"))
    block = t.blocks["b1"]
    inner = docs["file:///x.py"].index("return value")
    edit(
        t,
        docs,
        TextChange(
            inner,
            inner + len("return value"),
            "checked = validate(value, strict=True)\n    return checked or None",
        ),
    )
    clock.now += 600
    (event,) = t.tick(docs.get)
    moved = t.blocks["b1"]
    assert moved.start == block.start
    assert docs["file:///x.py"][moved.start : moved.end].startswith("def handle_x(request):")
    assert event.outcome == "modified"
    assert event.retention == 0.48


def test_deleting_the_block_is_a_revert_at_once() -> None:
    clock = Clock()
    t, docs = tracker(clock)
    (event,) = edit(t, docs, TextChange(START, END, ""))
    assert (event.outcome, event.retention, event.reason) == (
        "reverted",
        0.0,
        "the block's text was removed",
    )  # type: ignore[attr-defined]


def test_deleting_half_then_undo_keeps_tracking() -> None:
    clock = Clock()
    t, docs = tracker(clock)
    half = (END - START) // 2
    removed = docs["file:///x.py"][START + half : END]
    edit(t, docs, TextChange(START + half, END, ""))
    assert t.blocks["b1"].outcome is None
    edit(t, docs, TextChange(START + half, START + half, removed))  # undo
    clock.now += 600
    (event,) = t.tick(docs.get)
    assert (event.outcome, event.retention) == ("kept", 1.0)


def test_rewriting_almost_everything_is_reverted_at_the_next_checkpoint() -> None:
    clock = Clock()
    t, docs = tracker(clock)
    edit(
        t,
        docs,
        TextChange(START + 4, END, "totally_different(a, b, c, d, e, f, g, h, i, j, k, l, m)"),
    )
    clock.now += 30
    (event,) = t.tick(docs.get)
    assert (event.outcome, event.reason) == ("reverted", "almost all of it was rewritten")


def test_deleted_and_renamed_files() -> None:
    clock = Clock()
    t, _docs = tracker(clock)
    t.file_renamed("file:///x.py", "file:///y.py")
    assert t.blocks["b1"].uri == "file:///y.py"
    (event,) = t.file_gone("file:///y.py")
    assert event.outcome == "reverted"
    clock2 = Clock()
    t2, _ = tracker(clock2)
    clock2.now += 30
    (gone,) = t2.tick(lambda uri: None)  # the file vanished from disk
    assert (gone.outcome, gone.reason) == ("reverted", "the file is gone")


def test_bayesian_keep_rate_and_lifecycle() -> None:
    events = [{"type": "applied", "pattern": "p", "at": 1.0}]
    events += [{"type": "outcome", "pattern": "p", "outcome": "kept", "retention": 1.0}] * 9
    events += [{"type": "outcome", "pattern": "p", "outcome": "reverted", "retention": 0.0}]
    stats = fold(events)["p"]
    assert (stats.kept, stats.reverted, stats.outcomes, stats.applied) == (9, 1, 10, 1)
    assert stats.summary() == "kept 9 of 10"
    assert stats.keep_estimate(0.9) == round((0.9 * 8 + 9) / (8 + 10), 4)
    assert stats.lifecycle(0.9) == "validated"
    assert stats.mean_retention == 0.9


def test_two_reverts_in_a_row_demote_until_kept() -> None:
    reverted = {"type": "outcome", "pattern": "p", "outcome": "reverted", "retention": 0.0}
    kept = {"type": "outcome", "pattern": "p", "outcome": "kept", "retention": 1.0}
    assert not fold([reverted])["p"].not_preferred
    twice = fold([kept, reverted, reverted])["p"]
    assert twice.not_preferred and twice.lifecycle(0.9) == "demoted"
    assert twice.summary() == "reverted 2 of 3 — not preferred"
    assert not fold([reverted, reverted, kept])["p"].not_preferred


def test_no_outcomes_means_the_prior() -> None:
    assert PatternStats("p").keep_estimate(0.7) == 0.7
    assert PatternStats("p").summary() == ""


# (old, new): a full-text sync of edits around the tracked block
FULL_SYNC_CASES = [
    (DOC, "# a new first line\n" + DOC),
    (DOC, DOC + "\n# a comment at the end\n"),
    (DOC, "import os\n" + DOC.replace(BLOCK, BLOCK + "\n\nX = 1\n")),
]


@pytest.mark.parametrize(("old", "new"), FULL_SYNC_CASES)
def test_a_full_sync_diff_moves_only_what_changed(old: str, new: str) -> None:
    """Edits above and below a block, sent as one full text, leave its text and its
    retention alone (one replacement spanning both would join the block)."""
    changes = diff_changes(old, new)
    text = old
    for change in changes:
        text = text[: change.start] + change.text + text[change.end :]
    assert text == new
    clock = Clock()
    t, _docs = tracker(clock, old)
    t.did_change("file:///x.py", changes, new)
    block = t.blocks["b1"]
    assert new[block.start : block.end] == BLOCK
    clock.now += 30
    (event,) = t.tick({"file:///x.py": new}.get)
    assert event.retention == 1.0


_LINES = st.lists(
    st.sampled_from(["a\n", "b\n", "x = 1\n", "\n", "def f():\n", "  pass"]), max_size=8
)


@settings(max_examples=200, deadline=None)
@given(_LINES, _LINES)
def test_a_full_sync_diff_rebuilds_the_new_text(old: list[str], new: list[str]) -> None:
    before, after = "".join(old), "".join(new)
    text = before
    for change in diff_changes(before, after):
        text = text[: change.start] + change.text + text[change.end :]
    assert text == after
