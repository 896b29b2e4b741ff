"""Learning and query figures for the pattern library (embedded Qdrant).

Usage: python bench/bench_library.py [--embedder minilm|sentence-transformers|hashing] [--blocks N]
Learns N synthetic handler modules, then times queries. Prints figures.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.services import load_model_embedder
from onex_lsp.settings import EMBEDDERS, Settings

HANDLER = '''from ..models.model_shop_input import ModelShopInput
from ..models.model_shop_output import ModelShopOutput


def handle_total_{name}(request: ModelShopInput) -> ModelShopOutput:
    """Sum {name} amounts."""
    total = sum(float(item.get("{name}", 0)) * {n} for item in request.items)
    return ModelShopOutput(operation="total_{name}", data={{"total": total}})
'''


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", choices=list(EMBEDDERS), default="hashing")
    parser.add_argument("--blocks", type=int, default=500)
    args = parser.parse_args()
    started = time.perf_counter()
    embedder = load_model_embedder(Settings(embedder=args.embedder)) or HashingEmbedder()
    print(f"{args.embedder} import+load: {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        library = PatternLibrary(Path(tmp), embedder)
        started = time.perf_counter()
        for n in range(args.blocks):
            source = HANDLER.format(name=f"item{n}", n=n)
            library.learn_source(
                source, f"/ws/node_shop_reducer/handlers/handler_total_item{n}.py", index=False
            )
        journalled = time.perf_counter()
        library.sync()
        indexed = time.perf_counter()
        print(
            f"journal {args.blocks} files: {journalled - started:.2f} s; embed+index: {indexed - journalled:.2f} s"
        )
        times = []
        for n in range(50):
            t0 = time.perf_counter()
            library.candidates(
                "reducer",
                "aggregation.sum",
                f"reducer node, aggregation.sum handler for total item{n}",
            )
            times.append((time.perf_counter() - t0) * 1000)
        print(f"query (embed + filtered search), median of 50: {statistics.median(times):.2f} ms")
        library.close()


if __name__ == "__main__":
    main()
