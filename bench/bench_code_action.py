"""codeAction latency while the server learns a 1,000-line accepted file on save (issue #11).

Usage: python bench/bench_code_action.py [--requests N] [--saves N] [--pythonpath DIR]

A real server over stdio (hashing embedder): generate a node package and accept it, open
one of its handlers, then time ``refactor.onex.insertPattern`` code actions on it (they
query the pattern library): first idle, then back to back while the server learns a
1,000-line module of the package that changes at each save (every block is new, so each
save extracts, journals, embeds and indexes). A second baseline saves the same text in a
file that is not learned: the document traffic alone (a 40 KB didChange) costs some
latency too. ``--pythonpath`` runs another checkout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from lsprotocol import types as lsp  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402
from pytest_lsp.client import make_test_lsp_client  # noqa: E402
from server_rows import big_module  # noqa: E402

from tests.e2e.lsp_client import apply_action, initialize, open_document, request_actions  # noqa: E402


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


KINDS = {"contract": "source.onex.generateNode", "handler": "refactor.onex.insertPattern"}


async def timed_actions(client: LanguageClient, targets: dict[str, str]) -> dict[str, float]:
    """One code action request per target document (contract and handler), in ms."""
    times = {}
    for name, doc_uri in targets.items():
        started = time.perf_counter()
        await request_actions(client, doc_uri, KINDS[name])
        times[name] = (time.perf_counter() - started) * 1000
    return times


async def while_saving(
    client: LanguageClient, targets: dict[str, str], big: Path, saves: int, window: float
) -> tuple[list[dict[str, float]], list[float]]:
    """Save ``big`` ``saves`` times (a new text each time, sent as editors do: didChange
    with the whole text, then didSave); time code actions for ``window`` seconds after
    each save, and until the server says it learned the file when it is accepted."""
    samples, learn_times = [], []
    big.write_text(big_module(0))
    big_uri = open_document(client, big, language="python")
    learns = big.parent.name == "handlers"
    for save in range(1, saves + 1):
        text = big_module(save)
        big.write_text(text)
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=big_uri, version=save + 1),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        seen = _learned(client, big)
        started = time.perf_counter()
        client.text_document_did_save(
            lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=big_uri))
        )
        while time.perf_counter() - started < window or (learns and _learned(client, big) == seen):
            samples.append(await timed_actions(client, targets))
            if time.perf_counter() - started > 120:
                tail = "\n".join(m.message for m in client.log_messages[-5:])
                raise TimeoutError(f"the save was never learned; the server said:\n{tail}")
        if learns:
            learn_times.append((time.perf_counter() - started) * 1000)
    return samples, learn_times


def _learned(client: LanguageClient, big: Path) -> int:
    return sum(1 for m in client.log_messages if f"from {big.name}" in m.message)


async def run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="onex-bench-"))
    env = {**os.environ, "ONEX_LSP_DATA_DIR": str(work / "data")}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "onex_lsp", "serve", env=env)
    try:
        options = {
            "onex": {
                "diagnosticsDelayMs": 20,
                "embedder": "hashing",
                "store": {"perWorkspace": True},
            }
        }
        await initialize(client, "visual-studio-code", work, options)
        contract = work / "users" / "user_management_effect.yaml"
        contract.parent.mkdir()
        shutil.copy(ROOT / "examples" / "contracts" / contract.name, contract)
        contract_uri = open_document(client, contract)
        (action,) = await request_actions(client, contract_uri, KINDS["contract"])
        await apply_action(client, action)
        handlers = contract.parent / "node_user_management_effect" / "handlers"
        handler_uri = open_document(client, handlers / "handler_create_user.py", language="python")
        targets = {"contract": contract_uri, "handler": handler_uri}
        for _ in range(5):  # warm-up
            await timed_actions(client, targets)
        idle = [await timed_actions(client, targets) for _ in range(args.requests)]
        # The same document traffic for a file that is not learned (outside the package).
        synced, _ = await while_saving(client, targets, work / "scratch.py", args.saves, 0.4)
        busy, learn_times = await while_saving(
            client, targets, handlers / "handler_bulk.py", args.saves, 0.4
        )
    finally:
        await client.shutdown_session()
        shutil.rmtree(work, ignore_errors=True)
    lines = big_module(0).count("\n")
    print(
        f"\ncodeAction latency while a {lines}-line accepted file is learned on save (hashing embedder)"
    )
    print(f"{'request':48} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'p95/idle':>9}")
    for name, kind in KINDS.items():
        quiet = [sample[name] for sample in idle]
        for state, samples in (
            ("idle", quiet),
            ("saving a file not learned", [sample[name] for sample in synced]),
            ("while learning", [sample[name] for sample in busy]),
        ):
            ratio = percentile(samples, 0.95) / percentile(quiet, 0.95)
            label = f"{name} ({kind}), {state}"
            print(
                f"{label:48} {len(samples):>5} {statistics.median(samples):>10.1f} {percentile(samples, 0.95):>8.1f} {ratio:>8.2f}x"
            )
    print(
        f"save -> learned (median of {len(learn_times)}): {statistics.median(learn_times):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100, help="idle requests")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--pythonpath", help="run the server from another checkout's server/")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
