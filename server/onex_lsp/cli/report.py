"""``onex-lsp patterns report``: the pattern report in a terminal (sparklines) or, with
``--html FILE``, as one self-contained HTML page written atomically."""

from __future__ import annotations

import argparse
import secrets
import time
from typing import TextIO

from onex_lsp.feedback.report import PatternReport, block_facts, build_report
from onex_lsp.feedback.report_html import render_html
from onex_lsp.feedback.report_text import render_text
from onex_lsp.feedback.stats import FEEDBACK_EVENTS
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.workspace_fs import atomic_write


def library_report(library: PatternLibrary) -> PatternReport:
    """Blocking: the report of everything the journal recorded."""
    events = library.journal.events(types=FEEDBACK_EVENTS)
    blocks = [block_facts(block) for _, block in library.journal.blocks()]
    return build_report(events, blocks, time.time())


def report(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    summary = library_report(library)
    if args.html is None:
        out.write(render_text(summary))
        return 0
    try:
        atomic_write(args.html, render_html(summary, secrets.token_urlsafe(16)))
    except OSError as exc:
        err.write(f"onex-lsp: cannot write {args.html}: {exc.strerror or exc}\n")
        return 1
    out.write(f"wrote the pattern report to {args.html}\n")
    return 0
