"""all-MiniLM-L6-v2 on ONNX Runtime: the default embedder, without torch.

Tokenized by the model's own ``tokenizer.json`` (``tokenizers``), truncated at
sentence-transformers' ``max_seq_length``; the graph (see ``onnx_export``) pools and
normalises, so the vectors are sentence-transformers' to ~1e-7. Importing this module
takes a fraction of a second (onnxruntime, tokenizers, numpy), against ~10 s for
sentence-transformers, and the first load converts the model once (``onnx_cache``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from onex_lsp.learning.embeddings import EmbeddingsUnavailable
from onex_lsp.learning.embeddings.minilm import DIM, MODEL_ID, ModelFiles, model_files
from onex_lsp.learning.embeddings.onnx_cache import PreparedModel, prepare_model

BATCH = 32
# Padded tokens per run: 8 texts of 256 tokens, 32 snippets of 64. Long texts in batches
# of 32 would grow onnxruntime's memory arena by ~250 MB (attention is batch x 12 x
# tokens^2) for no speed gain.
TOKEN_BUDGET = 2048


class OnnxMiniLMEmbedder:
    id = MODEL_ID
    dim = DIM
    backend = "onnxruntime"

    def __init__(self, cache_dir: Path | None = None, files: ModelFiles | None = None) -> None:
        files = files or model_files()
        self.model: PreparedModel = prepare_model(files, cache_dir)
        self._tokenizer = _tokenizer(files)
        options = ort.SessionOptions()
        # An editor's server idles between requests: no threads spinning after each run.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # warnings go to stderr, which is the editor's log
        source = self.model.unsaved or str(self.model.path)
        try:
            self._session = ort.InferenceSession(
                source, options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EmbeddingsUnavailable(
                f"onnxruntime cannot load {self.model.path}: {exc}"
            ) from exc
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Longest first, in batches of similar lengths (little padding)."""
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        vectors: list[list[float]] = [[] for _ in texts]
        with self._lock:
            for batch in _batches(order, [len(e.ids) for e in encodings]):
                rows = self._run([encodings[i] for i in batch])
                for index, row in zip(batch, rows, strict=True):
                    vectors[index] = [float(x) for x in row]
        return vectors

    def _run(self, encodings: list[Encoding]) -> np.ndarray:
        """Right-padded with [PAD] (id 0, mask 0), as the tokenizer would pad."""
        width = max(len(e.ids) for e in encodings)
        feed = {
            name: np.zeros((len(encodings), width), dtype=np.int64)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        }
        for row, encoding in enumerate(encodings):
            size = len(encoding.ids)
            feed["input_ids"][row, :size] = encoding.ids
            feed["attention_mask"][row, :size] = encoding.attention_mask
            feed["token_type_ids"][row, :size] = encoding.type_ids
        (output,) = self._session.run(["sentence_embedding"], feed)
        return np.asarray(output)


def _batches(order: list[int], lengths: list[int]) -> list[list[int]]:
    """Consecutive runs of ``order`` (longest first): at most BATCH texts, and at most
    TOKEN_BUDGET tokens once padded to the run's first (longest) text."""
    batches: list[list[int]] = []
    for index in order:
        current = batches[-1] if batches else None
        if (
            current
            and len(current) < BATCH
            and (len(current) + 1) * lengths[current[0]] <= TOKEN_BUDGET
        ):
            current.append(index)
        else:
            batches.append([index])
    return batches


def _tokenizer(files: ModelFiles) -> Tokenizer:
    """As sentence-transformers tokenizes: truncated at its max_seq_length (256), not at
    tokenizer.json's 128; no padding here (``_run`` pads each batch to its longest)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    tokenizer = Tokenizer.from_file(str(files.tokenizer))
    padding = tokenizer.padding or {}
    if int(padding.get("pad_id", 0)) != 0:
        raise EmbeddingsUnavailable(f"{files.tokenizer}: padding id {padding['pad_id']}, not 0")
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=files.max_tokens())
    return tokenizer
