"""Rows that are not a request: extraction, retention, the learned-block query and its
recall, and the ``learn`` / ``patterns stats`` commands as a user runs them.

Each row runs in its own process (``python bench/local_rows.py ROW ...``, JSON on the
last line of stdout) so that what one row imports or allocates never weighs on another,
nor on the LSP client that times the servers.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT / ".venv312" / "lib" / "python3.12" / "site-packages" / "omnibase_core"
THOUSAND_LINES = CORPUS / "mixins" / "mixin_health_check.py"


def extraction(repeats: int) -> dict[str, Any]:
    """``blocks_from_source`` (what the worker runs on save) on a 1,000-line file, with
    ``extract_blocks`` (no templates) and ``ast.parse`` (the floor) taking turns."""
    from measure import interleaved

    from onex_lsp.learning.blocks import blocks_from_source
    from onex_lsp.learning.extraction import extract_blocks

    if THOUSAND_LINES.exists():
        path, source = THOUSAND_LINES, THOUSAND_LINES.read_text()
    else:  # no framework venv: the suite's own 1,000-line module
        from server_rows import big_module

        path, source = HERE / "handler_bulk.py", big_module(1)
    functions = {
        "blocks_from_source": lambda: blocks_from_source(source, str(path)),
        "extract_blocks": lambda: extract_blocks(source),
        "ast.parse": lambda: ast.parse(source),
    }
    return {
        "file": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name),
        "lines": source.count("\n"),
        "blocks": len(blocks_from_source(source, str(path)).blocks),
        **interleaved(functions, repeats),
    }


def retention(repeats: int) -> dict[str, Any]:
    """A checkpoint of a 3,000-token handler after 10% of its tokens were edited: the
    distance between the inserted and current token hashes (``retention``), and with
    the hashing of the current text's tokens that a checkpoint does first."""
    from measure import interleaved

    from onex_lsp.feedback.tracker import retention as measure
    from onex_lsp.feedback.tracker import token_hashes

    rng = random.Random(11)
    words = ["request", "payload", "(", ")", ":", "return", "repository", ".", "=", "if", "raise"]
    inserted_text = " ".join(rng.choice(words) for _ in range(3000))
    tokens = inserted_text.split()
    for _ in range(300):
        at = rng.randrange(len(tokens))
        tokens[at : at + 1] = rng.choice([[], ["value"], [tokens[at], "x"]])
    current_text = " ".join(tokens)
    inserted = token_hashes(inserted_text)
    current = token_hashes(current_text)
    functions = {
        "retention": lambda: measure(inserted, current),
        "checkpoint": lambda: measure(inserted, token_hashes(current_text)),
    }
    return {
        "tokens": len(inserted),
        "value": measure(inserted, current),
        **interleaved(functions, repeats, warmup=5),
    }


def _queries(count: int) -> list[tuple[str, str, str]]:
    """(node kind, block, query text) for contracts the store never saw, the way
    ``learned_options`` asks."""
    from corpus import query_contract

    from onex_lsp.contract.reader import load_contract
    from onex_lsp.generation.detection import detect_contract
    from onex_lsp.generation.ranking import choose_handlers
    from onex_lsp.learning.blocks import describe

    found: list[tuple[str, str, str]] = []
    index = 0
    while len(found) < count:
        _, _, _, text = query_contract(index)
        index += 1
        contract = load_contract(text, "query.yaml").contract
        assert contract is not None
        kind = contract.kind.value
        for choice in choose_handlers(contract, detect_contract(contract), 0.7):
            if choice.block != "stub":
                query = describe(kind, choice.block, choice.operation, contract.description)
                found.append((kind, choice.block, query))
    return found[:count]


def _exact_index(library: Any) -> dict[tuple[str, str], tuple[list[str], np.ndarray]]:
    """Every indexed handler's vector from the journal, by (node kind, block): the
    ground truth for exact top-k."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for _, block in library.journal.blocks():
        if block.kind == "handler":
            groups.setdefault((block.node_kind or "", block.block or ""), []).append(block)
    index = {}
    embedder_id = library.embedder_id
    for key, blocks in groups.items():
        vectors = library.journal.cached_embeddings(embedder_id, [b.embedding_text for b in blocks])
        matrix = np.array([vectors[b.embedding_text] for b in blocks], dtype=np.float32)
        index[key] = ([b.id for b in blocks], matrix)
    return index


def _recall(
    store_hits: list[Any], ids: list[str], matrix: np.ndarray, vector: list[float]
) -> float:
    """Share of the store's top 5 that belong to the exact top 5 (ties count as right)."""
    scores = matrix @ np.array(vector, dtype=np.float32)
    k = min(5, len(ids))
    if k == 0:
        return 1.0
    kth = np.sort(scores)[-k]
    by_id = dict(zip(ids, scores.tolist(), strict=True))
    right = sum(1 for hit in store_hits[:k] if by_id.get(hit.id, -2.0) >= kth - 1e-5)
    return right / k


