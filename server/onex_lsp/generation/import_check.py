"""The replay gate's dynamic half: import rendered handler modules in their generated
package, in the framework interpreter the user configured (``onex.validationInterpreter``).

Nothing is written anywhere: the packages travel to the interpreter as JSON on stdin and
a finder there serves their modules from memory, so ``from ..models.x import Y`` runs as
it will in the written package, and ``omnibase_core`` (and anything else absolute)
comes from the interpreter's environment. One process checks a batch: the framework is
imported once (about a second), each package after it costs milliseconds. Between two
packages their modules are dropped, so each imports afresh.

The package's own tests are not run: they would need the package on disk (the gate runs
before anything is written), they cost about 2.5 s a package against 0.9 s for the
imports, and they assert the built-in blocks' behaviour, which a user's style may change
on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from onex_lsp.contract.framework_check import run_framework_script

_SCRIPT = r"""
import importlib.abc, importlib.util, json, sys

class Served(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, top, files):
        self.top, self.files = top, files
    def _source(self, name):
        parts = name.split(".")
        if parts[0] != self.top:
            return None, False
        rel = "/".join(parts[1:])
        init = (rel + "/" if rel else "") + "__init__.py"
        for path, package in ((rel + ".py", False), (init, True)):
            if path in self.files:
                return self.files[path], package
        return None, False
    def find_spec(self, name, path=None, target=None):
        source, package = self._source(name)
        if source is None:
            return None
        return importlib.util.spec_from_loader(name, self, is_package=package)
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        source, _ = self._source(module.__name__)
        exec(compile(source, module.__name__.replace(".", "/") + ".py", "exec"), module.__dict__)

results = {}
for check in json.load(sys.stdin):
    finder = Served(check["top"], check["files"])
    sys.meta_path.insert(0, finder)
    try:
        for module in check["modules"]:
            importlib.import_module(module)
        results[check["key"]] = ""
    except BaseException as exc:
        results[check["key"]] = (type(exc).__name__ + ": " + str(exc))[:300]
    finally:
        sys.meta_path.remove(finder)
        top = check["top"]
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]
sys.stdout.write("ONEX-RESULT " + json.dumps(results) + "\n")
"""


@dataclass(frozen=True)
class ImportCase:
    """One package to import: its files (relative to the package folder, whose name is
    ``top``) and the modules to import, dotted from ``top``."""

    key: str
    top: str
    files: Mapping[str, str]
    modules: tuple[str, ...]


def import_failures(
    interpreter: str, cases: Sequence[ImportCase], timeout: float = 120.0
) -> dict[str, str]:
    """Blocking: each case's import error (``""``: it imported). Raises
    ``FrameworkUnavailable`` when the interpreter cannot run the check at all."""
    if not cases:
        return {}
    payload = [
        {"key": c.key, "top": c.top, "files": dict(c.files), "modules": list(c.modules)}
        for c in cases
    ]
    found = run_framework_script(
        interpreter, _SCRIPT, [], json.dumps(payload), timeout, "import the packages", isolated=True
    )
    return {c.key: str(found.get(c.key, "not checked")) for c in cases}
