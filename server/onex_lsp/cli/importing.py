"""``onex-lsp patterns import FILE``: blocks from an exported file, checked and confirmed.

An exported file is data from elsewhere, so nothing in it is trusted: each block must
have the types learning gives, a handler module is cut down to its definitions as if it
had been learned here (``checked_block``), and ids are recomputed. Before anything is
written the command says what the file holds (blocks by kind, where they were learned,
what was cut or refused) and asks (``--yes`` for scripts).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from onex_lsp.cli.confirm import confirm
from onex_lsp.learning.blocks import checked_block
from onex_lsp.learning.learned_block import LearnedBlock

_ORIGINS_SHOWN = 8


@dataclass
class ImportPlan:
    blocks: list[LearnedBlock] = field(default_factory=list)
    events: int = 0  # not imported: feedback belongs to the machine it was recorded on
    cut: int = 0  # handler modules whose module-level code beyond definitions was removed
    refused: int = 0  # blocks that cannot be taken in safely
    unreadable: int = 0  # lines that are not a block record


def read_export(path: Path, err: TextIO) -> ImportPlan:
    plan = ImportPlan()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            record = json.loads(line)
            if "event" in record:
                plan.events += 1
                continue
            block, cut = checked_block(LearnedBlock.from_json(json.dumps(record["block"])))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            err.write(f"{path}:{number}:1: skipped: {type(exc).__name__}: {exc}\n")
            plan.unreadable += 1
            continue
        plan.cut += cut
        if block is None:
            plan.refused += 1
        else:
            plan.blocks.append(block)
    return plan


def summary(path: Path, plan: ImportPlan, data_dir: Path) -> list[str]:
    kinds = Counter(b.kind for b in plan.blocks)
    origins = Counter(str(Path(b.origin_file).parent) for b in plan.blocks)
    lines = [
        f"{path} holds {len(plan.blocks)} block(s) to import into {data_dir}"
        + (f" ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})" if kinds else ""),
    ]
    if origins:
        lines.append("  learned from:")
        lines += [f"    {folder} ({n})" for folder, n in origins.most_common(_ORIGINS_SHOWN)]
        if len(origins) > _ORIGINS_SHOWN:
            lines.append(f"    ... and {len(origins) - _ORIGINS_SHOWN} more folder(s)")
    if plan.cut:
        lines.append(f"  {plan.cut} handler module(s) carried module-level code beyond their "
                     "definitions: it is removed")  # fmt: skip
    if plan.refused:
        lines.append(f"  {plan.refused} block(s) cannot be imported safely and are skipped")
    if plan.events:
        lines.append(f"  {plan.events} feedback event(s) are not imported")
    return lines


def confirm_import(
    args: argparse.Namespace, data_dir: Path, stdin: TextIO, err: TextIO
) -> tuple[ImportPlan | None, int]:
    """(the blocks to import, or ``None`` with the exit status to stop with)."""
    try:
        plan = read_export(args.file, err)
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"onex-lsp: cannot read {args.file}: {exc}\n")
        return None, 1
    stop = confirm(summary(args.file, plan, data_dir), "import them?", args, stdin, err)
    return (None, stop) if stop is not None else (plan, 0)
