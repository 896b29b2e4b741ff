"""The replay gate in the server: its verdicts on learned options, cached.

A contract's learned options are computed in worker threads (``learned_offers``); the
gate runs there too, right after the library answers (``gated``), so the options a
listing takes are already judged — those that can be the default: per operation, best
first until one passes. A verdict depends on the block, what the package is rendered
from (the contract without its prose: ``gate_digest``), the operation, the package's
place and the threshold (which decides the other handlers of the package): it is kept
under those, so a description edit re-checks nothing. Where
``onex.validationInterpreter`` is set, the blocks that pass the static check are also
imported in their package by that interpreter (``import_check``), all of one round in
one process; an interpreter that cannot run the check is not asked again (the setting
needs a restart).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from onex_lsp.contract.framework_check import FrameworkUnavailable
from onex_lsp.contract.model import Contract
from onex_lsp.feedback.ranking import gate_learned
from onex_lsp.generation.package_plan import PackagePlan
from onex_lsp.generation.ranking import LearnedOption

if TYPE_CHECKING:  # rendering (Jinja2) loads with the first check, not with the server
    from onex_lsp.generation.import_check import ImportCase
    from onex_lsp.generation.replay_gate import Replay

log = logging.getLogger(__name__)
Options = dict[str, list[LearnedOption]]
Compute = Callable[[Contract, PackagePlan, float], Options]
Key = tuple[str, str, str, str, float]  # block id, operation, contract digest, package, threshold
CAPACITY = 2048  # verdicts kept (a few hundred bytes each)


class ReplayGates:
    """Verdicts of the replay gate, least recently used first out (any thread)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._lock = threading.Lock()
        self._verdicts: OrderedDict[Key, str] = OrderedDict()
        self._capacity = capacity
        self._broken: set[str] = set()  # interpreters that could not run the check
        self.checked = 0  # blocks rendered and checked so far (the rest came from the cache)

    def gated(self, compute: Compute, interpreter: Callable[[], str | None]) -> Compute:
        """``compute`` followed by the gate (blocking, like ``compute``)."""

        def run(contract: Contract, plan: PackagePlan, threshold: float) -> Options:
            options = compute(contract, plan, threshold)
            if not options:
                return options
            try:
                verdicts = self.verdicts(contract, plan, threshold, options, interpreter())
            except Exception as exc:  # the gate must never cost the user their options
                log.warning("replay gate failed for %s: %s", contract.name, exc)
                return options
            return gate_learned(options, verdicts)

        return run

    def verdicts(
        self,
        contract: Contract,
        plan: PackagePlan,
        threshold: float,
        options: Options,
        interpreter: str | None,
    ) -> dict[tuple[str, str], str]:
        """Blocking: the verdicts that decide each operation's default. Its options that
        may be the default otherwise are checked best score first, in rounds, until one
        passes: one below a passing option can never be the default, so it is not
        rendered (it stays an alternative, ranked below)."""
        from onex_lsp.generation.replay_gate import gate_digest

        digest = gate_digest(contract)
        queues = {
            operation: sorted(
                (o for o in found if not o.not_preferred and not o.superseded),
                key=lambda o: -o.score,
            )
            for operation, found in options.items()
        }
        decided: dict[tuple[str, str], str] = {}
        while heads := {(op, queue[0].block_id): queue[0] for op, queue in queues.items() if queue}:
            found = self._verdicts_of(contract, plan, threshold, digest, heads, interpreter)
            decided.update(found)
            failed = {op for op, queue in queues.items() if queue and found[op, queue[0].block_id]}
            queues = {op: queues[op][1:] for op in failed}
        return decided

    def _verdicts_of(
        self,
        contract: Contract,
        plan: PackagePlan,
        threshold: float,
        digest: str,
        wanted: dict[tuple[str, str], LearnedOption],
        interpreter: str | None,
    ) -> dict[tuple[str, str], str]:
        """The verdicts of ``wanted`` (by operation and block id), from the cache or checked
        now (then cached)."""
        keys = {k: (k[1], k[0], digest, str(plan.package), threshold) for k in wanted}
        with self._lock:
            known = {k: self._verdicts[key] for k, key in keys.items() if key in self._verdicts}
            for k in known:  # least recently *used* goes first, not least recently checked
                self._verdicts.move_to_end(keys[k])
            self.checked += len(keys) - len(known)
        pending = {k: option for k, option in wanted.items() if k not in known}
        if pending:
            found = self._check(contract, plan, threshold, pending, interpreter)
            with self._lock:
                for k, verdict in found.items():
                    self._verdicts[keys[k]] = verdict
                    self._verdicts.move_to_end(keys[k])
                while len(self._verdicts) > self._capacity:
                    self._verdicts.popitem(last=False)
            known.update(found)
        return known

    def _check(
        self,
        contract: Contract,
        plan: PackagePlan,
        threshold: float,
        pending: dict[tuple[str, str], LearnedOption],
        interpreter: str | None,
    ) -> dict[tuple[str, str], str]:
        from onex_lsp.generation.import_check import import_failures
        from onex_lsp.generation.replay_gate import replay_package, replay_packages, static_verdict

        keys = list(pending)
        wanted = [(k[0], pending[k]) for k in keys]
        replays = dict(zip(keys, replay_packages(contract, plan, threshold, wanted), strict=True))
        verdicts = {k: static_verdict(replay) for k, replay in replays.items()}
        if interpreter is None or interpreter in self._broken:
            return verdicts
        # An import runs the node module too: the package exactly as it would be written.
        exact = {
            k: replay_package(contract, plan, threshold, k[0], option)
            for k, option in pending.items()
            if not verdicts[k]
        }
        cases = {
            f"{k[0]}\n{k[1]}": (k, case)
            for k, replay in exact.items()
            if (case := import_case(f"{k[0]}\n{k[1]}", replay)) is not None
        }
        try:
            failures = import_failures(interpreter, [case for _, case in cases.values()])
        except FrameworkUnavailable as exc:
            log.warning("replay gate: imports not checked (%s)", exc)
            self._broken.add(interpreter)
            return verdicts
        for name, (k, _) in cases.items():
            if failures.get(name):
                verdicts[k] = f"importing it in the generated package fails ({failures[name]})"
        return verdicts


def import_case(key: str, replay: Replay) -> ImportCase | None:
    """What the interpreter imports for a replay: the handler module and the node module,
    served from the package's files; ``None`` when the handler lives outside the package."""
    from onex_lsp.generation.import_check import ImportCase

    if not replay.module_rel:
        return None
    top = PurePosixPath(replay.package).name
    prefix = f"{replay.package}/"
    files = {p.removeprefix(prefix): t for p, t in replay.files.items() if p.startswith(prefix)}
    rels = [replay.module_rel, *([replay.node_rel] if replay.node_rel else [])]
    return ImportCase(key, top, files, tuple(f"{top}.{rel}" for rel in rels))
