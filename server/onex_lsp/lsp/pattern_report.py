"""``onex/patternReport``: the pattern report for the editors (VS Code's report webview),
from the running server's own journal; no command line is spawned.

    {"report": {"generatedAt", "weeks", "patterns", "topBlocks", "totals"},
     "html": the page ``onex-lsp patterns report --html`` writes}

The journal is read and the page rendered in a worker thread: a journal of many events
never holds up the event loop.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from onex_lsp.feedback.report import block_facts, build_report
from onex_lsp.feedback.report_html import render_html
from onex_lsp.feedback.stats import FEEDBACK_EVENTS
from onex_lsp.learning.learned_block import LearnedBlock

if TYPE_CHECKING:
    from onex_lsp.lsp.server import OnexLanguageServer


def report_answer(
    events: Sequence[dict[str, Any]], blocks: Sequence[LearnedBlock], now: float
) -> dict[str, Any]:
    """Blocking (CPU): the report's data and its page."""
    report = build_report(events, [block_facts(b) for b in blocks], now)
    return {"report": report.to_json(), "html": render_html(report, secrets.token_urlsafe(16))}


async def pattern_report(ls: OnexLanguageServer) -> dict[str, Any]:
    learning = ls.learning
    events = await asyncio.to_thread(learning.journal_events, FEEDBACK_EVENTS)
    blocks = await asyncio.to_thread(learning.learned_blocks)
    return await asyncio.to_thread(report_answer, events, blocks, time.time())
