"""``onex-lsp learn`` and ``onex-lsp patterns ...``: the pattern library from a terminal."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from onex_lsp import layout, services
from onex_lsp.feedback.stats import DEFAULT_BUILTIN_PRIOR, LEARNED_PRIOR, fold
from onex_lsp.learning.blocks import LearnOutcome
from onex_lsp.learning.embeddings import EmbeddingsUnavailable
from onex_lsp.learning.journal import LearnedBlock
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.learning.worker import extract_file, process_pool
from onex_lsp.settings import EMBEDDERS, Settings, StoreSettings

_BATCH_FILES = 100  # files journalled per transaction
_INDEX_EVERY = 1000  # files between two embed-and-index passes
_POOL_FROM = 32  # fewer files are parsed in this process: starting workers costs ~1 s
_SKIP_DIRS = {".git", ".hg", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".mypy_cache"}


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    learn = commands.add_parser(
        "learn", help="learn pattern blocks from existing code",
        description="Bootstrap the pattern library from a code base "
        "(files that do not parse are reported and skipped).",
    )  # fmt: skip
    learn.add_argument("paths", nargs="+", type=Path, help="files or folders of Python code")
    learn.add_argument(
        "--jobs", type=int, default=min(os.cpu_count() or 1, 8),
        help="worker processes that parse files (default: one per core, at most 8)",
    )  # fmt: skip
    _library_options(learn)
    patterns = commands.add_parser("patterns", help="inspect and manage the pattern library")
    _library_options(patterns)
    actions = patterns.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="one line per learned block")
    show = actions.add_parser("show", help="everything about one block")
    show.add_argument("id", help="a block id (a unique prefix is enough)")
    actions.add_parser("stats", help="counts by kind, block type and event")
    forget = actions.add_parser("forget", help="stop using a block (it stays in the journal)")
    forget.add_argument("id")
    export = actions.add_parser("export", help="write blocks and events as JSON lines")
    export.add_argument("file", type=Path)
    imported = actions.add_parser("import", help="add blocks from an exported file")
    imported.add_argument("file", type=Path)
    actions.add_parser("reindex", help="rebuild the vector index from the journal")
    actions.add_parser("wipe-feedback", help="delete every recorded event (blocks stay)")


def _library_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="the data directory (default: see README)")
    parser.add_argument("--store-url", help="a Qdrant server instead of the embedded engine")
    parser.add_argument(
        "--embedder", choices=EMBEDDERS, default="minilm",
        help="minilm (default; ONNX Runtime), sentence-transformers (same vectors, needs "
        "torch) or hashing (the lexical fallback)",
    )  # fmt: skip


# Only these compute embeddings; the others read the journal and load no model.
EMBEDDING_ACTIONS = {"learn", "import", "reindex"}


def open_from_args(args: argparse.Namespace, err: TextIO) -> PatternLibrary:
    settings = Settings(
        store=StoreSettings(
            path=str(args.data_dir) if args.data_dir else None,
            url=args.store_url or os.environ.get("ONEX_LSP_STORE_URL"),
        ),
        embedder=args.embedder,
    )
    if args.command != "learn" and args.action not in EMBEDDING_ACTIONS:
        return services.open_library(settings, None, services.embedder_without_model(settings))
    embedder = services.load_model_embedder(settings)
    if embedder is None:
        err.write(
            "note: using the lexical fallback embedder (MiniLM not installed or not chosen)\n"
        )
    return services.open_library(settings, None, embedder)


def _python_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield Path(folder) / name


def _progress(err: TextIO, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-9)
    line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files, {rate:.0f}/s"
    if err.isatty() or done == total or done % 100 == 0:
        err.write(line if err.isatty() else line.lstrip("\r") + "\n")
        err.flush()


@dataclass
class _LearnTotals:
    new: int = 0
    seen: int = 0
    skipped: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


def _extracted(files: list[str], jobs: int) -> Iterator[tuple[str, LearnOutcome | str]]:
    """Each file's blocks, in file order; parsed in ``jobs`` worker processes when the
    run is big enough to pay for starting them."""
    if jobs < 2 or len(files) < _POOL_FROM:
        yield from map(extract_file, files)
        return
    with process_pool(jobs) as pool:
        yield from pool.map(extract_file, files, chunksize=8)


def _journal_batch(
    library: PatternLibrary,
    batch: list[tuple[str, LearnOutcome]],
    totals: _LearnTotals,
    err: TextIO,
) -> None:
    for report in library.journal_outcomes(batch):
        if report.error:
            err.write(f"\n{report.error} (skipped)\n")
            totals.skipped += 1
        totals.new += len(report.learned)
        totals.seen += report.seen
        totals.by_kind.update(b.kind for b in report.learned)
    batch.clear()


def learn(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Extract in worker processes; journal one transaction per batch of files; embed and
    index every few batches (``sync``)."""
    files = [str(path) for path in _python_files(args.paths)]
    library = open_from_args(args, err)
    started = time.perf_counter()
    totals = _LearnTotals()
    batch: list[tuple[str, LearnOutcome]] = []
    try:
        for index, (path, outcome) in enumerate(_extracted(files, args.jobs), 1):
            if isinstance(outcome, str):
                err.write(f"\n{path}: skipped: {outcome}\n")
                totals.skipped += 1
            else:
                batch.append((path, outcome))
            if len(batch) >= _BATCH_FILES:
                _journal_batch(library, batch, totals, err)
            if index % _INDEX_EVERY == 0:
                _journal_batch(library, batch, totals, err)
                library.sync()
            _progress(err, index, len(files), started)
        _journal_batch(library, batch, totals, err)
        library.sync()
    finally:
        library.close()
    elapsed = time.perf_counter() - started
    out.write(
        f"learned {totals.new} new block(s) ({totals.seen} found) from "
        f"{len(files) - totals.skipped} file(s); {totals.skipped} skipped; {elapsed:.1f} s "
        f"({len(files) / max(elapsed, 1e-9):.0f} files/s)\n"
    )
    for kind, count in sorted(totals.by_kind.items()):
        out.write(f"  {kind:<22} {count}\n")
    out.write(f"data: {library.data_dir}\n")
    return 0


