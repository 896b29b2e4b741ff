"""Optional deep check: omnibase-core's own ServiceContractValidator, in the user's venv.

The language server never imports omnibase-core (it needs Python 3.12 and is slow to
import); when a setting names an interpreter that has it, the contract text is piped
to a short script run by that interpreter, and its violations come back as JSON.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

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
    try:
        proc = subprocess.run(
            [interpreter, "-c", _SCRIPT, kind],
            input=text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FrameworkUnavailable(f"cannot run {interpreter}: {exc}") from exc
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("ONEX-RESULT ")), None)
    if line is None:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise FrameworkUnavailable(
            f"{interpreter} could not run omnibase-core's ServiceContractValidator: {tail}"
        )
    data = json.loads(line.removeprefix("ONEX-RESULT "))
    return FrameworkVerdict(
        bool(data["is_valid"]), tuple(data["violations"]), tuple(data["warnings"])
    )
