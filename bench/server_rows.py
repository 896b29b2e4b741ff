"""The rows measured through onex-lsp over stdio: code actions and resolve on a big store,
code actions while a file is learned on save, a didChange burst, RSS at each stage.

Every function runs its own server session(s) on a private copy of the store and returns
raw samples (ms, MB); ``run.py`` turns them into rows.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import onex_session as s
from lspclient import LspClient, children_rss_mb, code_action_params, rss_mb
from measure import cpu_seconds
from stores import copy_data

HELPER = '''

def helper_{n}(payload: dict[str, object], limit: int = {limit}) -> dict[str, object]:
    """Normalise part {n} of the payload."""
    if not payload:
        raise ValueError("empty payload {n}.{salt}")
    if len(payload) > limit:
        raise ValueError("too many fields in part {n}.{salt}")
    result: dict[str, object] = {{}}
    for key, value in payload.items():
        try:
            result[key.strip().lower()] = value or {salt}
        except AttributeError as error:
            log.warning("skipping %s: %s", key, error)
            continue
    total = sum(1 for value in result.values() if value is not None)
    if total == 0:
        raise KeyError("nothing kept in part {n}.{salt}")
    return {{"part": {n}, "salt": {salt}, "fields": result, "total": total}}
'''


def big_module(salt: int) -> str:
    """~1,000 lines: 52 helpers with guards and try blocks; ``salt`` makes every block new."""
    head = '"""Bulk normalisation."""\n\nfrom __future__ import annotations\n\nimport logging\n\nlog = logging.getLogger(__name__)\n'
    return head + "".join(HELPER.format(n=n, limit=n + 10 + salt, salt=salt) for n in range(52))


async def sampled(
    client: LspClient, method: str, params: Any, count: int, warmup: int = 3
) -> dict[str, Any]:
    """``count`` requests back to back: client-side ms each, and the server's CPU ms per
    request (from /proc: what the request costs it whatever the machine's load)."""
    for _ in range(warmup):
        await client.timed(method, params)
    cpu = cpu_seconds(client.pid)
    wall = [(await client.timed(method, params))[0] for _ in range(count)]
    return {"wall": wall, "server_cpu_ms": (cpu_seconds(client.pid) - cpu) * 1000 / max(count, 1)}


async def pings(client: LspClient, count: int) -> dict[str, Any]:
    """The empty request: a method no server knows, answered with MethodNotFound."""
    return await sampled(client, "bench/ping", None, count)


async def code_actions(client: LspClient, uri: str, count: int, warmup: int = 3) -> dict[str, Any]:
    return await sampled(
        client,
        "textDocument/codeAction",
        code_action_params(uri, only=s.SOURCE_MENU),
        count,
        warmup,
    )


async def resolves(client: LspClient, uri: str, count: int) -> tuple[float, list[float]]:
    """The first ``codeAction/resolve`` of the preferred "generate node" action in this
    session, then the same resolve ``count`` more times (ms)."""
    (action, *_) = await s.generate_actions(client, uri)
    first, resolved = await client.timed("codeAction/resolve", action)
    assert isinstance(resolved, dict) and resolved.get("edit"), resolved
    again = [(await client.timed("codeAction/resolve", action))[0] for _ in range(count)]
    return first, again


async def after_edits(
    client: LspClient, uri: str, path: Path, count: int, first: int = 0
) -> tuple[list[float], list[float]]:
    """After each change of the contract's description: the code action listing (its
    query texts are new: MiniLM embeds them) and the resolve (a package never rendered
    before), in ms. What a user sees after editing the contract."""
    text = path.read_text()
    listed, resolved = [], []
    for n in range(first, first + count):
        edited = text.replace('accounts in the identity store."', f'accounts, revision {n}."')
        client.notify("textDocument/didChange", s.change_params(uri, 100 + n, edited))
        took, actions = await client.timed(
            "textDocument/codeAction", code_action_params(uri, only=s.SOURCE_MENU)
        )
        listed.append(took)
        action = next(a for a in actions if a.get("kind") in s.GENERATE_KINDS)
        resolved.append((await client.timed("codeAction/resolve", action))[0])
    client.notify("textDocument/didChange", s.change_params(uri, 100 + first + count, text))
    return listed, resolved


async def learned_after_edits(
    client: LspClient, uri: str, path: Path, count: int, first: int
) -> list[float]:
    """After each change of the description: ms until the server's learned options are
    current again (the debounce, new query texts embedded, the searches), while the
    listings in between answer with the previous ones."""
    text = path.read_text()
    waited = []
    for n in range(first, first + count):
        edited = text.replace('accounts in the identity store."', f'accounts, revision {n}."')
        started = time.perf_counter()
        client.notify("textDocument/didChange", s.change_params(uri, 100 + n, edited))
        await s.learned_ready(client, uri)
        waited.append((time.perf_counter() - started) * 1000)
    client.notify("textDocument/didChange", s.change_params(uri, 100 + first + count, text))
    await s.learned_ready(client, uri)
    return waited


async def while_learning(
    client: LspClient, uri: str, package: Path, saves: int, window: float = 0.4
) -> tuple[list[float], list[float]]:
    """Save a 1,000-line accepted module ``saves`` times (new blocks each time: didChange
    with the whole text, didSave); time code actions on the target contract back to back
    from each save until the server logs that it learned the file (at least ``window``
    s). Returns (code action ms, save-to-learned ms)."""
    big = package / "handlers" / "handler_bulk.py"
    big.write_text(big_module(0))
    big_uri = client.open(big, "python")
    samples, learned = [], []
    params = code_action_params(uri, only=s.SOURCE_MENU)
    for save in range(1, saves + 1):
        text = big_module(save)
        big.write_text(text)
        client.notify("textDocument/didChange", s.change_params(big_uri, save + 1, text))
        seen = await s.learned_count(client, big.name)
        started = time.perf_counter()
        client.notify("textDocument/didSave", {"textDocument": {"uri": big_uri}})
        took = None
        while took is None or time.perf_counter() - started < window:
            if took is None and await s.learned_count(client, big.name) > seen:
                took = (time.perf_counter() - started) * 1000
                learned.append(took)
            samples.append((await client.timed("textDocument/codeAction", params))[0])
            if took is None and time.perf_counter() - started > 120:
                tail = "\n".join(client.log_lines()[-5:])
                raise TimeoutError(f"the save was never learned:\n{tail}")
    return samples, learned


async def burst(
    client: LspClient, targets: list[tuple[str, int]], seconds: float, rate: int = 1000
) -> float:
    """``rate`` didChange/s for ``seconds`` across ``targets`` (uri, column typed at),
    then one request: returns ms until the server had caught up and answered it."""
    versions = dict.fromkeys((uri for uri, _ in targets), 1000)
    started = time.perf_counter()
    sent = 0
    while (elapsed := time.perf_counter() - started) < seconds:
        while sent < elapsed * rate:
            uri, column = targets[sent % len(targets)]
            versions[uri] += 1
            client.notify("textDocument/didChange", s.typing_params(uri, versions[uri], column))
            sent += 1
        await client.drain()
        await asyncio.sleep(0.005)
    ended = time.perf_counter()
    await client.timed("bench/ping", None)
    return (time.perf_counter() - ended) * 1000


def rss(client: LspClient) -> dict[str, float]:
    """The server's resident set now, its peak, and its worker processes' (MB)."""
    return {
        "rss": round(rss_mb(client.pid), 1),
        "peak": round(rss_mb(client.pid, "VmHWM"), 1),
        "workers": round(children_rss_mb(client.pid), 1),
    }


async def store_session(info: dict[str, Any], work: Path, plan: dict[str, int]) -> dict[str, Any]:
    """codeAction on the target contract with this store (MiniLM); with ``plan["full"]``
    also resolve, learning on save and the didChange bursts, in the same session."""
    work.mkdir(parents=True, exist_ok=True)
    data = copy_data(info, work / "data")
    client, times = await s.start(work, data, "minilm")
    out: dict[str, Any] = {"blocks": info["blocks"], **times, "rss_ready": rss(client)}
    try:
        path = s.contract_path(work)
        uri = await s.open_contract(client, path)
        out["learned_ready_after_open"] = await s.learned_ready(client, uri)
        actions = await client.request(
            "textDocument/codeAction", code_action_params(uri, only=s.SOURCE_MENU)
        )
        out["actions"] = {"offered": len(actions), "learned": s.learned_offers(actions)}
        out["floor"] = await pings(client, plan["requests"])
        out["code_action"] = await code_actions(client, uri, plan["requests"])
        out["rss_actions"] = rss(client)
        if plan["full"]:
            await _full_session(client, work, uri, path, plan, out)
    finally:
        out["rss_end"] = rss(client)
        await client.stop()
    return out


async def _full_session(
    client: LspClient, work: Path, uri: str, path: Path, plan: dict[str, int], out: dict[str, Any]
) -> None:
    out["resolve_first"], out["resolve_again"] = await resolves(client, uri, plan["resolves"])
    out["code_action_after_edit"], out["resolve_after_edit"] = await after_edits(
        client, uri, path, plan["edits"]
    )
    out["learned_after_edit"] = await learned_after_edits(
        client, uri, path, plan["edits"], plan["edits"] + 1
    )
    package = await s.accept_package(client, s.contract_path(work, s.ACCEPTED))
    out["code_action_idle"] = await code_actions(client, uri, plan["requests"])
    busy, learned = await while_learning(client, uri, package, plan["saves"])
    out["code_action_learning"], out["save_to_learned"] = busy, learned
    handler = next((package / "handlers").glob("handler_create_*.py"))
    handler_uri = client.open(handler, "python")
    targets = [(uri, 1), (handler_uri, 3)]
    out["rss_before_burst"] = rss(client)
    out["bursts"] = []
    for _ in range(plan["bursts"]):
        caught_up = await burst(client, targets, plan["burst_seconds"])
        after = rss(client)
        await asyncio.sleep(2)
        settled = rss(client)
        out["bursts"].append({"caught_up_ms": round(caught_up), "after": after, "settled": settled})
    out["code_action_after_bursts"] = await code_actions(client, uri, plan["requests"] // 2, 1)


async def first_resolve_session(info: dict[str, Any], work: Path) -> float:
    """A fresh server on a copy of the store: its first resolve of "generate node" (ms)."""
    work.mkdir(parents=True, exist_ok=True)
    data = copy_data(info, work / "data")
    client, _ = await s.start(work, data, "minilm")
    try:
        # As an editor's user: open, list, pick; the options computed since the open
        # may not be ready, and then the resolve computes them.
        uri = await s.open_contract(client, s.contract_path(work))
        first, _ = await resolves(client, uri, 0)
    finally:
        await client.stop()
    return first


async def model_session(
    work: Path, embedder: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """An empty store: ``initialize`` from spawn, ready after ``initialized`` (MiniLM
    loaded, or the library open for ``hashing``), and RSS once settled."""
    client, times = await s.start(work, work / "data", embedder, env)
    try:
        await asyncio.sleep(1.0)  # let the threads that opened the library settle
        return {**times, **rss(client)}
    finally:
        await client.stop()
