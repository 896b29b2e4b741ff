"""all-MiniLM-L6-v2 on ONNX Runtime: the default embedder, without torch.

With the fp32 model package (see ``minilm``), the graph is built once from its weights
(``onnx_export``, cached by ``onnx_cache``) and pools and normalises inside, so the
vectors are sentence-transformers' to ~1e-7. Without it, the int8 ONNX model that the
default install brings is used, pooled and normalised here. Both are tokenized with the
model's own tokenizer.json, truncated at sentence-transformers' ``max_seq_length`` (256).
Importing this module takes ~0.1 s (onnxruntime, tokenizers, numpy), against ~10 s for
sentence-transformers.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from onex_lsp.learning.embeddings import EmbeddingsUnavailable
from onex_lsp.learning.embeddings.minilm import (
    BUNDLED_TOKENIZER,
    DEFAULT_MAX_TOKENS,
    DIM,
    INT8_MODEL_ID,
    MODEL_ID,
    ModelFiles,
    int8_model,
    model_files,
)
from onex_lsp.learning.embeddings.onnx_cache import PreparedModel, prepare_model

BATCH = 32
# Padded tokens per run: 8 texts of 256 tokens, 32 snippets of 64. Long texts in batches
# of 32 would grow onnxruntime's memory arena by ~250 MB (attention is batch x 12 x
# tokens^2) for no speed gain.
TOKEN_BUDGET = 2048


@dataclass(frozen=True)
class _Source:
    id: str
    model: PreparedModel
    tokenizer: Path
    max_tokens: int
    pooled: bool  # the graph outputs sentence embeddings (else last_hidden_state)


def _choose(cache_dir: Path | None, files: ModelFiles | None, int8: bool | None) -> _Source:
    """The fp32 model when installed (``int8=None``), else the int8 one."""
    problems = []
    if not int8:
        try:
            files = files or model_files()
            model = prepare_model(files, cache_dir)
            return _Source(MODEL_ID, model, files.tokenizer, files.max_tokens(), True)
        except EmbeddingsUnavailable as exc:
            if int8 is False:
                raise
            problems.append(str(exc))
    try:
        path = int8_model()
    except EmbeddingsUnavailable as exc:
        raise EmbeddingsUnavailable("; ".join([*problems, str(exc)])) from exc
    model = PreparedModel(path, False, 0.0, path.stat().st_size)
    return _Source(INT8_MODEL_ID, model, BUNDLED_TOKENIZER, DEFAULT_MAX_TOKENS, False)


class OnnxMiniLMEmbedder:
    dim = DIM
    backend = "onnxruntime"

    def __init__(
        self,
        cache_dir: Path | None = None,
        files: ModelFiles | None = None,
        *,
        int8: bool | None = None,
    ) -> None:
        """``int8``: None picks the fp32 model when installed; True/False force one."""
        source = _choose(cache_dir, files, int8)
        self.id = source.id
        self.model = source.model
        self._pooled = source.pooled
        self._tokenizer = _tokenizer(source.tokenizer, source.max_tokens)
        options = ort.SessionOptions()
        # An editor's server idles between requests: no threads spinning after each run.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # One thread: a query (one short text) gains nothing from a second one, a batch
        # barely (2 cores, loaded: two threads took ~15% more CPU and no less time), and
        # the language server's request loop keeps a core while the model runs. (A few
        # queries a user waits for are split over two threads instead: ``_run_split``.)
        options.intra_op_num_threads = 1
        options.log_severity_level = 3  # warnings go to stderr, which is the editor's log
        # No memory arena: it keeps the largest batch's activations for the process's
        # lifetime (~75 MB after an indexing pass) for ~3% of speed.
        options.enable_cpu_mem_arena = False
        try:
            self._session = ort.InferenceSession(
                self.model.unsaved or str(self.model.path),
                options,
                providers=["CPUExecutionProvider"],
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EmbeddingsUnavailable(
                f"onnxruntime cannot load {self.model.path}: {exc}"
            ) from exc
        _return_freed_memory()
        self._lock = threading.Lock()
        self._helper: ThreadPoolExecutor | None = None  # the second core, for ``_run_split``

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Longest first, in batches of similar lengths (little padding)."""
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        vectors: list[list[float]] = [[] for _ in texts]
        batches = _batches(order, [len(e.ids) for e in encodings])
        with self._lock:
            if len(batches) == 1 and len(batches[0]) > 1 and _waited_for():
                self._run_split(batches[0], encodings, vectors)
                return vectors
            for batch in batches:
                rows = self._run([encodings[i] for i in batch])
                for index, row in zip(batch, rows, strict=True):
                    vectors[index] = [float(x) for x in row]
        return vectors

    def _run_split(
        self, batch: list[int], encodings: list[Encoding], vectors: list[list[float]]
    ) -> None:
        """A batch someone waits for (a new contract's queries) in two halves on two cores
        (onnxruntime runs one session from several threads): 39 ms instead of 64 for five
        queries. The second half runs in a helper thread while the caller runs the first."""
        first, second = batch[: (len(batch) + 1) // 2], batch[(len(batch) + 1) // 2 :]
        if self._helper is None:
            self._helper = ThreadPoolExecutor(1, thread_name_prefix="onex-embed")
        running = self._helper.submit(self._run, [encodings[i] for i in second])
        rows = self._run([encodings[i] for i in first])
        for index, row in zip([*first, *second], [*rows, *running.result()], strict=True):
            vectors[index] = [float(x) for x in row]

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
        if self._pooled:
            (output,) = self._session.run(["sentence_embedding"], feed)
            return np.asarray(output)
        (hidden,) = self._session.run(["last_hidden_state"], feed)
        return _mean_pool_and_normalise(np.asarray(hidden), feed["attention_mask"])


def _waited_for() -> bool:
    """Whether the calling thread runs at normal priority (Linux): someone waits for its
    result. Learning's threads run niced and keep to one core."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) <= 0
    except OSError:
        return False


def _return_freed_memory() -> None:
    """Loading parses the whole model file (~90 MB) and frees it; glibc keeps freed heap
    pages unless asked to give them back."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to ask
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _mean_pool_and_normalise(hidden: np.ndarray, attention: np.ndarray) -> np.ndarray:
    """sentence-transformers' Pooling(mean) then Normalize, for graphs that stop at the
    last hidden state."""
    mask = attention[..., None].astype(np.float32)
    mean = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return np.asarray(mean / np.maximum(norms, 1e-12))


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


def _tokenizer(path: Path, max_tokens: int) -> Tokenizer:
    """As sentence-transformers tokenizes: truncated at its max_seq_length (256), not at
    tokenizer.json's 128; no padding here (``_run`` pads each batch to its longest)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    tokenizer = Tokenizer.from_file(str(path))
    padding = tokenizer.padding or {}
    if int(padding.get("pad_id", 0)) != 0:
        raise EmbeddingsUnavailable(f"{path}: padding id {padding['pad_id']}, not 0")
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer
