"""The converted ONNX model, built once per user and machine and reused.

Converting the safetensors weights takes about a second and writes ~90 MB, so the result
is cached: ``$ONEX_LSP_MODEL_CACHE``, else ``models/`` in the user cache directory
(``~/.cache/onex-lsp/models`` on Linux). The file name carries a hash of the source
weights, their config and the converter version, so a changed model package or converter
builds a new file (and older ones are removed). A ``.sha256`` file beside it holds the
model's own hash: a truncated or altered file is detected on load and rebuilt. Writes are
atomic; two processes converting at once write identical bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from onex_lsp.learning.embeddings import EmbeddingsUnavailable
from onex_lsp.learning.embeddings.minilm import FP32_EXTRA, ModelFiles

log = logging.getLogger(__name__)
CACHE_ENV = "ONEX_LSP_MODEL_CACHE"
# Bump when onnx_export builds a different graph: every cached model is then rebuilt.
CONVERTER_VERSION = 1
PREFIX = "all-minilm-l6-v2-"


@dataclass(frozen=True)
class PreparedModel:
    path: Path  # the checked model, unless ``unsaved`` holds it
    converted: bool  # False: read from the cache
    seconds: float  # spent converting, or reading and checking the cached file
    size: int
    # The model when it could not be cached. Otherwise onnxruntime loads ``path``, which
    # costs ~100 MB less memory than building the session from bytes.
    unsaved: bytes | None = None


def model_cache_dir() -> Path:
    """``$ONEX_LSP_MODEL_CACHE``, else the user cache directory's ``models/``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("onex-lsp", appauthor=False)) / "models"


def converted_before(cache_dir: Path | None = None) -> bool:
    """Whether the cache holds a converted model (of these weights or others: a model
    package changed since needs converting again)."""
    folder = cache_dir or model_cache_dir()
    return any(folder.glob(f"{PREFIX}*.onnx"))


def cache_key(files: ModelFiles) -> str:
    """Changes whenever the weights, their config or the converter change."""
    digest = hashlib.sha256(f"onex-lsp-onnx-converter-{CONVERTER_VERSION}\n".encode())
    for path in (files.config, files.weights):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def cached_model_path(files: ModelFiles, cache_dir: Path | None = None) -> Path:
    return (cache_dir or model_cache_dir()) / f"{PREFIX}{cache_key(files)}.onnx"


def prepare_model(
    files: ModelFiles, cache_dir: Path | None = None, *, force: bool = False
) -> PreparedModel:
    """The cached model when it is intact, else a fresh conversion (cached when possible:
    an unwritable cache only costs the conversion at every start)."""
    started = time.perf_counter()
    target = cached_model_path(files, cache_dir)
    data = None if force else _read_verified(target)
    if data is not None:
        return PreparedModel(target, False, time.perf_counter() - started, len(data))
    try:
        from onex_lsp.learning.embeddings.onnx_export import build_model
    except ImportError as exc:  # the fp32 extra is not installed
        raise EmbeddingsUnavailable(
            f"converting the fp32 weights needs {exc.name or 'onnx'}: {FP32_EXTRA}"
        ) from exc
    data = build_model(files.folder)
    seconds = time.perf_counter() - started
    try:
        _store(target, data)
    except OSError as exc:
        log.warning("the converted model could not be cached in %s: %s", target.parent, exc)
        return PreparedModel(target, True, seconds, len(data), unsaved=data)
    log.info("converted all-MiniLM-L6-v2 to ONNX in %.1f s: %s", seconds, target)
    return PreparedModel(target, True, seconds, len(data))


def _read_verified(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
        expected = _checksum_file(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.info("the cached model %s is unreadable (%s); converting again", path, exc)
        return None
    if hashlib.sha256(data).hexdigest() != expected:
        log.info("the cached model %s is corrupt or incomplete; converting again", path)
        return None
    return data


def _checksum_file(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _store(target: Path, data: bytes) -> None:
    """The model, then its checksum (a model without a matching checksum is rebuilt);
    files of other keys are removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(target, data)
    _atomic_write(_checksum_file(target), hashlib.sha256(data).hexdigest().encode("ascii"))
    for stale in target.parent.glob(f"{PREFIX}*.onnx*"):
        if stale.name not in (target.name, _checksum_file(target).name):
            stale.unlink(missing_ok=True)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
