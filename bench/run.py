"""The benchmark suite of issue #11: one command, every figure, with peers and the machine.

Usage:
    python bench/run.py                 # 20k and 100k stores, the default repeats
    python bench/run.py --quick         # 2k and 10k stores, fewer repeats (a few minutes)
    python bench/run.py --full          # more repeats, cold model start, learn with hashing
    python bench/run.py --only peers,store20     # some sections
    python bench/run.py --readme        # rewrite README's table from results/latest.json
    python bench/run.py --embeddings    # the embedding backends side by side (bench_embeddings)

Server figures are timed by a separate client process over stdio (``lspclient.py``),
with VS Code's client capabilities, against ``python -m onex_lsp serve``; the same client
times jedi-language-server, ``ruff server`` and a bare pygls server in the same run.
Results go to ``bench/results/latest.json`` (raw samples and the table). Figures only:
nothing here fails a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import server_rows  # noqa: E402
import stores  # noqa: E402

SECTIONS = [
    "peers",
    "init",
    "model",
    "store20",
    "store100",
    "local",
    "query",
    "learn",
    "stats",
    "install",
]
PLANS: dict[str, dict[str, Any]] = {
    "quick": {"stores": (2_000, 10_000), "requests": 30, "spawns": 3, "resolves": 5, "edits": 3,
              "saves": 2, "bursts": 1, "burst_seconds": 10, "first_sessions": 0, "queries": 20,
              "repeats": 10, "models": 1, "stats": 2},
    "default": {"stores": (20_000, 100_000), "requests": 100, "spawns": 5, "resolves": 20,
                "edits": 5, "saves": 4, "bursts": 3, "burst_seconds": 10, "first_sessions": 2,
                "queries": 50, "repeats": 30, "models": 3, "stats": 3},
    "full": {"stores": (20_000, 100_000), "requests": 300, "spawns": 10, "resolves": 50,
             "edits": 10, "saves": 8, "bursts": 6, "burst_seconds": 10, "first_sessions": 5,
             "queries": 200, "repeats": 100, "models": 5, "stats": 5},
}  # fmt: skip


def local(row: str, *args: str) -> dict[str, Any]:
    """A row of ``local_rows.py`` in its own process; its JSON answer."""
    command = [sys.executable, str(HERE / "local_rows.py"), row, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{row} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


async def section(
    name: str, plan: dict[str, Any], work: Path, raw: dict[str, Any], cache: Path
) -> None:
    """Run one section into ``raw``; each server session gets its own folder."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
    small, big = plan["stores"]
    if name == "peers":
        raw["peers"] = await peers.all_peers(folder, plan)
    elif name == "init":
        raw["init"] = await _init_spawns(folder, plan["spawns"])
    elif name == "model":
        raw["model"] = await _models(folder, plan)
    elif name in ("store20", "store100"):
        info = stores.ensure(small if name == "store20" else big, cache)
        raw.setdefault("stores", {})[name] = info
        full = {**plan, "full": name == "store20"}
        raw[name] = await server_rows.store_session(info, folder / "main", full)
        if name == "store20":
            raw["first_resolves"] = [
                await server_rows.first_resolve_session(info, folder / f"first{n}")
                for n in range(plan["first_sessions"])
            ]
    else:
        _local_section(name, plan, raw, cache, folder)


async def _init_spawns(folder: Path, spawns: int) -> dict[str, list[float]]:
    """onex-lsp and the bare pygls server spawned in turns: the ratio compares spawns made
    under the same machine load."""
    result: dict[str, list[float]] = {"onex": [], "bare": []}
    bare = peers.commands()["bare pygls"]
    assert bare is not None
    for n in range(spawns):
        (took,) = await peers.initialize_times(bare, folder, 1)
        result["bare"].append(took)
        run = await server_rows.model_session(folder / f"i{n}", "hashing")
        result["onex"].append(run["initialize"])
    return result


