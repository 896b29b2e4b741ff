"""The composition root: builds the pattern library's parts from typed settings."""

from __future__ import annotations

import logging
from pathlib import Path

from onex_lsp.learning.embeddings import Embedder
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.library import PatternLibrary, default_data_dir
from onex_lsp.settings import Settings

log = logging.getLogger(__name__)
WORKSPACE_DATA_DIR = ".onex-lsp"


def data_dir_for(settings: Settings, workspace_root: Path | None) -> Path:
    """``onex.store.perWorkspace`` → ``<workspace>/.onex-lsp``; else ``onex.store.path``,
    ``$ONEX_LSP_DATA_DIR``, or the user data directory."""
    if settings.store.per_workspace and workspace_root is not None:
        return workspace_root / WORKSPACE_DATA_DIR
    return default_data_dir(settings.store.path)


def open_library(
    settings: Settings, workspace_root: Path | None, embedder: Embedder | None = None
) -> PatternLibrary:
    """The library starts on the fallback embedder; MiniLM is swapped in when loaded."""
    return PatternLibrary(
        data_dir_for(settings, workspace_root),
        embedder or HashingEmbedder(),
        settings.store.url,
        settings.store.api_key,
    )


def load_model_embedder(settings: Settings) -> Embedder | None:
    """MiniLM when wanted and installed; ``None`` means keep the fallback."""
    if settings.embedder != "minilm":
        return None
    from onex_lsp.learning.embeddings.minilm import EmbeddingsUnavailable, MiniLMEmbedder

    try:
        return MiniLMEmbedder()
    except EmbeddingsUnavailable as exc:
        log.info("MiniLM unavailable (%s); using the lexical fallback embedder", exc)
        return None
