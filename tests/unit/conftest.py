"""Fixtures shared by the unit tests of the embedding model."""

from __future__ import annotations

from pathlib import Path

import pytest

from onex_lsp.learning.embeddings.minilm import model_files
from onex_lsp.learning.embeddings.onnx_cache import CACHE_ENV, prepare_model


@pytest.fixture(scope="session")
def converted_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion per test session, outside the user's own model cache."""
    folder = tmp_path_factory.mktemp("model-cache")
    prepare_model(model_files(), folder)
    return folder


@pytest.fixture
def model_cache(converted_model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The converted model, found through ``$ONEX_LSP_MODEL_CACHE`` as a user would set it."""
    monkeypatch.setenv(CACHE_ENV, str(converted_model_cache))
    return converted_model_cache
