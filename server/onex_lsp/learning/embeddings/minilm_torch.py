"""all-MiniLM-L6-v2 through sentence-transformers: the reference backend (needs torch).

Optional (``pip install 'onex-lsp[sentence-transformers]'``); the default ONNX backend
gives the same vectors without torch. Importing sentence-transformers takes ~10 s, so
the server loads this in the background and uses the fallback until it is ready.
Offline: the model comes from its PyPI package (``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from onex_lsp.learning.embeddings import EmbeddingsUnavailable
from onex_lsp.learning.embeddings.minilm import DIM, MODEL_ID, model_files


class SentenceTransformersEmbedder:
    id = MODEL_ID
    dim = DIM
    backend = "sentence-transformers"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        files = model_files()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingsUnavailable(
                "sentence-transformers is not installed: pip install torch (its CPU build) "
                "and then 'onex-lsp[sentence-transformers]'"
            ) from exc
        self._model: Any = SentenceTransformer(str(files.folder), device="cpu")
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = self._model.encode(
                texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False
            )
        return [[float(x) for x in row] for row in vectors]
