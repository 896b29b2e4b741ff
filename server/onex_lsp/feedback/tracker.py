"""Follow each applied pattern block through the user's edits; decide kept/modified/reverted.

Pure and clock-injected. A block is a range of a document, held as character offsets and
moved by every edit (before it: shifted; inside it: resized; across an edge: the edited
text joins the block). Retention is 1 - normalised edit distance between the block as
inserted and as it stands, computed over tokens (words and punctuation), so that
re-indenting is not a rewrite. Tokens are compared by hash: with ``store_code`` off,
nothing but hashes and counts is ever kept.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from itertools import accumulate

DEFAULT_CHECKPOINTS = (30.0, 120.0, 300.0, 600.0)
KEPT_AT = 0.67
REVERTED_BELOW = 0.2
_TOKEN = re.compile(r"\w+|[^\w\s]")


def token_hashes(text: str) -> tuple[str, ...]:
    """The text's tokens, each hashed (the hashes are journalled: their form is fixed)."""
    return tuple(map(_token_hash, _TOKEN.findall(text)))


@functools.lru_cache(maxsize=8192)  # ~1 MB at most
def _token_hash(token: str) -> str:
    """Code repeats few tokens (a 1,000-line module: 10,600 tokens, 190 distinct): cached,
    hashing it costs a third of hashing each token (~3 ms instead of 8 on the loop)."""
    return hashlib.blake2b(token.encode(), digest_size=6).hexdigest()


def retention(inserted: tuple[str, ...], current: tuple[str, ...]) -> float:
    """1 - Levenshtein(inserted, current) / max(len): 1.0 untouched, 0.0 all rewritten.

    rapidfuzz computes the token-level distance in C (bit-parallel), so a checkpoint of a
    large handler costs microseconds on the event loop instead of an O(n·m) Python loop.
    """
    if not inserted and not current:
        return 1.0
    from rapidfuzz.distance import Levenshtein  # not on the server's path to initialize

    distance = Levenshtein.distance(inserted, current)
    return round(1.0 - distance / max(len(inserted), len(current)), 4)


@dataclass(frozen=True)
class TextChange:
    """Replace ``[start, end)`` (character offsets in the old text) by ``text``."""

    start: int
    end: int
    text: str


def change_from_texts(old: str, new: str) -> TextChange:
    """The smallest single replacement turning ``old`` into ``new`` (for full-text syncs).

    Binary search over slice comparisons: the scans run in C, so a keystroke in a large
    file costs microseconds rather than a Python loop over every character."""
    limit = min(len(old), len(new))
    prefix = _longest(limit, lambda n: old[:n] == new[:n])
    rest = limit - prefix
    suffix = _longest(rest, lambda n: old[len(old) - n :] == new[len(new) - n :])
    return TextChange(prefix, len(old) - suffix, new[prefix : len(new) - suffix])


def diff_changes(old: str, new: str) -> list[TextChange]:
    """The edits turning ``old`` into ``new``, line by line, last first (so each applies
    to the text the previous ones left): what a full-text sync becomes, so that an edit
    above a block and one below it do not join it the way one spanning replacement would.
    """
    outer = change_from_texts(old, new)
    if outer.start == outer.end and not outer.text:
        return []
    # Whole lines on both sides (the common prefix and suffix are the same text in both).
    start = old.rfind("\n", 0, outer.start) + 1
    end = old.find("\n", outer.end)
    end = len(old) if end < 0 else end + 1
    middle = new[start : len(new) - (len(old) - end)]
    before = old[start:end].splitlines(keepends=True)
    after = middle.splitlines(keepends=True)
    if len(before) <= 1 or len(after) <= 1:
        return [outer]
    starts_old = list(accumulate(map(len, before), initial=start))
    starts_new = list(accumulate(map(len, after), initial=0))
    changes = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag != "equal":
            text = middle[starts_new[j1] : starts_new[j2]]
            changes.append(TextChange(starts_old[i1], starts_old[i2], text))
    return changes


def _longest(limit: int, holds: Callable[[int], bool]) -> int:
    """The largest ``n <= limit`` for which ``holds(n)`` (which is monotone, true at 0)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if holds(middle):
            low = middle
        else:
            high = middle - 1
    return low


def move_range(start: int, end: int, change: TextChange) -> tuple[int, int]:
    """Where the block ``[start, end)`` is after ``change``.

    Typing at the block's first character counts as before it (a new line above a
    function); typing at its last character counts as inside (an undo of a deletion
    restores the block).
    """
    delta = len(change.text) - (change.end - change.start)
    if change.end <= start and (change.start < start or change.start == change.end):  # before
        return start + delta, end + delta
    pure_insert = change.start == change.end
    if change.start > end or (change.start == end and not pure_insert):  # entirely after
        return start, end
    new_start = min(start, change.start)
    new_end = end + delta if end >= change.end else change.start + len(change.text)
    return new_start, max(new_start, new_end)


class Outcome:
    KEPT = "kept"
    MODIFIED = "modified"
    REVERTED = "reverted"


@dataclass(frozen=True)
class TrackedBlock:
    block_id: str
    suggestion_id: str
    pattern: str  # "builtin:crud.create" or "learned:<id>"
    uri: str
    start: int
    end: int
    inserted: tuple[str, ...]  # token hashes of the block as inserted
    applied_at: float
    done: tuple[float, ...] = ()  # checkpoints measured
    retentions: tuple[float, ...] = ()
    outcome: str | None = None
    family: str = ""  # a learned pattern's family root ("": the pattern itself)
    builtin: tuple[str, ...] = ()  # token hashes of the built-in block a learned one replaced
    module: str = ""  # digest of the module's tokens as the action wrote it

    def restores_builtin(self, current: tuple[str, ...]) -> bool:
        """The user put the built-in block back in place of the learned one."""
        return bool(self.builtin) and current == self.builtin and current != self.inserted

    def is_server_text(self, current: tuple[str, ...], module: tuple[str, ...]) -> bool:
        """The handler is what the server wrote (the module untouched) or the built-in
        block restored: nothing of the user's to learn."""
        untouched = current == self.inserted and module_digest(module) == self.module
        return untouched or self.restores_builtin(current)


