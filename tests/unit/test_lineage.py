"""Lineage: learned blocks know the block their text came from; a family (a block and its
modified descendants) shares feedback; a kept, modified child supersedes its parent; the
server's own text (as inserted, or the built-in block restored) is never learned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onex_lsp.feedback.ranking import weigh_learned
from onex_lsp.feedback.stats import family_key, fold
from onex_lsp.feedback.tracker import PlannedBlock, change_from_texts
from onex_lsp.generation.ranking import HandlerChoice, LearnedOption, apply_learned
from onex_lsp.learning.journal import Journal
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.learning.learned_block import LearnedBlock
from onex_lsp.learning.lineage import Origin, family_root, family_roots, with_parents
from onex_lsp.lsp.convert import path_to_uri
from onex_lsp.lsp.feedback_session import FeedbackSession, handler_span, restorable
from onex_lsp.settings import FeedbackSettings


def outcome(pattern: str, result: str, family: str = "") -> dict[str, Any]:
    event = {"type": "outcome", "pattern": pattern, "outcome": result, "retention": 0.5}
    return event | ({"family": family} if family else {})


# (events, family not preferred, family summary)
FAMILY_CASES = [
    ([outcome("learned:a", "reverted")], False, "reverted 1 of 1"),
    (  # two reverts, through two siblings of the family rooted at a
        [outcome("learned:b", "reverted", "learned:a"), outcome("learned:c", "reverted", "learned:a")],
        True,
        "reverted 2 of 2 — not preferred",
    ),
    (  # ... then kept once: back
        [outcome("learned:b", "reverted", "learned:a"), outcome("learned:c", "reverted", "learned:a"),
         outcome("learned:b", "kept", "learned:a")],
        False,
        "kept 1 of 3",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("events", "demoted", "summary"), FAMILY_CASES)
def test_a_family_shares_its_members_feedback(
    events: list[dict[str, Any]], demoted: bool, summary: str
) -> None:
    family = fold(events)[family_key("learned:a")]
    assert (family.not_preferred, family.summary()) == (demoted, summary)


def option(block_id: str, similarity: float, family: str = "learned:a") -> LearnedOption:
    return LearnedOption(block_id, "def handle_x(): ...\n", "f.py", similarity, family=family)


def test_reverting_siblings_twice_takes_the_whole_family_out_of_the_defaults() -> None:
    events = [outcome("learned:b", "reverted", "learned:a"), outcome("learned:c", "reverted", "learned:a")]  # fmt: skip
    options = {"create_x": [option("a", 0.9), option("b", 0.95), option("c", 0.99)]}
    weighed = weigh_learned(options, fold(events))
    assert all(o.not_preferred for o in weighed["create_x"])
    choice = HandlerChoice("create_x", "crud.create", 0.9, "create")
    (chosen,) = apply_learned((choice,), weighed)
    assert chosen.learned is None


def test_a_kept_modified_child_supersedes_its_parent() -> None:
    events = [
        outcome("learned:a", "kept"),
        {"type": "superseded", "pattern": "learned:a", "by": "learned:b"},
    ]
    options = {"create_x": [option("a", 0.99), option("b", 0.5)]}
    weighed = weigh_learned(options, fold(events))
    parent, child = weighed["create_x"]
    assert parent.superseded and not child.superseded
    assert parent.keep_estimate == child.keep_estimate  # one family, one record
    choice = HandlerChoice("create_x", "crud.create", 0.5, "create")
    (chosen,) = apply_learned((choice,), weighed)
    assert chosen.learned is not None and chosen.learned.block_id == "b"


def block(block_id: str, parent: str | None, line: int = 3) -> LearnedBlock:
    return LearnedBlock(
        block_id, block_id, "handler", "crud.create", "effect", "create_x", None, True, "",
        "", "f.py", (line, 0, line + 3, 0), 0.0, "", parent_id=parent,
    )  # fmt: skip


def test_a_handler_is_linked_to_the_tracked_block_its_function_occupies() -> None:
    origins = [Origin(0, 1, "builtin:crud.get"), Origin(2, 9, "learned:a"), Origin(10, 20, "x")]
    (linked,) = with_parents([block("n", None, line=4)], origins)
    assert linked.parent_id == "learned:a"
    untracked = block("u", None, line=30)
    assert with_parents([untracked], origins) == [untracked]
    assert (
        with_parents([block("s", None)], [Origin(0, 9, "builtin:crud.create", learn=False)]) == []
    )


def test_the_family_root_is_the_first_learned_ancestor() -> None:
    journal = {
        "a": block("a", "builtin:crud.create"),
        "b": block("b", "learned:a"),
        "c": block("c", "learned:b"),
        "loop": block("loop", "learned:loop"),
    }

    def get_many(ids: list[str]) -> dict[str, LearnedBlock]:
        return {i: journal[i] for i in ids if i in journal}

    assert family_root(journal["c"], get_many) == "learned:a"
    assert family_root(journal["a"], get_many) == "learned:a"
    assert family_root(block("orphan", "learned:forgotten"), get_many) == "learned:orphan"
    assert family_root(journal["loop"], get_many) == "learned:loop"


LEARNED = """def handle_create_user(request: dict) -> dict:
    users = request.setdefault("users", [])  # house style
    users.append(request["user"])
    return {"ok": True}
