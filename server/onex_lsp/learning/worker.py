"""Extraction off the caller's process: one long-lived worker for the server, a pool for
bulk learning.

Parsing is pure Python (``ast``, ``tokenize``, libcst for newer syntax) and holds the GIL:
run in a thread of the language server, it starves the request loop. The server's worker
also journals a saved file's blocks (its own connection to the journal, which is
SQLite in WAL mode for several processes) and returns only the new ones; indexing stays
with the caller (the index lock belongs to it). Pool workers return ``LearnOutcome``
values, journalled by the caller in batches.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from onex_lsp.contract.reader import load_contract
from onex_lsp.learning.blocks import LearnOutcome, blocks_from_source
from onex_lsp.learning.journal import Journal, JournalUnavailable
from onex_lsp.learning.journalling import LearnReport, journal_outcomes
from onex_lsp.learning.lineage import Origin

log = logging.getLogger(__name__)
T = TypeVar("T")
_BACKGROUND_NICENESS = 19  # learning on save is background work on the editor's machine


def package_context(path: Path) -> str:
    """The description of the contract of the node package a file belongs to, if any."""
    for folder in path.parents:
        contract_file = folder / "contract.yaml"
        if folder.name.startswith("node_") and contract_file.is_file():
            try:
                contract = load_contract(
                    contract_file.read_text(encoding="utf-8"), str(contract_file)
                )
            except OSError:
                return ""
            return contract.contract.description if contract.contract else ""
    return ""


def extract_source(source: str, path: str) -> LearnOutcome:
    """A saved file's blocks, with the context of the node package it is in."""
    return blocks_from_source(source, path, package_context(Path(path)))


def extract_file(path: str) -> tuple[str, LearnOutcome | str]:
    """A file's blocks, or why it could not be read (runs in a pool worker)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return path, str(exc)
    return path, extract_source(text, path)


_journals: dict[Path, Journal] = {}  # the worker process's own journal connections


def learn_source(
    source: str, path: str, journal_path: Path, origins: Sequence[Origin]
) -> LearnReport:
    """Extract a saved file's blocks and journal them (runs in the worker): the caller
    only receives the new blocks. Raises ``JournalUnavailable`` like the library."""
    outcome = extract_source(source, path)
    journal = _journals.get(journal_path)
    if journal is None:
        journal = _journals[journal_path] = Journal(journal_path)
    try:
        (report,) = journal_outcomes(journal, [(path, outcome)], origins)
    except JournalUnavailable:
        del _journals[journal_path]  # the next save opens it again
        journal.close()
        raise
    return report


def _init_worker(parent: int, niceness: int) -> None:
    """The server's stdout is the LSP channel: a worker writes nothing there (anything
    printed goes to stderr). A worker whose parent was killed (no shutdown) exits. A
    background worker yields the CPU to the editor's requests (``niceness``)."""
    if niceness:
        os.nice(niceness)
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def process_pool(workers: int, niceness: int = 0) -> ProcessPoolExecutor:
    """``spawn``: forking a process that runs threads (asyncio, the index) is unsafe."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(os.getpid(), niceness),
    )


def _background_thread() -> None:
    """Give the calling thread the background priority (Linux schedules each thread on
    its own: this leaves the process's other threads as they are)."""
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _BACKGROUND_NICENESS)
        except OSError as exc:
            log.debug("learning thread keeps its priority: %s", exc)


def background_thread_pool(name: str) -> ThreadPoolExecutor:
    """One thread at background priority, for the server's learning work that stays in
    its process (indexing new blocks: the model's runs take a core from the requests)."""
    return ThreadPoolExecutor(1, thread_name_prefix=name, initializer=_background_thread)


class ExtractionWorker:
    """One worker process, started on first use and replaced when it dies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = process_pool(1, niceness=_BACKGROUND_NICENESS)
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def extract(self, source: str, path: str) -> LearnOutcome:
        """``extract_source`` in the worker, reading the package's contract there too
        (blocking: call from a thread). A crashed worker is replaced once; a file that
        crashes a fresh worker too raises."""
        return self._submit(extract_source, source, path)

    def _submit(self, work: Callable[..., T], *args: Any) -> T:
        for attempt in (1, 2):
            pool = self._executor()
            try:
                return pool.submit(work, *args).result()
            except BrokenProcessPool:
                log.warning("the extraction worker died; starting a new one")
                self._discard(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def learn(
        self, source: str, path: str, journal_path: Path, origins: Sequence[Origin]
    ) -> LearnReport:
        """``learn_source`` in the worker (blocking: call from a thread)."""
        return self._submit(learn_source, source, path, journal_path, origins)

    def pid(self) -> int:
        """The worker process's id (starting it if needed)."""
        return self._executor().submit(os.getpid).result()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
