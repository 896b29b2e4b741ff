"""A background thread that retries what is down until everything is back.

Storage outages (a read-only or full data directory, an unreachable Qdrant, a damaged
index) must heal without a restart and without a retry on any request path: whatever
notices a problem pokes the supervisor, which calls ``attempt`` whenever its backoff
says so and stops once ``attempt`` reports that all is well.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
_AFTER_A_BUG = 5.0  # seconds before trying again when an attempt itself raised


class Supervisor:
    """``attempt()`` returns ``None`` when healthy, else the seconds until the next try."""

    def __init__(self, attempt: Callable[[], float | None], name: str) -> None:
        self._attempt = attempt
        self._name = name
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def poke(self) -> None:
        """Something went wrong (or may be fixed): make sure recovery is running."""
        with self._lock:
            if self._stopped:
                return
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.clear()
            try:
                delay = self._attempt()
            except Exception as exc:  # a bug here must not end recovery for good
                log.error("storage recovery failed: %s", exc, exc_info=exc)
                delay = _AFTER_A_BUG
            if delay is None:
                with self._lock:
                    if not self._wake.is_set():
                        self._thread = None
                        return
                continue
            self._wake.wait(max(delay, 0.01))

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._wake.set()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