"""
BUILTIN = """def handle_create_user(request: dict) -> dict:
    request.setdefault("users", []).append(request["user"])
    return {"ok": True}
"""


NOW = [100.0]


def _session(tmp_path: Path) -> tuple[FeedbackSession, JournalWriter, Journal]:
    journal = Journal(tmp_path / "journal.sqlite3")
    writer = JournalWriter()
    writer.attach(journal)
    session = FeedbackSession(writer, lambda: NOW[0])
    session.configure(FeedbackSettings(checkpoints=(30.0,)))
    return session, writer, journal


def _track(session: FeedbackSession, tmp_path: Path, text: str, pattern: str) -> PlannedBlock:
    span = handler_span(text, "handle_create_user")
    assert span is not None
    planned = PlannedBlock(
        path_to_uri(tmp_path / "handler_create_user.py"), pattern, "create_user",
        "handle_create_user", text, *span, family="learned:root", builtin=BUILTIN,
    )  # fmt: skip
    session.track("s1", [planned])
    return planned


def test_the_servers_own_text_is_not_learned_and_restoring_the_builtin_is_a_revert(
    tmp_path: Path,
) -> None:
    session, writer, journal = _session(tmp_path)
    planned = _track(session, tmp_path, LEARNED, "learned:b")
    (untouched,) = session.saved(planned.uri, LEARNED)
    assert (untouched.pattern, untouched.learn) == ("learned:b", False)
    edited = LEARNED.replace("# house style", "# house style, v2")
    (changed,) = session.saved(planned.uri, edited)
    assert changed.learn and (changed.first_line, changed.last_line) == (0, 3)
    session.did_change(planned.uri, [change_from_texts(LEARNED, BUILTIN)], BUILTIN)
    (restored,) = session.saved(planned.uri, BUILTIN)
    assert not restored.learn and not session.follows(planned.uri)
    writer.flush()
    (event,) = [e for e in journal.events() if e["type"] == "outcome"]
    assert (event["outcome"], event["reason"], event["family"]) == (
        "reverted", "the built-in block was restored", "learned:root",
    )  # fmt: skip
    assert fold(journal.events())[family_key("learned:root")].reverted == 1


def test_saves_of_a_kept_block_supersede_each_other_and_its_parent(tmp_path: Path) -> None:
    session, writer, journal = _session(tmp_path)
    planned = _track(session, tmp_path, LEARNED, "learned:b")
    session.derived(planned.uri, [("learned:b", "learned:v1")])
    session.derived(planned.uri, [("learned:b", "learned:v2")])  # saved again, changed again
    NOW[0] += 31
    session.tick({planned.uri: LEARNED.replace("# house style", "# house style, v2")})
    writer.flush()
    stats = fold(journal.events())
    assert stats["learned:v1"].superseded_by == "learned:v2"
    assert stats["learned:b"].superseded_by == "learned:v2"
    assert "learned:v2" not in stats  # the newest is nobody's predecessor


def test_a_restart_before_the_outcome_keeps_the_supersession(tmp_path: Path) -> None:
    session, writer, journal = _session(tmp_path)
    planned = _track(session, tmp_path, LEARNED, "learned:b")
    saved = LEARNED.replace("# house style", "# house style, v2")
    path = tmp_path / "handler_create_user.py"
    path.write_text(saved)
    session.derived(planned.uri, [("learned:b", "learned:v1")])
    writer.flush()
    writer.close()
    journal.close()  # the server stops before the block's outcome

    journal = Journal(tmp_path / "journal.sqlite3")
    writer = JournalWriter()
    writer.attach(journal)
    fresh = FeedbackSession(writer, lambda: NOW[0])
    fresh.configure(FeedbackSettings(checkpoints=(30.0,)))
    assert fresh.resume(restorable(journal.events())) == 1
    NOW[0] += 31
    fresh.tick({planned.uri: saved})
    writer.flush()
    (event,) = [e for e in journal.events() if e["type"] == "outcome"]
    assert event["outcome"] in ("kept", "modified")
    assert fold(journal.events())["learned:b"].superseded_by == "learned:v1"


def test_family_roots_from_parent_keys_alone() -> None:
    """What ``patterns stats`` counts families with: the walk of ``family_root`` over the
    live blocks' parent keys (a forgotten ancestor ends the family, a cycle ends)."""
    parents = {
        "a": "builtin:crud.create", "b": "learned:a", "c": "learned:b",
        "d": "learned:forgotten", "x": "learned:y", "y": "learned:x", "e": None,
    }  # fmt: skip
    roots = family_roots(parents)
    assert [roots[i] for i in "abcde"] == ["learned:a"] * 3 + ["learned:d", "learned:e"]
    assert {roots["x"], roots["y"]} == {"learned:x", "learned:y"}
