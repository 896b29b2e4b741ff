"""Feedback in the server: follow applied blocks through edits, measure, keep stats.

``FeedbackSession`` owns the tracker (pure, in ``feedback/tracker.py``), the text of the
documents it follows, the per-pattern stats and which offers were counted as shown. Its
methods are O(edit) on the event loop: stats are folded once at start (off the loop) and
then updated event by event; journal writes go to the writer thread; the files a
checkpoint measures from disk are read in a worker thread by ``checkpoint``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec

from onex_lsp import layout
from onex_lsp.feedback.restore import DERIVED, unfinished_blocks
from onex_lsp.feedback.stats import PatternStats, apply_event
from onex_lsp.feedback.tracker import (
    FeedbackEvent,
    FeedbackTracker,
    Outcome,
    PlannedBlock,
    TextChange,
    TrackedBlock,
    diff_changes,
    module_digest,
    token_hashes,
)
from onex_lsp.learning.journal_writer import JournalWriter
from onex_lsp.learning.lineage import Origin, line_of
from onex_lsp.lsp.convert import path_to_uri, text_change, uri_to_path
from onex_lsp.settings import FeedbackSettings

log = logging.getLogger(__name__)
SHOWN_CAPACITY = 4096  # (document, version, pattern) triples remembered as counted


def handler_span(text: str, function: str) -> tuple[int, int] | None:
    """Blocking (parses): character offsets of ``function`` in a module, the tracked block.
    One ``ast`` walk to the function (a full extraction was ~2 ms a module, ten of them
    in each generate resolve); a source only extraction reads (newer syntax) takes its path."""
    from onex_lsp.learning.extraction import (
        BlockKind,
        ExtractionError,
        extract_blocks,
        function_span,
    )

    try:
        return function_span(text, function)
    except (SyntaxError, ValueError, RecursionError):
        pass  # newer syntax than this Python's: extraction masks or parses it with libcst
    try:
        blocks = extract_blocks(text)
    except ExtractionError:
        return None
    lines = text.splitlines(keepends=True)
    for block in blocks:
        if block.kind == BlockKind.HANDLER and block.name == function:
            start = sum(map(len, lines[: block.range.start.line])) + block.range.start.column
            end = sum(map(len, lines[: block.range.end.line])) + block.range.end.column
            return start, end
    return None


def planned_block(
    path: Path, text: str, pattern: str, operation: str, function: str
) -> PlannedBlock | None:
    """Blocking: the block an action will create, with its span found in ``text``."""
    span = handler_span(text, function)
    if span is None:
        return None
    return PlannedBlock(path_to_uri(path), pattern, operation, function, text, *span)


@dataclass(frozen=True)
class Restored:
    """A block of an earlier session found again on disk (``gone``: why it cannot be)."""

    block: TrackedBlock
    text: str | None
    gone: str | None
    child: str = ""  # the block learned from its latest save (``FeedbackSession.derived``)


class FeedbackSession:
    """Applied blocks followed through edits; per-pattern stats kept current."""

    def __init__(self, writer: JournalWriter, clock: Callable[[], float] = time.time) -> None:
        self._tracker = FeedbackTracker(clock=clock)
        self._texts: dict[str, str] = {}  # followed documents' text, as last seen
        self._stats: dict[str, PatternStats] = {}
        self._shown: OrderedDict[tuple[str, int | None, str], None] = OrderedDict()
        self._writer = writer
        self._settings = FeedbackSettings()
        self._children: dict[str, str] = {}  # tracked block -> the latest block learned from it

    def configure(self, settings: FeedbackSettings) -> None:
        self._settings = settings
        self._tracker.checkpoints = settings.checkpoints

    @property
    def tick_seconds(self) -> float:
        return self._settings.tick_seconds

    # -- stats --------------------------------------------------------------------
    def stats(self) -> Mapping[str, PatternStats]:
        """What feedback says about each pattern (a read-only view, O(1))."""
        return MappingProxyType(self._stats)

    def load_stats(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Seed the stats from the journal (read off the loop) at start."""
        for event in events:
            apply_event(self._stats, event)

    def record(self, kind: str, block_id: str | None, payload: dict[str, Any]) -> None:
        """Count the event now, journal it on the writer thread."""
        apply_event(self._stats, {"type": kind, "at": self._tracker.clock(), **payload})
        self._writer.record(kind, block_id, payload)

    def record_shown(self, uri: str, version: int | None, keys: Sequence[str]) -> None:
        """Each pattern an offer shows counts once per document version."""
        for key in keys:
            seen = (uri, version, key)
            if seen in self._shown:
                continue
            self._shown[seen] = None
            if len(self._shown) > SHOWN_CAPACITY:
                self._shown.popitem(last=False)
            self.record("shown", None, {"pattern": key, "uri": uri})

    # -- following blocks ---------------------------------------------------------
    def track(self, suggestion_id: str, planned: Sequence[PlannedBlock]) -> int:
        """Start following the blocks an applied suggestion created."""
        now = self._tracker.clock()
        for item in planned:
            block = TrackedBlock(
                uuid.uuid4().hex, suggestion_id, item.pattern, item.uri, item.start, item.end,
                token_hashes(item.text[item.start : item.end]), now, family=item.family,
                builtin=token_hashes(item.builtin) if item.builtin else (),
                module=module_digest(token_hashes(item.text)),
            )  # fmt: skip
            self._tracker.track(block)
            self._texts.setdefault(item.uri, item.text)
            self.record(
                "applied", block.block_id,
                {"pattern": item.pattern, "suggestion": suggestion_id, "family": item.family},
            )  # fmt: skip
            self._writer.record(
                "tracking", block.block_id,
                {"pattern": item.pattern, "uri": item.uri, "operation": item.operation,
                 "function": item.function, "applied_at": now, "inserted": list(block.inserted),
                 "suggestion": suggestion_id, "family": item.family,
                 "builtin": list(block.builtin), "module": block.module},
            )  # fmt: skip
        return len(planned)

    def pattern_in(self, uri: str) -> str | None:
        """The pattern of a block followed in ``uri``."""
        return next((b.pattern for b in self._tracker.pending() if b.uri == uri), None)

    def saved(self, uri: str, text: str) -> list[Origin]:
        """The followed blocks of a saved document, as learning links new blocks to them;
        a learned block the user replaced by the built-in one is reverted here."""
        origins, restored = [], []
        followed = [b for b in self._tracker.pending() if b.uri == uri]
        module = token_hashes(text) if followed else ()  # most saved files follow nothing
        for block in followed:
            current = token_hashes(text[block.start : block.end])
            first, last = line_of(text, block.start), line_of(text, max(block.start, block.end - 1))
            learn = not block.is_server_text(current, module)
            origins.append(Origin(first, last, block.pattern, learn))
            if block.restores_builtin(current):
                restored.append(self._tracker.restored_builtin(block.block_id))
        self._outcomes(restored, {uri: text})
        return origins

    def derived(self, uri: str, links: Sequence[tuple[str, str]]) -> None:
        """New blocks were learned from followed blocks of ``uri``: (parent key, child key).
        A newer save of the same block supersedes the block the previous save made."""
        for parent, child in links:
            for block in self._tracker.pending():
                if block.uri != uri or block.pattern != parent:
                    continue
                previous = self._children.get(block.block_id)
                if previous and previous != child:
                    self.record("superseded", None, {"pattern": previous, "by": child})
                self._children[block.block_id] = child
                # Journalled: a restart before the outcome keeps the link (``resume``).
                self._writer.record(DERIVED, block.block_id, {"pattern": parent, "child": child})

    def learned_in(self, uri: str) -> list[tuple[str, str]]:
        """(learned pattern, family root) of the blocks followed in ``uri``."""
        return [
            (b.pattern, b.family or b.pattern)
            for b in self._tracker.pending()
            if b.uri == uri and layout.is_learned_key(b.pattern)
        ]

    def follows(self, uri: str) -> bool:
        return any(b.uri == uri for b in self._tracker.pending())

    def text_before_change(self, uri: str) -> str | None:
        """The text the next change notification of a followed document applies to."""
        return self._texts.get(uri) if self.follows(uri) else None

    def did_open(self, uri: str, text: str) -> None:
        if self.follows(uri):
            before = self._texts.get(uri, text)
            self.did_change(uri, diff_changes(before, text), text)

    def did_change(self, uri: str, changes: list[TextChange], new_text: str) -> None:
        self._texts[uri] = new_text
        self._outcomes(self._tracker.did_change(uri, changes, new_text), {uri: new_text})

    def did_close(self, uri: str) -> None:
        self._texts.pop(uri, None)  # measured from disk from now on

    def files_deleted(self, uris: Iterable[str]) -> None:
        for uri in uris:
            self._texts.pop(uri, None)
            self._outcomes(self._tracker.file_gone(uri), {})

    def files_renamed(self, pairs: Iterable[tuple[str, str]]) -> None:
        for old, new in pairs:
            self._tracker.file_renamed(old, new)
            if old in self._texts:
                self._texts[new] = self._texts.pop(old)

    # -- checkpoints --------------------------------------------------------------
    def unread(self) -> list[str]:
        """Followed documents whose text is not in memory (closed): read from disk."""
        return sorted({b.uri for b in self._tracker.pending() if b.uri not in self._texts})

    def tick(self, disk: Mapping[str, str | None]) -> None:
        """Measure every block whose checkpoint is due, from memory or ``disk``."""
        texts = {**disk, **self._texts}
        self._outcomes(self._tracker.tick(texts.get), texts)

    def resume(self, restored: Sequence[Restored]) -> int:
        """Follow again the blocks an earlier session left unfinished."""
        for item in restored:
            self._tracker.track(item.block)
            if item.child:
                self._children[item.block.block_id] = item.child
            if item.gone is not None:
                self._outcomes([self._tracker.give_up(item.block.block_id, item.gone)], {})
        return len(restored)

    def _outcomes(self, events: list[FeedbackEvent], texts: Mapping[str, str | None]) -> None:
        for event in events:
            payload: dict[str, Any] = {"pattern": event.pattern, "retention": event.retention}
            if event.type == "outcome":
                payload |= {"outcome": event.outcome, "reason": event.reason}
                payload |= {"family": event.family} if event.family else {}
                block = self._tracker.blocks.get(event.block_id)
                if self._settings.store_code and block is not None:
                    text = texts.get(block.uri)
                    payload["final_text"] = text[block.start : block.end] if text else ""
                log.info("block %s (%s): %s, retention %.2f — %s", event.block_id[:8],
                         event.pattern, event.outcome, event.retention, event.reason)  # fmt: skip
            else:
                payload["checkpoint"] = event.checkpoint
            self.record(event.type, event.block_id, payload)
            self._supersede(event)
        self._tracker.prune()
        for uri in [u for u in self._texts if not self.follows(u)]:
            del self._texts[uri]

    def _supersede(self, event: FeedbackEvent) -> None:
        """A learned block kept with the user's changes is superseded by what they saved."""
        if event.type != "outcome":
            return
        child = self._children.pop(event.block_id, None)
        kept = event.outcome in (Outcome.KEPT, Outcome.MODIFIED)
        if child and kept and layout.is_learned_key(event.pattern) and child != event.pattern:
            self.record("superseded", None, {"pattern": event.pattern, "by": child})


