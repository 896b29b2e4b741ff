"""Asking before the pattern library takes in code: what will be learned, from where.

Learned code is re-rendered into packages generated later, so ``learn`` and ``patterns
import`` first say what they are about to add (counts, origins) and ask. Scripts pass
``--yes``; without it, a run whose stdin is not a terminal refuses (a prompt nobody can
answer must not hang a CI job, and must not mean yes either).
"""

from __future__ import annotations

import argparse
from typing import TextIO

EXIT_DECLINED = 1
EXIT_REFUSED = 2


def add_yes_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes", "-y", action="store_true",
        help="do not ask for confirmation (required when stdin is not a terminal)",
    )  # fmt: skip


def confirm(
    summary: list[str], question: str, args: argparse.Namespace, stdin: TextIO, err: TextIO
) -> int | None:
    """Print ``summary`` and ask, on stderr (stdout keeps only the result, for scripts);
    ``None`` to go on, else the exit status to stop with."""
    for line in summary:
        err.write(line + "\n")
    err.flush()
    if getattr(args, "yes", False):
        return None
    if not stdin.isatty():
        err.write(
            f"onex-lsp {args.command}: stdin is not a terminal, so nobody can confirm; "
            "pass --yes to go on without asking\n"
        )
        return EXIT_REFUSED
    err.write(f"{question} [y/N] ")
    err.flush()
    answer = stdin.readline().strip().lower()
    if answer in ("y", "yes"):
        return None
    err.write("nothing was changed\n")
    return EXIT_DECLINED
