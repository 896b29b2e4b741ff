"""Shared pieces of the reliability tests: learnable handlers, fast retry policies,
an injectable free-space probe, and polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from onex_lsp.learning.index_keeper import StoragePolicy
from tests.unit.test_library import handler, path

__all__ = ["GB", "FreeSpace", "fast_policy", "handler", "path", "wait_until"]

GB = 1024**3


class FreeSpace:
    """A free-space probe the test sets: filling a real disk is not something a test
    suite may do (the embedded index's SIGBUS would take pytest down with it)."""

    def __init__(self, free: int = 100 * GB) -> None:
        self.free = free
        self.asked = 0

    def __call__(self, where: Path) -> int:
        self.asked += 1
        return self.free


def fast_policy(free_space: Callable[[Path], int] | None = None) -> StoragePolicy:
    """Retries after 50 ms (doubling, at most 0.4 s): recovery is observable in a test."""
    if free_space is None:
        return StoragePolicy(retry_first=0.05, retry_cap=0.4)
    return StoragePolicy(retry_first=0.05, retry_cap=0.4, free_space=free_space)


def wait_until(predicate: Callable[[], object], timeout: float = 20.0) -> float:
    """Seconds it took ``predicate`` to hold; fails the test after ``timeout``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"still not true after {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - started


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in tests/reliability carries the ``reliability`` marker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)
