"""Journal writes handed to one background thread, in order.

The event loop records an event and moves on: the writer thread does the SQLite work.
``flush`` (blocking; run it in a worker thread) waits until everything handed over is
written, which shutdown and readers of the journal use to see their own writes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from onex_lsp.learning.journal import Journal

log = logging.getLogger(__name__)
T = TypeVar("T")


class JournalWriter:
    """Owns the journal while the server runs; ``None`` until the library opens."""

    def __init__(self) -> None:
        self._journal: Journal | None = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="onex-journal")

    def attach(self, journal: Journal | None) -> None:
        with self._lock:
            self._journal = journal

    @property
    def attached(self) -> bool:
        return self._journal is not None

    def record(self, kind: str, block_id: str | None, payload: dict[str, Any]) -> None:
        """Queue one event; failures are logged on the writer thread, never raised here."""
        journal = self._journal
        if journal is not None:
            self._executor.submit(self._write, journal, kind, block_id, dict(payload))

    @staticmethod
    def _write(journal: Journal, kind: str, block_id: str | None, payload: dict[str, Any]) -> None:
        try:
            journal.record(kind, block_id, payload)
        except Exception as exc:
            log.warning("could not journal %s: %s", kind, exc)

    def run(self, job: Callable[[Journal], T]) -> Future[T | None]:
        """Run ``job`` on the writer thread after everything queued before it."""
        journal = self._journal

        def call() -> T | None:
            return job(journal) if journal is not None else None

        return self._executor.submit(call)

    def flush(self) -> None:
        """Blocking: wait until every queued event is written."""
        self._executor.submit(lambda: None).result()

    def close(self) -> None:
        """Blocking: write what is queued, then stop the thread; later events are dropped."""
        self.attach(None)
        self._executor.shutdown(wait=True)
