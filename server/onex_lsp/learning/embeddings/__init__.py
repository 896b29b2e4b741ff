"""Text embedders behind one small protocol, plus a cache in front of any of them."""

from __future__ import annotations

from typing import Protocol

from onex_lsp.learning.journal import Journal


class EmbeddingsUnavailable(RuntimeError):
    """An embedding backend cannot be used here (not installed, or not loaded on purpose)."""


class Embedder(Protocol):
    @property
    def id(self) -> str:
        """Identifies the vector space: vectors of different ids are never mixed."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, one per text."""
        ...


class CachedEmbedder:
    """Embeddings of the same text are computed once (kept in the journal's cache table)."""

    def __init__(self, inner: Embedder, journal: Journal) -> None:
        self.inner = inner
        self.journal = journal

    @property
    def id(self) -> str:
        return self.inner.id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: list[str]) -> list[list[float]]:
        found = self.journal.cached_embeddings(self.id, list(set(texts)))
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            computed = list(zip(missing, self.inner.embed(missing), strict=True))
            self.journal.cache_embeddings(self.id, computed)  # one commit for the batch
            found.update(computed)
        return [found[t] for t in texts]


class ModelNotLoaded:
    """A vector space's id and size without its model, for commands that only read.

    Behind ``CachedEmbedder`` it still answers every text embedded before (the journal's
    cache); anything else raises ``EmbeddingsUnavailable`` instead of loading a model.
    """

    def __init__(self, embedder_id: str, dim: int) -> None:
        self.id = embedder_id
        self.dim = dim

    def embed(self, texts: list[str]) -> list[list[float]]:
        raise EmbeddingsUnavailable(f"{len(texts)} text(s) need the model, which is not loaded")
