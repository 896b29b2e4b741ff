"""Optional deep check: omnibase-core's own ServiceContractValidator, in the user's venv.

The language server never imports omnibase-core (it needs Python 3.12 and is slow to
import); when a setting names an interpreter that has it, the contract text is piped
to a short script run by that interpreter, and its violations come back as JSON.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

_SCRIPT = """
import json, sys
from omnibase_core.services.service_contract_validator import ServiceContractValidator
kind = sys.argv[1]
result = ServiceContractValidator().validate_contract_yaml(sys.stdin.read(), kind)
sys.stdout.write("ONEX-RESULT " + json.dumps({
    "is_valid": bool(result.is_valid),
    "violations": [str(v) for v in result.violations],
    "warnings": [str(w) for w in result.warnings],
}) + "\\n")
"""


_RESULT = "ONEX-RESULT "  # the line a framework script answers on


class FrameworkUnavailable(RuntimeError):
    """The interpreter is missing, broken, or has no omnibase-core."""


@dataclass(frozen=True)
class FrameworkVerdict:
    is_valid: bool
    violations: tuple[str, ...]
    warnings: tuple[str, ...]


def validate_with_framework(
    interpreter: str, text: str, kind: str, timeout: float = 60.0
) -> FrameworkVerdict:
    doing = "run omnibase-core's ServiceContractValidator"
    data = run_framework_script(interpreter, _SCRIPT, [kind], text, timeout, doing)
    return FrameworkVerdict(
        bool(data["is_valid"]), tuple(data["violations"]), tuple(data["warnings"])
    )


def run_framework_script(
    interpreter: str,
    script: str,
    arguments: list[str],
    stdin: str,
    timeout: float,
    doing: str,
    *,
    isolated: bool = False,
) -> Any:
    """Blocking: ``interpreter [-I] -c script arguments...`` with ``stdin``, and the JSON of
    the one ``ONEX-RESULT`` line the script prints (anything else on stdout is the
    framework's chatter). ``FrameworkUnavailable`` says ``doing`` failed without it."""
    flags = ["-I"] if isolated else []
    try:
        proc = subprocess.run(
            [interpreter, *flags, "-c", script, *arguments],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FrameworkUnavailable(f"cannot run {interpreter}: {exc}") from exc
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(_RESULT)), None)
    if line is None:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise FrameworkUnavailable(f"{interpreter} could not {doing}: {tail}")
    return json.loads(line.removeprefix(_RESULT))
