"""The 20k and 100k pattern stores the server rows run against, built once and cached.

A store is a data directory (journal + indexes) filled by the server's own learning code:
``extract_file`` in a process pool (what ``onex-lsp learn`` runs), ``journal_outcomes``
in batches, ``sync`` with MiniLM (the index queries use), then ``sync`` with the hashing
embedder too, because the server opens that index first at every start: a store that
never saw a server would make every timed session pay for indexing it.

Stores are cached under ``<cache>/store-<blocks>-<key>``; the key hashes the code that
decides what a store holds (learning, generation, templates, the corpus generator, the
embedder id), so a second run reuses them and a change to that code rebuilds them. A big
store starts as a copy of the largest smaller one and learns the corpus files after the
ones that one used. Building runs in its own process (``python bench/stores.py build``).

Usage: python bench/stores.py build --blocks N [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KEYED = ["server/onex_lsp/learning", "server/onex_lsp/generation", "templates", "bench/corpus.py"]
KEYED_FILES = ["server/onex_lsp/__init__.py"]
FORMAT = 2  # bump when the way a store is built changes
_STEP = 200  # files extracted per pool round


def default_cache() -> Path:
    return Path(tempfile.gettempdir()) / "onex-lsp-bench"


def code_key() -> str:
    """What a store depends on, hashed: changing any of it means another store."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    files = [p for d in KEYED for p in sorted((ROOT / d).rglob("*")) if p.is_file()]
    files += [ROOT / f for f in KEYED_FILES]
    for path in files:
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def store_dir(cache: Path, blocks: int) -> Path:
    return cache / f"store-{blocks}-{code_key()}"


def ensure(blocks: int, cache: Path) -> dict[str, Any]:
    """The store's info (``data`` is its data directory), building it first if needed."""
    folder = store_dir(cache, blocks)
    info_file = folder / "info.json"
    built_now = not info_file.exists()
    if built_now:
        print(f"building the {blocks:,}-block store in {folder} (cached for later runs)...")
        command = [
            sys.executable,
            __file__,
            "build",
            "--blocks",
            str(blocks),
            "--cache",
            str(cache),
        ]
        subprocess.run(command, check=True)
    info = json.loads(info_file.read_text())
    return {**info, "data": str(folder / "data"), "built_now": built_now}


def copy_data(info: dict[str, Any], destination: Path) -> Path:
    """A private copy of a store's data directory (sessions write events and learn);
    ``cp --sparse`` keeps the index's sparse files small."""
    subprocess.run(["cp", "-a", "--sparse=always", info["data"], str(destination)], check=True)
    return destination


# -- building (in its own process) ----------------------------------------------------
def _seed(cache: Path, blocks: int, work: Path) -> int:
    """Start from the largest smaller store of this code version; files it used."""
    key = code_key()
    smaller = []
    for folder in cache.glob(f"store-*-{key}"):
        size = int(folder.name.split("-")[1])
        if size < blocks and (folder / "info.json").exists():
            smaller.append((size, folder))
    if not smaller:
        return 0
    _, folder = max(smaller)
    copy_data({"data": str(folder / "data")}, work / "data")
    return int(json.loads((folder / "info.json").read_text())["files_used"])


def _corpus_files(corpus: Path, skip: int) -> Iterator[Path]:
    from corpus import write_project

    project, seen = 0, 0
    while True:
        for path in write_project(corpus, project):
            seen += 1
            if seen > skip:
                yield path
        project += 1


_CONTEXTS: dict[str, str] = {}


def extract(path: str) -> tuple[str, Any]:
    """``extract_file`` (what ``learn`` runs per file), reading each package's contract
    once per worker instead of once per file: the same blocks, and most of the time
    ``extract_file`` takes on a corpus of node packages is that YAML parse."""
    from onex_lsp.learning.blocks import blocks_from_source
    from onex_lsp.learning.worker import package_context

    file = Path(path)
    package = next((str(p) for p in file.parents if p.name.startswith("node_")), "")
    if package not in _CONTEXTS:
        _CONTEXTS[package] = package_context(file)
    return path, blocks_from_source(file.read_text(encoding="utf-8"), path, _CONTEXTS[package])


def _learn(library: Any, corpus: Path, blocks: int, used: int) -> int:
    """Extract corpus files in a pool and journal them until the store holds ``blocks``."""
    from onex_lsp.cli.learn import INDEX_EVERY  # index as often as `learn` does
    from onex_lsp.learning.worker import process_pool

    files = _corpus_files(corpus, used)
    with process_pool(2) as pool:
        while library.journal.head()[0] < blocks:
            step = [str(next(files)) for _ in range(_STEP)]
            outcomes = [(p, o) for p, o in pool.map(extract, step, chunksize=8)]
            if library.journal.head()[0] + 4 * len(outcomes) < blocks:
                library.journal_outcomes(outcomes)  # type: ignore[arg-type]
                used += len(outcomes)
            else:  # close to the target: one file at a time, to stop on it
                for outcome in outcomes:
                    if library.journal.head()[0] >= blocks:
                        break
                    library.journal_outcomes([outcome])  # type: ignore[list-item]
                    used += 1
            if used % INDEX_EVERY < _STEP:
                library.sync()
            print(f"  {library.journal.head()[0]:,} blocks from {used:,} files", flush=True)
    return used


def build(blocks: int, cache: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from onex_lsp.learning.embeddings.hashing import HashingEmbedder
    from onex_lsp.learning.library import PatternLibrary
    from onex_lsp.services import load_model_embedder
    from onex_lsp.settings import Settings

    target = store_dir(cache, blocks)
    work = target.with_name(target.name + ".building")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    used_before = _seed(cache, blocks, work)
    embedder = load_model_embedder(Settings(embedder="minilm"))
    if embedder is None:
        raise SystemExit("MiniLM is not installed: the stores need the model's vector space")
    library = PatternLibrary(work / "data", embedder)
    started = time.perf_counter()
    used = _learn(library, cache / f"corpus-{code_key()}", blocks, used_before)
    learned = time.perf_counter()
    library.sync()
    indexed = time.perf_counter()
    library.use_embedder(HashingEmbedder())
    library.sync()
    hashed = time.perf_counter()
    count = library.journal.head()[0]
    library.close()
    # Allocated blocks: the index's files are sparse (32 MB each, mostly holes).
    size = sum(p.stat().st_blocks * 512 for p in (work / "data").rglob("*") if p.is_file())
    info = {
        "blocks": count,
        "files_used": used,
        "seeded_from_files": used_before,
        "embedder": embedder.id,
        "extract_journal_s": round(learned - started, 1),
        "minilm_index_s": round(indexed - learned, 1),
        "hashing_index_s": round(hashed - indexed, 1),
        "total_s": round(hashed - started, 1),
        "disk_mb": round(size / 1e6),
        "key": code_key(),
        "built_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    (work / "info.json").write_text(json.dumps(info, indent=1))
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    print(f"store ready: {json.dumps(info)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["build"])
    parser.add_argument("--blocks", type=int, required=True)
    parser.add_argument("--cache", type=Path, default=default_cache())
    args = parser.parse_args()
    build(args.blocks, args.cache)


if __name__ == "__main__":
    main()
