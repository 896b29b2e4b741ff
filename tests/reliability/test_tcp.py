"""``serve --tcp`` has no authentication and its commands write files: it listens on a
non-loopback address only with ``--allow-remote``, and says why otherwise."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

SERVE = [sys.executable, "-m", "onex_lsp", "serve", "--tcp"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_a_non_loopback_host_is_refused_with_the_reason(host: str) -> None:
    result = subprocess.run(
        [*SERVE, "--host", host, "--port", str(_free_port())],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no authentication" in result.stderr and "--allow-remote" in result.stderr
    assert result.stdout == ""


def _listens(command: list[str], port: int) -> bool:
    """Start ``command`` and say whether it accepts a TCP connection on ``port``."""
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.2)
        return False
    finally:
        server.kill()
        server.wait()


def test_loopback_serves_without_the_flag() -> None:
    port = _free_port()
    assert _listens([*SERVE, "--host", "127.0.0.1", "--port", str(port)], port)


def test_allow_remote_lets_it_listen_on_every_address() -> None:
    port = _free_port()
    assert _listens([*SERVE, "--host", "0.0.0.0", "--port", str(port), "--allow-remote"], port)