def read_uris(uris: Sequence[str]) -> dict[str, str | None]:
    """Blocking: the text on disk of each document (None: gone or unreadable)."""
    texts: dict[str, str | None] = {}
    for uri in uris:
        path = uri_to_path(uri)
        try:
            texts[uri] = path.read_text(encoding="utf-8") if path is not None else None
        except (OSError, UnicodeDecodeError):
            texts[uri] = None
    return texts


async def checkpoint(session: FeedbackSession) -> None:
    """Measure due blocks; closed files are read in a worker thread."""
    disk = await asyncio.to_thread(read_uris, session.unread())
    session.tick(disk)


async def run_checkpoints(session: FeedbackSession) -> None:
    while True:
        await asyncio.sleep(session.tick_seconds)
        try:
            await checkpoint(session)
        except Exception as exc:
            log.error("feedback checkpoint failed: %s", exc)


def restorable(events: Iterable[Mapping[str, Any]]) -> list[Restored]:
    """Blocking: the unfinished blocks of earlier sessions, found again in their files."""
    found = unfinished_blocks(events)
    texts = read_uris(sorted({u.block.uri for u in found}))
    restored = []
    for item in found:
        text = texts.get(item.block.uri)
        span = handler_span(text, item.function) if text is not None else None
        if span is None:
            gone = "the file is gone" if text is None else "the handler is gone"
            restored.append(Restored(item.block, text, gone))
        else:
            block = replace(item.block, start=span[0], end=span[1])
            restored.append(Restored(block, text, None, item.child))
    return restored


def follow_changes(
    session: FeedbackSession,
    uri: str,
    changes: Sequence[lsp.TextDocumentContentChangeEvent],
    codec: PositionCodec,
    current: str,
) -> None:
    """Move a followed document's blocks through one change notification, edit by edit
    (positions in the client's units, converted by pygls' codec). A full-text change is
    diffed against the text before it, so only what changed moves the blocks; if the
    result differs from pygls' own document, a diff of the whole text stands in."""
    before = session.text_before_change(uri)
    if before is None:
        return
    text, steps = before, []
    for change in changes:
        if isinstance(change, lsp.TextDocumentContentChangePartial):
            step = text_change(text, change, codec)
            steps.append(step)
            text = text[: step.start] + step.text + text[step.end :]
        else:
            steps += diff_changes(text, change.text)
            text = change.text
    if text != current:
        steps, text = diff_changes(before, current), current
    session.did_change(uri, steps, text)
