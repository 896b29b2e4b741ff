"""The composition root: builds the pattern library's parts from typed settings.

The library (and with it libcst, the generator and Qdrant) is imported when a library
is opened: the language server opens it after ``initialize`` has been answered.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from onex_lsp.learning.embeddings import Embedder, EmbeddingsUnavailable, ModelNotLoaded
from onex_lsp.learning.embeddings.hashing import HashingEmbedder
from onex_lsp.learning.embeddings.minilm import (
    DIM,
    EXACT_INSTALL,
    INT8_MODEL_ID,
    installed_model_id,
)
from onex_lsp.settings import Settings

if TYPE_CHECKING:
    from onex_lsp.learning.library import PatternLibrary

log = logging.getLogger(__name__)
WORKSPACE_DATA_DIR = ".onex-lsp"


def data_dir_for(settings: Settings, workspace_root: Path | None) -> Path:
    """``onex.store.perWorkspace`` → ``<workspace>/.onex-lsp``; else ``onex.store.path``,
    ``$ONEX_LSP_DATA_DIR``, or the user data directory."""
    if settings.store.per_workspace and workspace_root is not None:
        return workspace_root / WORKSPACE_DATA_DIR
    from onex_lsp.learning.library import default_data_dir

    return default_data_dir(settings.store.path)


def open_library(
    settings: Settings, workspace_root: Path | None, embedder: Embedder | None = None
) -> PatternLibrary:
    """The library starts on the fallback embedder; MiniLM is swapped in when loaded."""
    from onex_lsp.learning.library import PatternLibrary

    return PatternLibrary(
        data_dir_for(settings, workspace_root),
        embedder or HashingEmbedder(),
        settings.store.url,
        settings.store.api_key,
    )


# Backends of the MiniLM vector space, tried in order, per ``onex.embedder`` value.
_BACKENDS: dict[str, tuple[str, ...]] = {
    "minilm": ("onnxruntime",),
    "sentence-transformers": ("sentence-transformers", "onnxruntime"),
}


def _load_backend(name: str) -> Embedder:
    """Imports happen here: a backend that is not installed is ``EmbeddingsUnavailable``."""
    try:
        if name == "onnxruntime":
            from onex_lsp.learning.embeddings.minilm_onnx import OnnxMiniLMEmbedder

            return OnnxMiniLMEmbedder()
        from onex_lsp.learning.embeddings.minilm_torch import SentenceTransformersEmbedder

        return SentenceTransformersEmbedder()
    except ImportError as exc:
        raise EmbeddingsUnavailable(f"{exc.name or exc} is not installed") from exc
    except OSError as exc:  # unreadable model files
        raise EmbeddingsUnavailable(str(exc)) from exc


def load_model_embedder(settings: Settings) -> Embedder | None:
    """MiniLM through the chosen backend, else through the other one (same vectors);
    ``None`` means keep the lexical fallback. Each outcome is one log line."""
    problems: list[str] = []
    for backend in _BACKENDS.get(settings.embedder, ()):
        started = time.perf_counter()
        try:
            embedder = _load_backend(backend)
        except EmbeddingsUnavailable as exc:
            problems.append(f"{backend}: {exc}")
            continue
        notes = [f"instead of {'; '.join(problems)}"] if problems else []
        if embedder.id == INT8_MODEL_ID:
            notes.append(f"int8 weights; exact sentence-transformers vectors: {EXACT_INSTALL}")
        log.info(
            "embedding model: MiniLM (%s) via %s, loaded in %.1f s%s",
            embedder.id, backend, time.perf_counter() - started,
            f" ({'; '.join(notes)})" if notes else "",
        )  # fmt: skip
        return embedder
    if problems:
        log.info(
            "MiniLM unavailable (%s); using the lexical fallback embedder", "; ".join(problems)
        )
    return None


def embedder_without_model(settings: Settings) -> Embedder:
    """The chosen vector space for commands that only read the library: vectors already
    in the journal's cache, never a model load."""
    if settings.embedder in _BACKENDS:
        return ModelNotLoaded(installed_model_id(), DIM)
    return HashingEmbedder()
