"""``onex-lsp learn`` and ``onex-lsp patterns ...``: the pattern library from a terminal.

A data directory that cannot be used (read-only, a file in the way, a corrupt journal
that could not be moved aside) is one line on stderr and exit status 1, never a
traceback; a corrupt journal or index is repaired on the way, with one line saying so.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from onex_lsp import layout
from onex_lsp.cli import learn as cli_learn
from onex_lsp.cli import report as cli_report
from onex_lsp.cli.confirm import add_yes_option
from onex_lsp.cli.importing import confirm_import
from onex_lsp.cli.library_args import (
    EXIT_UNUSABLE,
    library_options,
    log_to_stderr,
    open_from_args,
    unusable,
)
from onex_lsp.feedback.families import family_rows, roots_with_feedback
from onex_lsp.feedback.stats import (
    DEFAULT_BUILTIN_PRIOR,
    FEEDBACK_EVENTS,
    LEARNED_PRIOR,
    PatternStats,
    fold,
    is_family_key,
)
from onex_lsp.learning.embeddings import EmbeddingsUnavailable
from onex_lsp.learning.export_format import export_lines
from onex_lsp.learning.journal import JournalUnavailable
from onex_lsp.learning.learned_block import LearnedBlock
from onex_lsp.learning.library import PatternLibrary, default_data_dir
from onex_lsp.learning.lineage import family_roots


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cli_learn.add_command(commands)
    patterns = commands.add_parser("patterns", help="inspect and manage the pattern library")
    library_options(patterns)
    actions = patterns.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="one line per learned block")
    show = actions.add_parser("show", help="everything about one block")
    show.add_argument("id", help="a block id (a unique prefix is enough)")
    actions.add_parser("stats", help="counts by kind, block type and event")
    forget = actions.add_parser("forget", help="stop using a block (it stays in the journal)")
    forget.add_argument("id")
    export = actions.add_parser("export", help="write blocks and events as JSON lines")
    export.add_argument("file", type=Path)
    imported = actions.add_parser(
        "import", help="add blocks from an exported file (says what, and asks first)"
    )
    imported.add_argument("file", type=Path)
    add_yes_option(imported)
    report = actions.add_parser(
        "report", help="keep rate and retention over time, per pattern (sparklines or --html)"
    )
    report.add_argument(
        "--html", type=Path, metavar="FILE", help="write one self-contained HTML page instead"
    )
    actions.add_parser("reindex", help="rebuild the vector index from the journal")
    actions.add_parser("wipe-feedback", help="delete every recorded event (blocks stay)")


def _table(rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )


def _short_origin(block: LearnedBlock) -> str:
    return "/".join(Path(block.origin_file).parts[-3:])


def patterns(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    blocks: list[LearnedBlock] | None = None
    if args.action == "import":  # ask before loading anything
        plan, stop = confirm_import(args, args.data_dir or default_data_dir(None), stdin, err)
        if plan is None:
            return stop
        blocks = plan.blocks
    library = open_from_args(args, err)
    try:
        if unusable(library, err):
            return EXIT_UNUSABLE
        if blocks is not None:
            added = sum(library.journal.add_blocks(blocks))
            library.sync()
            out.write(f"imported {added} new block(s)\n")
            return 0
        return _patterns(args, library, out, err)
    except JournalUnavailable as exc:
        err.write(f"onex-lsp: the pattern library became unavailable: {exc}\n")
        return EXIT_UNUSABLE
    finally:
        library.close()


def _patterns(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    action = _ACTIONS.get(args.action)
    return action(args, library, out, err) if action else 2


def _list(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    blocks = [b for _, b in library.journal.blocks()]
    if not blocks:
        out.write(f"no learned blocks yet in {library.data_dir}\n")
        return 0
    rows = [["ID", "KIND", "BLOCK", "NODE", "OPERATION", "FROM"]]
    rows += [
        [b.id[:8], b.kind, b.block or "-", b.node_kind or "-", b.operation or "-",
         _short_origin(b)]
        for b in blocks
    ]  # fmt: skip
    _table(rows, out)
    return 0


def _show(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    found = library.journal.get(args.id)
    if found is None:
        err.write(f"no block {args.id}\n")
        return 1
    for key, value in json.loads(found.to_json()).items():
        if key not in ("source", "template"):
            out.write(f"{key}: {value}\n")
    out.write("\n--- template ---\n" + found.template + "\n")
    return 0


def _stats(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    """Counts from the journal's indexes and the index's metadata: opens no index, loads
    no model, decodes no block (well under a second at 100k blocks)."""
    journal = library.journal
    kinds = journal.kind_counts()
    events = journal.event_counts()
    live = sum(kinds.values())
    out.write(f"data directory: {library.data_dir}\n")
    out.write(f"learned blocks: {live}\n")
    rows = [["KIND", "BLOCK", "COUNT"]]
    rows += [[kind, block or "-", str(count)] for (kind, block), count in sorted(kinds.items())]
    if len(rows) > 1:
        _table(rows, out)
    listed = ", ".join(f"{k} {v}" for k, v in sorted(events.items()))
    out.write(f"events: {listed or 'none'}\n")
    _feedback_table(library, out)
    out.write(f"index: {library.index_status(live).line()}\n")
    return 0


def _forget(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    found = library.journal.get(args.id)
    if found is None or not library.journal.forget(found.id):
        err.write(f"no block {args.id}\n")
        return 1
    _sync_from_cache(library)  # a forgotten block is never offered, indexed or not
    out.write(f"forgot {found.id}\n")
    return 0


def _export(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    blocks = (learned for _, learned in library.journal.blocks())
    with args.file.open("w", encoding="utf-8") as handle:
        handle.writelines(export_lines(blocks, library.journal.events()))
    out.write(f"exported to {args.file}\n")
    return 0


def _wipe_feedback(
    args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO
) -> int:
    out.write(f"deleted {library.journal.wipe_events()} event(s)\n")
    return 0


def _reindex(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    count = library.reindex()
    out.write(f"reindexed {count} block(s) into {library.store_description}\n")
    return 0


_Action = Callable[[argparse.Namespace, PatternLibrary, TextIO, TextIO], int]
_ACTIONS: dict[str, _Action] = {
    "list": _list,
    "show": _show,
    "stats": _stats,
    "forget": _forget,
    "export": _export,
    "wipe-feedback": _wipe_feedback,
    "reindex": _reindex,
    "report": cli_report.report,
}


def _sync_from_cache(library: PatternLibrary) -> str:
    """Index what the journal already has vectors for; blocks that would need the model
    wait for the server, ``learn``, ``import`` or ``reindex``."""
    try:
        indexed = library.sync()
    except EmbeddingsUnavailable:
        return (
            f"{library.store_description} ({library.embedder_id}; blocks without a cached "
            "vector wait for the server or 'patterns reindex' to index them)"
        )
    return f"{library.store_description} ({library.embedder_id}; {indexed} newly indexed)"


def _feedback_table(library: PatternLibrary, out: TextIO) -> None:
    """Per pattern: what feedback recorded, the Bayesian keep rate and the lifecycle; then
    per family."""
    stats = fold(library.journal.events(types=FEEDBACK_EVENTS))
    if stats:
        _pattern_table(stats, out)
    parents = library.journal.parents(also=roots_with_feedback(stats))
    _family_table(family_roots(parents), stats, out)


def _pattern_table(stats: dict[str, PatternStats], out: TextIO) -> None:
    header = ["PATTERN", "SHOWN", "APPLIED", "KEPT", "MODIFIED", "REVERTED", "KEEP", "RETENTION"]
    rows = [[*header, "STATE"]]
    for key, record in sorted(stats.items()):
        if is_family_key(key):
            continue  # families are folded from their members' rows
        learned = layout.is_learned_key(key)
        prior = LEARNED_PRIOR if learned else DEFAULT_BUILTIN_PRIOR
        name = key[:17] if learned else key
        counts = [record.shown, record.applied, record.kept, record.modified, record.reverted]
        retained = f"{record.mean_retention:.2f}" if record.outcomes else "-"
        rows.append(
            [name, *map(str, counts), f"{record.keep_estimate(prior):.2f}", retained,
             record.lifecycle(prior)]
        )  # fmt: skip
    out.write("feedback (KEEP: the Bayesian keep rate, see README):\n")
    _table(rows, out)


def _family_table(roots: dict[str, str], stats: dict[str, PatternStats], out: TextIO) -> None:
    """A learned block and the blocks derived from it share one record (see README)."""
    found = family_rows(roots, stats)
    if not found:
        return
    header = ["FAMILY", "MEMBERS", "KEPT", "MODIFIED", "REVERTED", "SUPERSEDED", "PREFERRED"]
    rows = [header]
    for row in found:
        name = "family:" + row.root.removeprefix(layout.LEARNED_PREFIX)[:8]
        counts = [row.members, row.kept, row.modified, row.reverted, row.superseded]
        preferred = "yes" if row.preferred else "no (reverted twice in a row)"
        rows.append([name, *map(str, counts), preferred])
    out.write("families (a learned block and the blocks derived from it):\n")
    _table(rows, out)


def run(args: argparse.Namespace) -> int:
    log_to_stderr()
    if args.command == "learn":
        return cli_learn.learn(args, sys.stdin, sys.stdout, sys.stderr)
    return patterns(args, sys.stdin, sys.stdout, sys.stderr)
