"""Embedding backends side by side: import, load, throughput, latency, memory, agreement.

Usage: python bench/bench_embeddings.py [--texts N] [--backends minilm,sentence-transformers,hashing]
Each backend runs in fresh processes (so imports are really cold-ish and memory is its
own): one with an empty model cache (the first start: conversion), one with the cache
filled. Prints a table, then the worst cosine of each ONNX model (fp32, int8) against
sentence-transformers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BACKENDS = ["minilm", "minilm-int8", "sentence-transformers", "hashing"]
# The library each backend needs (sentence-transformers' is imported when it loads).
LIBRARIES = {
    "minilm": "onnxruntime",
    "minilm-int8": "onnxruntime",
    "sentence-transformers": "sentence_transformers",
}
MODULES = {
    "minilm": ("onex_lsp.learning.embeddings.minilm_onnx", "OnnxMiniLMEmbedder"),
    "minilm-int8": ("onex_lsp.learning.embeddings.minilm_onnx", "OnnxMiniLMEmbedder"),
    "sentence-transformers": (
        "onex_lsp.learning.embeddings.minilm_torch",
        "SentenceTransformersEmbedder",
    ),
    "hashing": ("onex_lsp.learning.embeddings.hashing", "HashingEmbedder"),
}


def snippets(count: int) -> list[str]:
    """Handler-sized snippets of ~35-40 tokens, all different."""
    verbs = ["create", "get", "update", "delete", "list", "normalize", "sum", "merge"]
    return [
        f"async def handle_{verbs[i % 8]}_item{i}(request, repository):\n"
        f"    record = dict(request.payload)  # step {i}\n"
        f"    return await repository.{verbs[i % 8]}(record['id{i}'])"
        for i in range(count)
    ]


def rss_mb(field: str = "VmRSS") -> float:
    """The resident set (or its peak, ``VmHWM``) in MB."""
    with open("/proc/self/status") as handle:
        line = next(line for line in handle if line.startswith(field + ":"))
    return int(line.split()[1]) / 1000


def worker(backend: str, texts: int, vectors_file: str | None) -> dict[str, Any]:
    base = rss_mb()
    module_name, class_name = MODULES[backend]
    started = time.perf_counter()
    if backend in LIBRARIES:
        __import__(LIBRARIES[backend])
    module = __import__(module_name, fromlist=[class_name])
    imported = time.perf_counter()
    options = {"int8": True} if backend == "minilm-int8" else {}
    embedder = getattr(module, class_name)(**options)
    loaded = time.perf_counter()
    corpus = snippets(texts)
    embedder.embed(corpus[:32])  # warm up
    t0 = time.perf_counter()
    for start in range(0, len(corpus), 32):
        embedder.embed(corpus[start : start + 32])
    throughput = len(corpus) / (time.perf_counter() - t0)
    singles = []
    for text in corpus[:30]:
        t1 = time.perf_counter()
        embedder.embed([text])
        singles.append(time.perf_counter() - t1)
    steady = rss_mb() - base
    if vectors_file:  # the 53 test texts, several past 256 tokens: the memory peak
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.unit.minilm_texts import TEXTS

        Path(vectors_file).write_text(json.dumps(embedder.embed(TEXTS)))
    return {
        "import": imported - started,
        "load": loaded - imported,
        "per_s": throughput,
        "single_ms": statistics.median(singles) * 1000,
        "rss": steady,
        "peak": rss_mb("VmHWM") - base,
    }


def run_worker(backend: str, texts: int, env: dict[str, str], vectors: str | None) -> Any:
    command = [sys.executable, __file__, "--worker", backend, "--texts", str(texts)]
    if vectors:
        command += ["--vectors", vectors]
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=320)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--worker", choices=BACKENDS)
    parser.add_argument("--vectors")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.texts, args.vectors)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ONEX_LSP_MODEL_CACHE": str(Path(tmp) / "models")}
        env["HF_HUB_OFFLINE"] = "1"
        rows = [HEADER] + [_row(b, args.texts, env, Path(tmp)) for b in args.backends.split(",")]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        _agreement(Path(tmp))


HEADER = ["backend", "import s", "load s (first/cached)", "texts/s @32", "1 text ms"]
HEADER += ["RSS +MB", "peak +MB"]


def _row(backend: str, texts: int, env: dict[str, str], tmp: Path) -> list[str]:
    first = run_worker(backend, 64, env, None)  # empty cache: converts (minilm, fp32)
    cached = run_worker(backend, texts, env, str(tmp / f"{backend}.json"))
    if "error" in cached or "error" in first:
        return [backend, cached.get("error") or first.get("error"), *[""] * 5]
    return [
        backend,
        f"{cached['import']:.2f}",
        f"{first['load']:.2f} / {cached['load']:.2f}",
        f"{cached['per_s']:.0f}",
        f"{cached['single_ms']:.1f}",
        f"{cached['rss']:.0f}",
        f"{cached['peak']:.0f}",
    ]


def _agreement(tmp: Path) -> None:
    reference = tmp / "sentence-transformers.json"
    for backend in ("minilm", "minilm-int8"):
        ours = tmp / f"{backend}.json"
        if not (ours.exists() and reference.exists()):
            continue
        pairs = zip(json.loads(ours.read_text()), json.loads(reference.read_text()), strict=True)
        cosines = [cosine(a, b) for a, b in pairs]
        print(f"{backend} vs sentence-transformers on {len(cosines)} texts: worst cosine "
              f"{min(cosines):.9f}, mean {statistics.mean(cosines):.9f}")  # fmt: skip


if __name__ == "__main__":
    main()
