"""A tripwire for blocking work on the event loop, armed in tests.

The server answers every request on one asyncio loop; a journal query or a file read
there stalls every editor request behind it. Code that touches the disk calls
``assert_off_loop``: with ``ONEX_LSP_CHECK_LOOP=1`` in the environment it raises when it
runs on a thread with a running event loop; otherwise it costs one attribute read.
"""

from __future__ import annotations

import asyncio
import logging
import os

log = logging.getLogger(__name__)
ARMED = os.environ.get("ONEX_LSP_CHECK_LOOP") == "1"
MARKER = "blocking I/O on the event loop"


class BlockingOnLoopError(AssertionError):
    """Raised (only when armed) by disk access on the event loop's thread."""


def on_loop_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def assert_off_loop(what: str) -> None:
    """Fail loudly, when armed, if ``what`` (a disk operation) runs on the event loop."""
    if ARMED and on_loop_thread():
        log.error("%s: %s", MARKER, what)
        raise BlockingOnLoopError(f"{MARKER}: {what}")
