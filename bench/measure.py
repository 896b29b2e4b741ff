"""Sample statistics and the machine: every figure is printed with what it ran on.

The machine is shared (two cores, other sessions), so a figure is a distribution
(median, p95, max over repeats), never one run, and the load average is recorded before
and after each section.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the value below which ``share`` of the samples fall."""
    ordered = sorted(samples)
    rank = max(1, int(-(-share * len(ordered) // 1)))  # ceil, at least the first
    return ordered[min(len(ordered), rank) - 1]


def summary(samples: list[float]) -> dict[str, float]:
    """n, p50, p95, max (in the samples' unit)."""
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "p50": round(statistics.median(samples), 3),
        "p95": round(percentile(samples, 0.95), 3),
        "max": round(max(samples), 3),
    }


def interleaved(
    functions: dict[str, Callable[[], object]], repeats: int, warmup: int = 2
) -> dict[str, dict[str, list[float]]]:
    """Wall and CPU milliseconds per call of each function, taking turns (one call of
    each per round), so that a burst of load from another process hits all of them
    alike. CPU time (this process only) is what the code costs on an idle machine."""
    for function in functions.values():
        for _ in range(warmup):
            function()
    samples = {name: {"wall": [], "cpu": []} for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            samples[name]["cpu"].append((time.process_time() - cpu) * 1000)
            samples[name]["wall"].append((time.perf_counter() - wall) * 1000)
    return samples


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time so far (its own threads, not its children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory, Python, the onex-lsp commit and the date."""
    cpu = ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in handle if "model name" in line), ""
            )
        with open("/proc/meminfo") as handle:
            memory_kb = int(handle.readline().split()[1])
    except (OSError, StopIteration, ValueError):
        memory_kb = 0
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "commit": commit,
        "load_at_start": load(),
    }


def python_files(folder: Path) -> int:
    """How many ``.py`` files a corpus holds (the files/s figures' numerator)."""
    return sum(1 for _, _, names in os.walk(folder) for n in names if n.endswith(".py"))


def learn_command(corpus: Path, data: str, embedder: str) -> list[str]:
    """``onex-lsp learn`` over ``corpus`` into the data directory ``data``, unasked."""
    return [sys.executable, "-m", "onex_lsp", "learn", "--yes", str(corpus),
            "--data-dir", data, "--embedder", embedder]  # fmt: skip