def query(store: Path, count: int) -> dict[str, Any]:
    """``PatternLibrary.candidates`` on a store: new query texts (MiniLM embeds them),
    the same texts again (cached vectors), the index search alone; recall@5 of the
    index against an exact scan of the same vectors."""
    from onex_lsp.learning.library import PatternLibrary, Query
    from onex_lsp.services import load_model_embedder
    from onex_lsp.settings import Settings

    embedder = load_model_embedder(Settings(embedder="minilm"))
    assert embedder is not None
    library = PatternLibrary(store, embedder)
    library.sync()
    queries = _queries(count)
    cold, warm, search, recalls = [], [], [], []
    exact = _exact_index(library)
    for kind, block, text in queries:
        for samples in (cold, warm):
            started = time.perf_counter()
            library.candidates(kind, block, text)
            samples.append((time.perf_counter() - started) * 1000)
        (vector,) = library._embedder.embed([text])
        match = Query(kind, block, text).match()  # what candidates() filters on
        started = time.perf_counter()
        hits = library._keeper.search(vector, match, 10)  # the index alone, no embedding
        search.append((time.perf_counter() - started) * 1000)
        ids, matrix = exact.get((kind, block), ([], np.zeros((0, 384), np.float32)))
        recalls.append(_recall(hits, ids, matrix, vector))
    blocks = library.journal.head()[0]
    sizes = [len(ids) for ids, _ in exact.values()]
    library.close()
    return {
        "blocks": blocks,
        "queries": len(queries),
        "filtered_sizes": [min(sizes), int(np.median(sizes)), max(sizes)],
        "cold": cold,
        "warm": warm,
        "search": search,
        "recall": recalls,
    }


def run_command(command: list[str], timeout: float = 3600) -> dict[str, Any]:
    """A command's wall time, peak RSS (its own, from wait4) and output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    return {
        "seconds": elapsed,
        "peak_mb": usage.ru_maxrss / 1024,
        "status": proc.returncode,
        "stdout": stdout,
        "stderr": stderr,
    }


def learn(corpus: Path, embedder: str) -> dict[str, Any]:
    """``onex-lsp learn`` over a corpus into a new data directory."""
    from measure import learn_command, python_files

    files = python_files(corpus)
    with tempfile.TemporaryDirectory() as data:
        result = run_command(learn_command(corpus, data, embedder))
    summary = result["stdout"].splitlines()[0] if result["stdout"] else ""
    learned = re.search(r"learned (\d+)", summary)
    skipped = re.search(r"(\d+) skipped", summary)
    return {
        "embedder": embedder,
        "files": files,
        "seconds": result["seconds"],
        "files_per_s": files / result["seconds"],
        "peak_mb": result["peak_mb"],
        "crashes": result["stderr"].count("Traceback") + (result["status"] != 0),
        "learned": int(learned.group(1)) if learned else None,
        "skipped": int(skipped.group(1)) if skipped else None,
        "summary": summary,
    }


def stats(store: Path, repeats: int) -> dict[str, Any]:
    """``onex-lsp patterns stats`` on a store: wall time and peak RSS per run."""
    command = [sys.executable, "-m", "onex_lsp", "patterns", "--data-dir", str(store), "stats"]
    runs = [run_command(command) for _ in range(repeats)]
    return {
        "seconds": [r["seconds"] for r in runs],
        "peak_mb": [r["peak_mb"] for r in runs],
        "status": [r["status"] for r in runs],
        "head": runs[-1]["stdout"].splitlines()[:2],
    }


def install() -> dict[str, Any]:
    """``pip install .`` into a new venv (the default, torch-free install); its size on
    disk and its five biggest packages."""
    python = os.environ.get("ONEX_BENCH_PYTHON", "python3")
    with tempfile.TemporaryDirectory() as folder:
        venv = Path(folder) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        result = run_command([*pip, "--disable-pip-version-check", str(ROOT)])
        if result["status"] != 0:
            return {"error": result["stderr"][-2000:]}
        total = _disk_kb(venv)
        site = next(venv.glob("lib/python*/site-packages"))
        biggest = sorted(((_disk_kb(p), p.name) for p in site.iterdir()), reverse=True)[:6]
        version = subprocess.run(
            [str(venv / "bin" / "python"), "--version"], capture_output=True, text=True
        ).stdout.strip()
    return {
        "python": version,
        "mb": total / 1024,
        "install_s": result["seconds"],
        "biggest": [[name, round(kb / 1024)] for kb, name in biggest],
    }


def _disk_kb(path: Path) -> int:
    return int(
        subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True).stdout.split()[0]
    )


def main() -> None:
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "row", choices=["extraction", "retention", "query", "learn", "stats", "install"]
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--embedder", default="minilm")
    args = parser.parse_args()
    if args.row == "extraction":
        result = extraction(args.repeats)
    elif args.row == "retention":
        result = retention(args.repeats)
    elif args.row == "query":
        result = query(args.store, args.repeats)
    elif args.row == "learn":
        result = learn(args.corpus, args.embedder)
    elif args.row == "stats":
        result = stats(args.store, args.repeats)
    else:
        result = install()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
