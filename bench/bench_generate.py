"""Generation latency: parse + detect + render + ruff format, per example contract.

Usage: python bench/bench_generate.py [repeats]    Prints milliseconds per contract.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.detection import detect_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package

ROOT = Path(__file__).resolve().parent.parent


def main(repeats: int) -> None:
    print(f"{'contract':<36} {'parse+detect ms':>16} {'generate ms':>12} {'files':>6}")
    for path in sorted((ROOT / "examples" / "contracts").glob("*.yaml")):
        text = path.read_text()
        parse, generate = [], []
        files = 0
        for _ in range(repeats):
            started = time.perf_counter()
            contract = load_contract(text, str(path)).contract
            assert contract is not None
            detect_contract(contract)
            parsed = time.perf_counter()
            where = Location(path.resolve(), path.resolve().parent)
            files = len(plan_package(contract, where).files)
            parse.append((parsed - started) * 1000)
            generate.append((time.perf_counter() - parsed) * 1000)
        print(
            f"{path.stem:<36} {statistics.median(parse):>16.2f} {statistics.median(generate):>12.1f} {files:>6}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