def module_digest(tokens: tuple[str, ...]) -> str:
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class PlannedBlock:
    """A handler an offered action will create: what to follow once it is applied."""

    uri: str
    pattern: str
    operation: str
    function: str
    text: str  # the module's text as the action writes it
    start: int  # the handler's span in ``text``
    end: int
    family: str = ""  # the learned pattern's family root
    builtin: str = ""  # the built-in handler a learned one stands in for


@dataclass(frozen=True)
class FeedbackEvent:
    type: str  # checkpoint | outcome
    block_id: str
    pattern: str
    retention: float
    outcome: str | None = None
    checkpoint: float | None = None
    reason: str = ""
    family: str = ""


@dataclass
class FeedbackTracker:
    """Open blocks by document; ``clock`` is injected so tests can move time."""

    clock: Callable[[], float]
    checkpoints: tuple[float, ...] = DEFAULT_CHECKPOINTS
    blocks: dict[str, TrackedBlock] = field(default_factory=dict)

    def track(self, block: TrackedBlock) -> None:
        self.blocks[block.block_id] = block

    def pending(self) -> list[TrackedBlock]:
        return [b for b in self.blocks.values() if b.outcome is None]

    def did_change(self, uri: str, changes: list[TextChange], new_text: str) -> list[FeedbackEvent]:
        """Move the document's blocks through ``changes`` (in order); revert emptied ones."""
        events = []
        for block in [b for b in self.pending() if b.uri == uri]:
            start, end = block.start, block.end
            for change in changes:
                start, end = move_range(start, end, change)
            moved = replace(block, start=start, end=end)
            self.blocks[block.block_id] = moved
            if end <= start or not new_text[start:end].strip():
                events.append(
                    self._finish(moved, 0.0, Outcome.REVERTED, "the block's text was removed")
                )
        return events

    def give_up(self, block_id: str, reason: str) -> FeedbackEvent:
        """The block cannot be followed any more (its file or handler is gone): reverted."""
        return self._finish(self.blocks[block_id], 0.0, Outcome.REVERTED, reason)

    def prune(self) -> None:
        """Forget finished blocks: the journal has their outcome; memory stays bounded."""
        for block_id in [k for k, b in self.blocks.items() if b.outcome is not None]:
            del self.blocks[block_id]

    def file_gone(self, uri: str) -> list[FeedbackEvent]:
        return [
            self._finish(b, 0.0, Outcome.REVERTED, "the file was deleted")
            for b in self.pending()
            if b.uri == uri
        ]

    def file_renamed(self, old_uri: str, new_uri: str) -> None:
        for block in self.pending():
            if block.uri == old_uri:
                self.blocks[block.block_id] = replace(block, uri=new_uri)

    def tick(self, text_of: Callable[[str], str | None]) -> list[FeedbackEvent]:
        """Measure every block whose next checkpoint is due; decide at the last one."""
        now = self.clock()
        events: list[FeedbackEvent] = []
        for block in self.pending():
            due = [
                c for c in self.checkpoints if c not in block.done and now - block.applied_at >= c
            ]
            if not due:
                continue
            text = text_of(block.uri)
            if text is None:
                events.append(self._finish(block, 0.0, Outcome.REVERTED, "the file is gone"))
                continue
            current = token_hashes(text[block.start : block.end])
            value = retention(block.inserted, current)
            checkpoint = max(due)
            block = replace(
                block, done=block.done + tuple(due), retentions=(*block.retentions, value)
            )
            self.blocks[block.block_id] = block
            if block.restores_builtin(current):
                events.append(
                    self._finish(block, value, Outcome.REVERTED, "the built-in block was restored")
                )
            elif value < REVERTED_BELOW:
                events.append(
                    self._finish(block, value, Outcome.REVERTED, "almost all of it was rewritten")
                )
            elif checkpoint == max(self.checkpoints):
                outcome = Outcome.KEPT if value >= KEPT_AT else Outcome.MODIFIED
                events.append(
                    self._finish(
                        block, value, outcome, f"retention {value:.2f} at {checkpoint:.0f} s"
                    )
                )
            else:
                events.append(
                    FeedbackEvent(
                        "checkpoint", block.block_id, block.pattern, value, checkpoint=checkpoint
                    )
                )
        return events

    def restored_builtin(self, block_id: str) -> FeedbackEvent:
        """Saved with the built-in block back in place of the learned one: reverted."""
        return self._finish(
            self.blocks[block_id], 0.0, Outcome.REVERTED, "the built-in block was restored"
        )

    def _finish(
        self, block: TrackedBlock, value: float, outcome: str, reason: str
    ) -> FeedbackEvent:
        self.blocks[block.block_id] = replace(block, outcome=outcome)
        return FeedbackEvent(
            "outcome", block.block_id, block.pattern, value, outcome, reason=reason,
            family=block.family,
        )  # fmt: skip
