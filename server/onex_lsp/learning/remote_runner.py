"""One thread for every call to a network index (``IndexKeeper``): callers wait for it
within a budget, or not at all, so a server that accepts and never answers costs a query
that budget, not its timeout."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")


class RemoteRunner:
    """One thread for every call to a network index; callers wait for it or not at all."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="onex-index")
        self._inflight: Future[Any] | None = None

    def busy(self) -> bool:
        return self._inflight is not None and not self._inflight.done()

    def submit(self, job: Callable[[], T]) -> Future[T]:
        future = self._pool.submit(job)
        self._inflight = future
        return future

    def run(self, job: Callable[[], T], budget: float | None) -> T | None:
        """``job``'s result, or ``None`` if it takes longer than ``budget`` (it goes on)."""
        try:
            return self.submit(job).result(timeout=budget)
        except FutureTimeout:
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