def _table(rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        )


def _short_origin(block: LearnedBlock) -> str:
    return "/".join(Path(block.origin_file).parts[-3:])


def patterns(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    library = open_from_args(args, err)
    try:
        return _patterns(args, library, out, err)
    finally:
        library.close()


def _patterns(args: argparse.Namespace, library: PatternLibrary, out: TextIO, err: TextIO) -> int:
    journal = library.journal
    if args.action == "list":
        blocks = [b for _, b in journal.blocks()]
        if not blocks:
            out.write(f"no learned blocks yet in {library.data_dir}\n")
            return 0
        rows = [["ID", "KIND", "BLOCK", "NODE", "OPERATION", "FROM"]]
        rows += [
            [
                b.id[:8],
                b.kind,
                b.block or "-",
                b.node_kind or "-",
                b.operation or "-",
                _short_origin(b),
            ]
            for b in blocks
        ]
        _table(rows, out)
        return 0
    if args.action == "show":
        found = journal.get(args.id)
        if found is None:
            err.write(f"no block {args.id}\n")
            return 1
        for key, value in json.loads(found.to_json()).items():
            if key not in ("source", "template"):
                out.write(f"{key}: {value}\n")
        out.write("\n--- template ---\n" + found.template + "\n")
        return 0
    if args.action == "stats":
        blocks = [b for _, b in journal.blocks()]
        events = Counter(e["type"] for e in journal.events())
        out.write(f"data directory: {library.data_dir}\n")
        out.write(f"learned blocks: {len(blocks)}\n")
        rows = [["KIND", "BLOCK", "COUNT"]]
        for (kind, block), count in sorted(
            Counter((b.kind, b.block or "-") for b in blocks).items()
        ):
            rows.append([kind, block, str(count)])
        if len(rows) > 1:
            _table(rows, out)
        out.write(
            "events: " + (", ".join(f"{k} {v}" for k, v in sorted(events.items())) or "none") + "\n"
        )
        _feedback_table(library, out)
        out.write(f"index: {_sync_from_cache(library)}\n")
        return 0
    if args.action == "forget":
        found = journal.get(args.id)
        if found is None or not journal.forget(found.id):
            err.write(f"no block {args.id}\n")
            return 1
        _sync_from_cache(library)  # a forgotten block is never offered, indexed or not
        out.write(f"forgot {found.id}\n")
        return 0
    if args.action == "export":
        with args.file.open("w", encoding="utf-8") as handle:
            for _, learned in journal.blocks():
                handle.write(json.dumps({"block": json.loads(learned.to_json())}) + "\n")
            for event in journal.events():
                handle.write(json.dumps({"event": event}) + "\n")
        out.write(f"exported to {args.file}\n")
        return 0
    if args.action == "import":
        added = 0
        for number, line in enumerate(args.file.read_text(encoding="utf-8").splitlines(), 1):
            try:
                record = json.loads(line)
                if "block" in record:
                    added += journal.add_block(LearnedBlock.from_json(json.dumps(record["block"])))
            except (ValueError, TypeError, KeyError) as exc:
                err.write(f"{args.file}:{number}:1: skipped: {exc}\n")
        library.sync()
        out.write(f"imported {added} new block(s)\n")
        return 0
    if args.action == "wipe-feedback":
        out.write(f"deleted {journal.wipe_events()} event(s)\n")
        return 0
    if args.action == "reindex":
        count = library.reindex()
        out.write(f"reindexed {count} block(s) into {library.store_description}\n")
        return 0
    return 2


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
    """Per pattern: what feedback recorded, the Bayesian keep rate and the lifecycle."""
    stats = fold(library.journal.events())
    if not stats:
        return
    header = ["PATTERN", "SHOWN", "APPLIED", "KEPT", "MODIFIED", "REVERTED", "KEEP", "RETENTION"]
    rows = [[*header, "STATE"]]
    for key, record in sorted(stats.items()):
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


def run(args: argparse.Namespace) -> int:
    if args.command == "learn":
        return learn(args, sys.stdout, sys.stderr)
    return patterns(args, sys.stdout, sys.stderr)
