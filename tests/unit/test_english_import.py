"""inflect without typeguard's import-time instrumentation gives the same English.

``english._engine`` imports inflect with ``@typechecked`` as the identity (as ``python
-O`` does): ~2 s of CPU less at every start. The answers must not change.
"""

from __future__ import annotations

import json
import subprocess
import sys

WORDS = [
    "invoices", "statuses", "children", "user", "data", "hour", "box", "address",
    "categories", "people", "order", "item", "entry", "analysis", "index", "status",
    "customer_records", "sms", "euro", "unicorn", "honest", "mouse", "leaf", "quiz",
]  # fmt: skip

PROBE = """
import json
{setup}
print(json.dumps([[e.singular_noun(w), e.plural_noun(w), e.a(w)] for w in {words!r}]))
checks = {{"check_argument_types", "check_return_type", "TypeCheckMemo"}}
print(json.dumps(sorted(checks & set(type(e).plural_noun.__code__.co_names))))
"""


def _answers(setup: str) -> tuple[list[object], list[str]]:
    code = PROBE.format(setup=setup, words=WORDS)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return json.loads(out[0]), json.loads(out[1])


def test_uninstrumented_inflect_answers_as_the_instrumented_one() -> None:
    instrumented, checks = _answers("import inflect; e = inflect.engine()")
    assert checks  # typeguard rewrote inflect's methods
    ours, checks = _answers(
        "import typeguard; before = typeguard.typechecked\n"
        "from onex_lsp.english import _engine; e = _engine()\n"
        "assert typeguard.typechecked is before"
    )
    assert checks == []  # nothing was instrumented
    assert ours == instrumented
