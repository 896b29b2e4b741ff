"""What ``learn`` and ``patterns`` share: their options, opening the library from them,
and saying in one line (never a traceback) why the data directory cannot be used."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from onex_lsp import services
from onex_lsp.learning.library import PatternLibrary
from onex_lsp.settings import EMBEDDERS, Settings, StoreSettings

# Only these compute embeddings; the others read the journal and load no model.
EMBEDDING_ACTIONS = {"learn", "import", "reindex"}
EXIT_UNUSABLE = 1


def library_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="the data directory (default: see README)")
    parser.add_argument("--store-url", help="a Qdrant server instead of the embedded engine")
    parser.add_argument(
        "--embedder", choices=EMBEDDERS, default="minilm",
        help="minilm (default; ONNX Runtime), sentence-transformers (same vectors, needs "
        "torch) or hashing (the lexical fallback)",
    )  # fmt: skip


def log_to_stderr() -> None:
    """The library's warnings (a journal moved aside, an index rebuilt) as plain lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("onex-lsp: %(message)s"))
    ours = logging.getLogger("onex_lsp")
    ours.addHandler(handler)
    ours.setLevel(logging.WARNING)
    ours.propagate = False


def open_from_args(args: argparse.Namespace, err: TextIO) -> PatternLibrary:
    settings = Settings(
        store=StoreSettings(
            path=str(args.data_dir) if args.data_dir else None,
            url=args.store_url or os.environ.get("ONEX_LSP_STORE_URL"),
        ),
        embedder=args.embedder,
    )
    if args.command != "learn" and args.action not in EMBEDDING_ACTIONS:
        return services.open_library(settings, None, services.embedder_without_model(settings))
    embedder = services.load_model_embedder(settings)
    if embedder is None:
        err.write(
            "note: using the lexical fallback embedder (MiniLM not installed or not chosen)\n"
        )
    return services.open_library(settings, None, embedder)


def unusable(library: PatternLibrary, err: TextIO) -> bool:
    """Whether the journal cannot be used; if so, say why in one line."""
    if library.problem is None:
        return False
    err.write(f"onex-lsp: the pattern library is unavailable: {library.problem}\n")
    return True
