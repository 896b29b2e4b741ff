"""Where the time goes, for a row that misses its target: py-spy on the real process.

Usage:
    python bench/profile.py codeaction [--blocks 20000]   # the server while listing actions
    python bench/profile.py resolve [--blocks 20000]      # ... while resolving "generate node"
    python bench/profile.py learning [--blocks 20000]     # ... while learning a saved file
    python bench/profile.py edit [--blocks 20000]         # ... listing after each contract edit
    python bench/profile.py --top 30 command -- python -m onex_lsp patterns --data-dir D stats

The server runs as in the suite (same store copy, same client); py-spy samples it from
outside (``py-spy record --format raw``, all threads) while the workload runs, and the
stacks are folded into inclusive and self time per function. Needs ``pip install
py-spy`` (the ``bench`` extra) and permission to ptrace the server.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import onex_session as s  # noqa: E402
import server_rows  # noqa: E402
import stores  # noqa: E402
from lspclient import code_action_params  # noqa: E402

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str:
    found = Path(sys.executable).parent / "py-spy"
    return str(found) if found.exists() else shutil.which("py-spy") or "py-spy"


def fold(raw: Path, top: int, root: str | None = None) -> str:
    """Inclusive and self samples per function from py-spy's raw (collapsed) output;
    with ``root``, only stacks that pass through a function matching it."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_short(f) for f in stack.split(";")]
        if root and not any(root in f for f in frames):
            continue
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        own[frames[-1]] += int(count)
    if not total:
        return "no samples"
    lines = [f"{total} samples{f' through {root}' if root else ''}", "inclusive:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    lines.append("self:")
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """``function (path/to/file.py:12)`` -> ``function (file.py)``: lines merged."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match.group("file")
    parts = Path(path).parts
    short = "/".join(parts[parts.index("onex_lsp") :]) if "onex_lsp" in parts else Path(path).name
    return f"{match.group('function')} ({short})"


async def workload(kind: str, blocks: int, seconds: float, out: Path) -> None:
    """Start a server on the store, then sample it with py-spy while ``kind`` runs."""
    work = Path(tempfile.mkdtemp(prefix="onex-profile-"))
    info = stores.ensure(blocks, stores.default_cache())
    data = stores.copy_data(info, work / "data")
    client, _ = await s.start(work, data, "minilm")
    try:
        uri = await s.open_contract(client, s.contract_path(work))
        package = None
        if kind == "learning":
            package = await s.accept_package(client, s.contract_path(work, s.ACCEPTED))
        (action, *_) = await s.generate_actions(client, uri)
        command = [py_spy(), "record", "--format", "raw", "--rate", "250", "--threads"]
        spy = subprocess.Popen(
            [
                *command,
                "--output",
                str(out),
                "--pid",
                str(client.pid),
                "--duration",
                str(int(seconds)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        await asyncio.sleep(1.0)  # py-spy attaches
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds - 1.5
        rounds = 0
        while loop.time() < deadline:
            rounds += 2
            if kind == "codeaction":
                await client.request(
                    "textDocument/codeAction", code_action_params(uri, only=s.SOURCE_MENU)
                )
            elif kind == "resolve":
                await client.request("codeAction/resolve", action)
            elif kind == "edit":
                await server_rows.after_edits(client, uri, s.contract_path(work), 1, rounds)
            else:
                assert package is not None
                await server_rows.while_learning(client, uri, package, 1)
        spy.wait()
    finally:
        await client.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("kind", choices=["codeaction", "resolve", "learning", "edit", "command"])
    parser.add_argument(
        "command", nargs="*", help="for 'command': what to run under py-spy, after --"
    )
    parser.add_argument("--blocks", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--root", help="only stacks through a function matching this")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw output here")
    args = parser.parse_args()
    out = args.raw or Path(tempfile.mkdtemp()) / "profile.txt"
    if args.kind == "command":
        record = [py_spy(), "record", "--format", "raw", "--rate", "250", "--subprocesses"]
        subprocess.run([*record, "--output", str(out), "--", *args.command], check=False)
    else:
        asyncio.run(workload(args.kind, args.blocks, args.seconds, out))
    print(fold(out, args.top, args.root))


if __name__ == "__main__":
    main()