async def _models(folder: Path, plan: dict[str, Any]) -> dict[str, Any]:
    """Empty store: RSS without the model (hashing), and MiniLM's time to ready and RSS."""
    result: dict[str, Any] = {"hashing": [], "minilm": []}
    for n in range(plan["models"]):
        for embedder in ("hashing", "minilm"):
            result[embedder].append(
                await server_rows.model_session(folder / f"{embedder}{n}", embedder)
            )
    if plan.get("cold"):
        env = {**__import__("os").environ, "ONEX_LSP_MODEL_CACHE": str(folder / "model-cache")}
        result["cold"] = await server_rows.model_session(folder / "cold", "minilm", env)
    return result


def _local_section(
    name: str, plan: dict[str, Any], raw: dict[str, Any], cache: Path, folder: Path
) -> None:
    small, big = plan["stores"]
    if name == "local":
        raw["extraction"] = local("extraction", "--repeats", str(plan["repeats"]))
        raw["retention"] = local("retention", "--repeats", str(plan["repeats"] * 10))
    elif name == "query":
        data = stores.copy_data(stores.ensure(big, cache), folder / "data")
        raw["query"] = local("query", "--store", str(data), "--repeats", str(plan["queries"]))
    elif name == "learn":
        embedders = ["minilm", "hashing"] if plan.get("hashing_learn") else ["minilm"]
        raw["learn"] = [local("learn", "--embedder", e) for e in embedders]
    elif name == "stats":
        raw["stats"] = {}
        for blocks in (small, big):
            data = stores.copy_data(stores.ensure(blocks, cache), folder / f"data{blocks}")
            raw["stats"][str(blocks)] = local(
                "stats", "--store", str(data), "--repeats", str(plan["stats"])
            )
    elif name == "install":
        raw["install"] = local("install")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="2k/10k stores, fewer repeats")
    mode.add_argument("--full", action="store_true", help="more repeats and extra rows")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--skip", help="comma-separated sections to leave out")
    parser.add_argument(
        "--cache", type=Path, default=stores.default_cache(), help="where built stores are kept"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument(
        "--readme", action="store_true", help="only rewrite README's table from --out"
    )
    parser.add_argument("--embeddings", action="store_true", help="run bench_embeddings.py instead")
    return parser.parse_args()


def compile_server() -> None:
    """Byte-compile the server as installing its wheel does: an editable checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module at each spawn,
    which the peers (installed packages) never do."""
    package = HERE.parent / "server" / "onex_lsp"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    compile_server()
    mode = "quick" if args.quick else "full" if args.full else "default"
    plan = {**PLANS[mode], "cold": mode == "full", "hashing_learn": mode == "full"}
    chosen = args.only.split(",") if args.only else list(SECTIONS)
    chosen = [s for s in chosen if s not in (args.skip or "").split(",")]
    results: dict[str, Any] = {"machine": measure.machine(), "mode": mode, "sections": {}}
    raw: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="onex-bench-"))
    for name in chosen:
        started, load = time.perf_counter(), measure.load()
        print(f"[{time.strftime('%H:%M:%S')}] {name} (load {load})", flush=True)
        await section(name, plan, work, raw, args.cache)
        results["sections"][name] = {
            "seconds": round(time.perf_counter() - started),
            "load_before": load,
            "load_after": measure.load(),
        }
    results["load_at_end"] = measure.load()
    results["raw"] = raw
    results["rows"] = report.rows(raw)
    subprocess.run(["rm", "-rf", str(work)], check=False)
    return results


def main() -> None:
    args = parse()
    if args.readme:
        report.update_readme(HERE.parent / "README.md", args.out)
        return
    if args.embeddings:
        raise SystemExit(subprocess.call([sys.executable, str(HERE / "bench_embeddings.py")]))
    results = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    report.print_table(results)
    print(f"\nresults: {args.out}")


if __name__ == "__main__":
    main()
