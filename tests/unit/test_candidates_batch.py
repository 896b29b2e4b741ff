"""A contract's learned options ask the library for all its operations at once: one model
run and one cache write for the new query texts, and the same answers as one query at a
time (the slow path this replaced: a model run and an fsync'd cache write per operation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary, Query, learned_options
from tests.conftest import EXAMPLES
from tests.unit.journal_trace import traced_statements
from tests.unit.test_library import handler, path

QUERIES = [
    Query("reducer", "aggregation.sum", "reducer node, aggregation.sum handler for total orders"),
    Query("reducer", "aggregation.sum", "sum the amounts of the orders"),
    Query("reducer", "aggregation.count", "count the orders"),  # no block of this type
    Query("effect", "aggregation.sum", "total orders"),  # nor of this node kind
]


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the model runs it is asked for (a spy, not a mock:
    the vectors are the real ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[list[str]] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.runs.append(list(texts))
        return super().embed(texts)


def test_a_batch_of_queries_is_one_model_run_one_cache_write_and_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = traced_statements(monkeypatch)
    embedder = CountingEmbedder()
    library = PatternLibrary(tmp_path / "data", embedder)
    try:
        for n in range(3):
            library.learn_source(handler(n), path(n))
        library.sync()
        embedder.runs.clear()
        statements.clear()
        batched = library.candidates_many(QUERIES, limit=5)
        assert embedder.runs == [[q.text for q in QUERIES]]
        cache_writes = [s for s in statements if s.startswith("INSERT OR REPLACE INTO embeddings")]
        assert len(cache_writes) == len(QUERIES)  # a row per new text ...
        assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == [
            "BEGIN IMMEDIATE",
            "COMMIT",
        ]  # ... in one transaction
        assert "PRAGMA synchronous=NORMAL" in statements  # a cache write does not fsync
        one_by_one = [library.candidates(q.node_kind, q.block, q.text, 5) for q in QUERIES]
        assert len(embedder.runs) == 1  # the texts are cached now
    finally:
        library.close()
    assert batched == one_by_one
    assert [len(found) for found in batched] == [3, 3, 0, 0]


def test_learned_options_of_a_contract_embed_its_operations_in_one_run(tmp_path: Path) -> None:
    contract_path = next(p for p in EXAMPLES if p.name == "sales_metrics_reducer.yaml")
    contract = load_contract(contract_path.read_text(), str(contract_path)).contract
    assert contract is not None
    plan = plan_package(contract, Location(tmp_path / "contract.yaml", tmp_path)).plan
    embedder = CountingEmbedder()
    library = PatternLibrary(tmp_path / "data", embedder)
    try:
        library.learn_source(handler(1), path(1))
        library.sync()
        embedder.runs.clear()
        learned_options(library, contract, plan, 0.7)
    finally:
        library.close()
    assert len(embedder.runs) == 1 and len(embedder.runs[0]) >= 2, embedder.runs
