"""The feedback session: applied blocks followed through edits, stats kept current
without re-reading the journal, memory bounded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec

from onex_lsp.feedback.stats import fold
from onex_lsp.feedback.tracker import PlannedBlock, change_from_texts
from onex_lsp.learning.journal import Journal
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.lsp import feedback_session
from onex_lsp.lsp.convert import path_to_uri
from onex_lsp.lsp.feedback_session import (
    FeedbackSession,
    follow_changes,
    planned_block,
    restorable,
)
from onex_lsp.settings import FeedbackSettings

MODULE = '''"""Create a user."""

# 😀 a comment before the handler


def handle_create_user(request: dict) -> dict:
    users = request.setdefault("users", [])
    users.append(request["user"])
    return {"ok": True, "count": len(users)}
'''


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _session(tmp_path: Path) -> tuple[FeedbackSession, JournalWriter, Journal, Clock]:
    journal = Journal(tmp_path / "journal.sqlite3")
    writer = JournalWriter()
    writer.attach(journal)
    clock = Clock()
    session = FeedbackSession(writer, clock)
    session.configure(FeedbackSettings(checkpoints=(30.0, 60.0)))
    return session, writer, journal, clock


def _planned(tmp_path: Path) -> PlannedBlock:
    path = tmp_path / "handlers" / "handler_create_user.py"
    found = planned_block(path, MODULE, "builtin:crud.create", "create_user", "handle_create_user")
    assert found is not None
    return found


def test_a_kept_block_is_followed_to_its_outcome_and_then_forgotten(tmp_path: Path) -> None:
    session, writer, journal, clock = _session(tmp_path)
    block = _planned(tmp_path)
    assert MODULE[block.start : block.end].startswith("def handle_create_user")
    session.track("s1", [block])
    assert session.follows(block.uri) and session.pattern_in(block.uri) == "builtin:crud.create"
    edited = MODULE.replace('"ok": True', '"ok": True, "new": 1')
    session.did_change(block.uri, [change_from_texts(MODULE, edited)], edited)
    clock.now += 61
    session.tick({})
    writer.flush()
    outcome = [e for e in journal.events() if e["type"] == "outcome"]
    assert [e["outcome"] for e in outcome] == ["kept"]
    assert "new" in outcome[0]["final_text"]
    assert not session.follows(block.uri)
    assert session.text_before_change(block.uri) is None  # nothing kept for it any more


def test_stats_stay_equal_to_a_fold_of_the_journal(tmp_path: Path) -> None:
    session, writer, journal, _ = _session(tmp_path)
    block = _planned(tmp_path)
    session.record_shown("file:///c.yaml", 1, ["builtin:crud.create", "learned:b1"])
    session.record_shown("file:///c.yaml", 1, ["builtin:crud.create"])  # same version: once
    session.record_shown("file:///c.yaml", 2, ["builtin:crud.create"])
    session.track("s1", [block])
    session.did_change(block.uri, [feedback_session.TextChange(block.start, block.end, "")],
                       MODULE[: block.start] + MODULE[block.end :])  # fmt: skip
    writer.flush()
    undated = {k: replace(v, last_used=0.0) for k, v in session.stats().items()}  # test clock
    assert undated == {k: replace(v, last_used=0.0) for k, v in fold(journal.events()).items()}
    assert session.stats()["builtin:crud.create"].shown == 2
    assert session.stats()["builtin:crud.create"].reverted == 1


def test_shown_memory_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session, *_ = _session(tmp_path)
    monkeypatch.setattr(feedback_session, "SHOWN_CAPACITY", 10)
    for version in range(50):
        session.record_shown("file:///c.yaml", version, ["builtin:crud.create"])
    assert len(session._shown) == 10
    assert session.stats()["builtin:crud.create"].shown == 50


def test_incremental_changes_after_an_emoji_move_the_block(tmp_path: Path) -> None:
    """An edit on the comment line after the emoji, in UTF-16 positions, shifts the block
    by exactly the inserted text."""
    session, *_ = _session(tmp_path)
    block = _planned(tmp_path)
    session.track("s1", [block])
    at = lsp.Position(line=2, character=5)  # after "# 😀" (the emoji is two UTF-16 units)
    change = lsp.TextDocumentContentChangePartial(range=lsp.Range(start=at, end=at), text="XY")
    current = MODULE.replace("# 😀 a", "# 😀XY a")
    follow_changes(session, block.uri, [change], PositionCodec(), current)
    assert session.text_before_change(block.uri) == current
    tracked = next(iter(session._tracker.blocks.values()))
    assert current[tracked.start : tracked.end] == MODULE[block.start : block.end]


def test_blocks_of_an_earlier_session_are_found_again_on_disk(tmp_path: Path) -> None:
    session, writer, journal, _ = _session(tmp_path)
    kept = _planned(tmp_path)
    kept_path = tmp_path / "handlers" / "handler_create_user.py"
    kept_path.parent.mkdir(parents=True)
    kept_path.write_text("\n\n" + MODULE)
    gone = PlannedBlock(path_to_uri(tmp_path / "gone.py"), "builtin:crud.get", "get", "handle_get",
                        "def handle_get(): pass\n", 0, 22)  # fmt: skip
    session.track("s1", [kept, gone])
    writer.flush()
    restored = {r.block.uri: r for r in restorable(journal.events())}
    assert restored[gone.uri].gone == "the file is gone"
    found = restored[kept.uri]
    assert found.gone is None
    assert (found.block.start, found.block.end) == (kept.start + 2, kept.end + 2)
    fresh, *_ = _session(tmp_path)
    assert fresh.resume(list(restored.values())) == 2
    assert fresh.follows(kept.uri) and not fresh.follows(gone.uri)
