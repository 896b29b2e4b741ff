"""Feedback in the server: track applied blocks through edits, measure, record outcomes.

The tracker (``feedback.py``) is pure; this module feeds it LSP events, runs its
checkpoints on a timer, journals what it decides, and restores pending blocks after a
restart by finding each handler again in the file on disk.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from onex_lsp import layout
from onex_lsp.feedback.stats import PatternStats, fold
from onex_lsp.feedback.tracker import (
    FeedbackEvent,
    TextChange,
    TrackedBlock,
    change_from_texts,
    token_hashes,
)
from onex_lsp.learning.extraction import BlockKind, ExtractionError, extract_blocks
from onex_lsp.lsp.convert import path_to_uri, uri_to_path

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer

log = logging.getLogger(__name__)


def handler_span(text: str, function: str) -> tuple[int, int] | None:
    """Character offsets of the handler ``function`` in a module: the tracked pattern block."""
    try:
        blocks = extract_blocks(text)
    except ExtractionError:
        return None
    lines = text.splitlines(keepends=True)
    for block in blocks:
        if block.kind == BlockKind.HANDLER and block.name == function:
            start = (
                sum(len(line) for line in lines[: block.range.start.line])
                + block.range.start.column
            )
            end = sum(len(line) for line in lines[: block.range.end.line]) + block.range.end.column
            return start, end
    return None


def track_applied(ls: OnexLanguageServer, suggestion_id: str) -> int:
    """Start following every handler block an applied suggestion created."""
    planned = ls.suggestion_blocks.pop(suggestion_id, [])
    now = ls.tracker.clock()
    for path, text, pattern, operation, function in planned:
        span = handler_span(text, function)
        if span is None:
            continue
        uri = path_to_uri(path)
        block = TrackedBlock(
            block_id=uuid.uuid4().hex,
            suggestion_id=suggestion_id,
            pattern=pattern,
            uri=uri,
            start=span[0],
            end=span[1],
            inserted=token_hashes(text[span[0] : span[1]]),
            applied_at=now,
        )
        ls.tracker.track(block)
        ls.tracked_text.setdefault(uri, text)
        _journal(ls, "applied", block.block_id, {"pattern": pattern, "suggestion": suggestion_id})
        _journal(
            ls, "tracking", block.block_id,
            {"pattern": pattern, "uri": uri, "operation": operation, "function": function,
             "applied_at": now, "inserted": list(block.inserted), "suggestion": suggestion_id},
        )  # fmt: skip
    return len(planned)


def _journal(
    ls: OnexLanguageServer, kind: str, block_id: str | None, payload: dict[str, Any]
) -> None:
    if ls.library is not None:
        try:
            ls.library.journal.record(kind, block_id, payload)
        except Exception as exc:
            log.warning("could not journal %s: %s", kind, exc)
    ls.stats_cache = None


def record_event(ls: OnexLanguageServer, kind: str, payload: dict[str, Any]) -> None:
    _journal(ls, kind, None, payload)


def record_outcomes(ls: OnexLanguageServer, events: list[FeedbackEvent]) -> None:
    for event in events:
        payload: dict[str, Any] = {"pattern": event.pattern, "retention": event.retention}
        if event.type == "outcome":
            payload |= {"outcome": event.outcome, "reason": event.reason}
            block = ls.tracker.blocks.get(event.block_id)
            if ls.settings.feedback.store_code and block is not None:
                text = current_text(ls, block.uri)
                payload["final_text"] = text[block.start : block.end] if text else ""
            log.info("block %s (%s): %s, retention %.2f — %s", event.block_id[:8], event.pattern,
                     event.outcome, event.retention, event.reason)  # fmt: skip
        else:
            payload["checkpoint"] = event.checkpoint
        _journal(ls, event.type, event.block_id, payload)


def current_text(ls: OnexLanguageServer, uri: str) -> str | None:
    if uri in ls.tracked_text:
        return ls.tracked_text[uri]
    path = uri_to_path(uri)
    try:
        return path.read_text(encoding="utf-8") if path is not None else None
    except OSError:
        return None


def did_open(ls: OnexLanguageServer, uri: str, text: str) -> None:
    if any(b.uri == uri for b in ls.tracker.pending()):
        record_outcomes(
            ls,
            ls.tracker.did_change(
                uri, [change_from_texts(ls.tracked_text.get(uri, text), text)], text
            ),
        )
        ls.tracked_text[uri] = text


def did_change(ls: OnexLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if not any(b.uri == uri for b in ls.tracker.pending()):
        return
    text = ls.tracked_text.get(uri) or ls.workspace.get_text_document(uri).source
    changes: list[TextChange] = []
    for change in params.content_changes:
        if isinstance(change, lsp.TextDocumentContentChangePartial):
            start = _offset(text, change.range.start)
            end = _offset(text, change.range.end)
            step = TextChange(start, end, change.text)
        else:
            step = change_from_texts(text, change.text)
        changes.append(step)
        text = text[: step.start] + step.text + text[step.end :]
    ls.tracked_text[uri] = text
    record_outcomes(ls, ls.tracker.did_change(uri, changes, text))


def _offset(text: str, position: lsp.Position) -> int:
    lines = text.splitlines(keepends=True)
    head = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    return head + len(
        line.encode("utf-16-le")[: position.character * 2].decode("utf-16-le", "ignore")
    )


def did_close(ls: OnexLanguageServer, uri: str) -> None:
    ls.tracked_text.pop(uri, None)  # measured from disk from now on


def files_deleted(ls: OnexLanguageServer, uris: list[str]) -> None:
    for uri in uris:
        ls.tracked_text.pop(uri, None)
        record_outcomes(ls, ls.tracker.file_gone(uri))


def files_renamed(ls: OnexLanguageServer, pairs: list[tuple[str, str]]) -> None:
    for old, new in pairs:
        ls.tracker.file_renamed(old, new)
        if old in ls.tracked_text:
            ls.tracked_text[new] = ls.tracked_text.pop(old)


def tick(ls: OnexLanguageServer) -> None:
    record_outcomes(ls, ls.tracker.tick(lambda uri: current_text(ls, uri)))


async def run_checkpoints(ls: OnexLanguageServer) -> None:
    while True:
        await asyncio.sleep(ls.settings.feedback.tick_seconds)
        try:
            tick(ls)
        except Exception as exc:
            log.error("feedback checkpoint failed: %s", exc)


def restore(ls: OnexLanguageServer) -> int:
    """Re-open the blocks a previous session was still following; re-measure them now."""
    if ls.library is None:
        return 0
    events = ls.library.journal.events()
    finished = {e["block_id"] for e in events if e["type"] == "outcome"}
    done: dict[str, list[float]] = {}
    for e in events:
        if e["type"] == "checkpoint":
            done.setdefault(e["block_id"], []).append(float(e.get("checkpoint", 0)))
    restored = 0
    for e in events:
        if e["type"] != "tracking" or e["block_id"] in finished:
            continue
        uri = str(e["uri"])
        path = uri_to_path(uri)
        text = current_text(ls, uri) if path is not None and path.exists() else None
        function = str(e.get("function") or layout.handler_function(str(e["operation"])))
        span = handler_span(text, function) if text is not None else None
        block = TrackedBlock(
            block_id=e["block_id"],
            suggestion_id=str(e.get("suggestion", "")),
            pattern=str(e["pattern"]),
            uri=uri,
            start=span[0] if span else 0,
            end=span[1] if span else 0,
            inserted=tuple(e["inserted"]),
            applied_at=float(e["applied_at"]),
            done=tuple(sorted(set(done.get(e["block_id"], [])))),
        )
        ls.tracker.track(block)
        restored += 1
        if span is None:
            reason = "the file is gone" if text is None else "the handler is gone"
            record_outcomes(ls, [ls.tracker._finish(block, 0.0, "reverted", reason)])
    tick(ls)
    return restored


def stats(ls: OnexLanguageServer) -> dict[str, PatternStats]:
    if ls.library is None:
        return {}
    if ls.stats_cache is None:
        ls.stats_cache = fold(ls.library.journal.events())
    return ls.stats_cache


Planned = tuple[Path, str, str, str, str]  # file, its text, pattern key, operation, function


def remember_planned(ls: OnexLanguageServer, suggestion_id: str, planned: list[Planned]) -> None:
    """The handler functions an action will create, so that applying it starts tracking
    their blocks (the class layout's methods are not followed yet)."""
    ls.suggestion_blocks[suggestion_id] = planned
