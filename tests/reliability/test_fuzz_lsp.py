"""The fuzzer: hostile inputs through the real server over stdio, as an editor sends them.

For every input the document is opened (and changed), its diagnostics awaited, code
actions, hover and — when generation is offered — the generate action's resolve are
requested. The server must never crash (its process stays alive), hang (any request
over 5 s) or answer InternalError; every contract problem the reader finds must reach
the client as a diagnostic with a sane range; every package it offers must parse.

CI runs a few hundred inputs (under ~3 minutes, a fixed seed). A long, randomised run:
``ONEX_FUZZ_LONG=1`` (or ``ONEX_FUZZ_EXAMPLES=N`` per category). The counts (inputs,
crashes, hangs, InternalErrors, packages checked) go to ``out/fuzz-report.json``
(``ONEX_FUZZ_REPORT`` to change it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from tests.conftest import EXAMPLES, ROOT, package_files
from tests.reliability import fuzz_inputs as inputs
from tests.reliability.lsp_runner import (
    FuzzCounts,
    LspRunner,
    Problem,
    change_text,
    close_text,
    files_of,
    open_text,
    python_files_of,
    unparsable,
)

pytestmark = pytest.mark.fuzz
LONG = os.environ.get("ONEX_FUZZ_LONG") == "1"
PER_CATEGORY = int(os.environ.get("ONEX_FUZZ_EXAMPLES", "0"))
REPORT = Path(os.environ.get("ONEX_FUZZ_REPORT", ROOT / "out" / "fuzz-report.json"))
COUNTS = FuzzCounts()
PACKAGES_SEEN: list[dict[str, str]] = []  # generated packages (file URI -> text), a sample
FRAMEWORK_SAMPLE = 6  # of them run their own tests on omnibase-core
# generate is offered as a source action and, where Ctrl+. looks, a refactor one
GENERATE_KINDS = ("source.onex.generateNode", "refactor.onex.generateNode")


def _settings(ci_examples: int) -> settings:
    examples = PER_CATEGORY or (ci_examples * 20 if LONG else ci_examples)
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=not LONG,  # CI: the same inputs every run; long runs explore
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspRunner]:
    workspace = tmp_path_factory.mktemp("fuzz-workspace")
    started = LspRunner(workspace, COUNTS)
    yield started
    started.stop()
    COUNTS.write(REPORT)
    print(f"\nfuzz: {COUNTS.inputs} inputs, {COUNTS.crashes} crashes, {COUNTS.hangs} hangs, "
          f"{COUNTS.internal_errors} InternalErrors, {COUNTS.generated_packages} packages "
          f"({COUNTS.generated_files} files) parsed; report {REPORT}")  # fmt: skip


def _yaml_broken(text: str) -> bool:
    try:
        list(yaml.safe_load_all(text))
    except (yaml.YAMLError, ValueError, RecursionError):
        return True
    return False


def _check_diagnostics(text: str, path: Path, diagnostics: list[lsp.Diagnostic]) -> None:
    """Every problem the reader finds reaches the client, each with a range in the text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for diagnostic in diagnostics:
        start, end = diagnostic.range.start, diagnostic.range.end
        assert 0 <= start.line <= end.line <= len(lines), diagnostic
        assert (start.line, start.character) <= (end.line, end.character), diagnostic
        assert start.character >= 0 and diagnostic.message
    expected = {issue.code for issue in load_contract(text, str(path)).issues}
    assert expected <= {str(d.code) for d in diagnostics}


def _has_error(diagnostics: list[lsp.Diagnostic]) -> bool:
    return any(d.severity == lsp.DiagnosticSeverity.Error for d in diagnostics)


async def _exercise(
    runner: LspRunner, doc: str, text: str, diagnostics: list[lsp.Diagnostic]
) -> None:
    """Code actions, hover, and the generate action resolved into a package that parses."""
    client = runner.client
    origin = lsp.Position(line=0, character=0)
    context = lsp.CodeActionContext(
        diagnostics=diagnostics, trigger_kind=lsp.CodeActionTriggerKind.Invoked
    )
    identifier = lsp.TextDocumentIdentifier(uri=doc)
    actions = await runner.request(
        "textDocument/codeAction",
        client.text_document_code_action_async(
            lsp.CodeActionParams(identifier, lsp.Range(start=origin, end=origin), context)
        ),
    )
    middle = lsp.Position(line=max(0, text.count("\n") // 2), character=2)
    for position in (origin, middle):
        await runner.request(
            "textDocument/hover",
            client.text_document_hover_async(lsp.HoverParams(identifier, position)),
        )
    for action in actions or []:
        if isinstance(action, lsp.CodeAction) and action.kind in GENERATE_KINDS:
            await _check_generation(runner, action, diagnostics)
            break


async def _check_generation(
    runner: LspRunner, action: lsp.CodeAction, diagnostics: list[lsp.Diagnostic]
) -> None:
    assert not _has_error(diagnostics), "generation offered for a contract with errors"
    resolved = await runner.request(
        "codeAction/resolve", runner.client.code_action_resolve_async(action)
    )
    files = python_files_of(resolved.edit)
    assert files, "the generate action resolved to no Python files"
    assert unparsable(files) == []
    COUNTS.generated_packages += 1
    COUNTS.generated_files += len(files)
    if len(PACKAGES_SEEN) < 500:
        PACKAGES_SEEN.append(files_of(resolved.edit))


async def _contract_input(runner: LspRunner, case: inputs.ContractCase, path: Path) -> None:
    client = runner.client
    doc = open_text(client, path, case.text, "yaml")
    try:
        versions = [case.text] + ([case.change_to] if case.change_to is not None else [])
        for version, text in enumerate(versions, 1):
            if version > 1:
                change_text(client, doc, version, text)
            diagnostics = await runner.diagnostics_for(doc, version)
            COUNTS.diagnostics += len(diagnostics)
            _check_diagnostics(text, path, diagnostics)
            if case.must_error or _yaml_broken(text):
                assert _has_error(diagnostics), "a broken contract got no error"
            await _exercise(runner, doc, text, diagnostics)
    finally:
        close_text(client, doc)


def _fuzz(runner: LspRunner, category: str, run: object) -> None:
    """One input: run it, then prove the server survived it and logged no crash."""
    COUNTS.inputs += 1
    COUNTS.by_category[category] = COUNTS.by_category.get(category, 0) + 1
    before = len(runner.internal_error_logs())
    try:
        runner.call(run, timeout=120)  # type: ignore[arg-type]
    except (Problem, AssertionError) as exc:
        COUNTS.failures.append(f"{category}: {exc}")
        raise
    finally:
        if not runner.alive():
            runner.restart()
            pytest.fail(f"the server process died on a {category} input")
    logged = runner.internal_error_logs()[before:]
    if logged:
        COUNTS.internal_errors += len(logged)
        pytest.fail(f"the server logged an internal error: {logged[0]}")


def _contract_path(runner: LspRunner) -> Path:
    return runner.workspace / f"c{COUNTS.inputs}" / "contract.yaml"


CONTRACT_STRATEGIES = {  # category: (inputs, how many a CI run fuzzes)
    "wrong-type": (inputs.wrong_types(), 140),
    "names": (inputs.hostile_names(), 100),
    "operations": (inputs.many_operations(), 18),
    "depth": (inputs.deep_nesting(), 20),
    "huge-scalar": (inputs.huge_scalars(), 14),
    "broken-yaml": (inputs.broken_yaml(), 80),
    "binary": (inputs.binary(), 40),
}


def _contract_test(category: str) -> object:
    strategy, ci_examples = CONTRACT_STRATEGIES[category]

    @_settings(ci_examples)
    @given(case=strategy)
    def test(runner: LspRunner, case: inputs.ContractCase) -> None:
        _fuzz(runner, category, _contract_input(runner, case, _contract_path(runner)))

    test.__doc__ = f"Fuzz contracts: {category}."
    return test


test_fuzz_wrong_types = _contract_test("wrong-type")
test_fuzz_hostile_names = _contract_test("names")
test_fuzz_thousands_of_operations = _contract_test("operations")
test_fuzz_deep_nesting = _contract_test("depth")
test_fuzz_huge_scalars = _contract_test("huge-scalar")
test_fuzz_broken_yaml = _contract_test("broken-yaml")
test_fuzz_binary = _contract_test("binary")


def _generated_handlers() -> dict[str, tuple[dict[str, str], str, str]]:
    """Per example: (its package files, the package folder name, one handler's path)."""
    found = {}
    for example in EXAMPLES:
        contract = load_contract(example.read_text()).contract
        assert contract is not None
        generated = plan_package(contract, Location(Path("/ws/x/contract.yaml"), Path("/ws")))
        files = package_files(generated)
        handlers = sorted(rel for rel in files if rel.startswith("handlers/handler_"))
        if handlers:
            found[example.stem] = (files, generated.plan.package, handlers[0])
    return found


PACKAGES = _generated_handlers()


async def _python_input(runner: LspRunner, case: inputs.PythonCase, folder: Path) -> None:
    files, package, handler = PACKAGES[case.example]
    root = folder / package
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    if case.disk_contract is not None:
        (root / "contract.yaml").write_bytes(case.disk_contract)
    client = runner.client
    doc = open_text(client, root / handler, case.versions[0], "python")
    try:
        for version, text in enumerate(case.versions, 1):
            if version > 1:
                change_text(client, doc, version, text)
            await _exercise(runner, doc, text, [])
    finally:
        close_text(client, doc)
        shutil.rmtree(folder, ignore_errors=True)


@_settings(90)
@given(
    case=inputs.python_mid_edit({stem: PACKAGES[stem][0][PACKAGES[stem][2]] for stem in PACKAGES})
)
def test_fuzz_python_handlers_mid_edit(runner: LspRunner, case: inputs.PythonCase) -> None:
    folder = runner.workspace / f"p{COUNTS.inputs}"
    _fuzz(runner, case.category, _python_input(runner, case, folder))


def _write_package(files: dict[str, str], into: Path) -> Path:
    """The package's files under ``into``, laid out as the edit would create them."""
    paths = {Path(to_fs_path(name)): text for name, text in files.items()}
    node = next(p for p in paths if p.name == "node.py" or p.name == "handler.py")
    package = node.parent
    for path, text in paths.items():
        target = into / package.name / path.relative_to(package)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return into / package.name


@pytest.mark.framework
def test_fuzzed_packages_pass_their_own_tests_on_omnibase_core(
    runner: LspRunner, py312: Path, tmp_path: Path
) -> None:
    """A sample of what the fuzzer generated (spread over the run) imports and passes the
    tests generated with it on the real omnibase-core (Python 3.12)."""
    if len(PACKAGES_SEEN) < FRAMEWORK_SAMPLE:
        _collect_packages(runner)
    step = max(1, len(PACKAGES_SEEN) // FRAMEWORK_SAMPLE)
    sample = PACKAGES_SEEN[::step][:FRAMEWORK_SAMPLE]
    assert len(sample) == FRAMEWORK_SAMPLE
    for index, files in enumerate(sample):
        package = _write_package(files, tmp_path / f"sample{index}")
        env = {**os.environ, "PYTHONPATH": str(package.parent), "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run(
            [str(py312), "-m", "pytest", "-q", "-p", "no:cacheprovider", package.name],
            cwd=package.parent, capture_output=True, text=True, env=env, timeout=600,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def _collect_packages(runner: LspRunner) -> None:
    """Run alone, the sample test fuzzes names itself until it has packages to run."""

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=inputs.hostile_names())
    def fuzz(case: inputs.ContractCase) -> None:
        if len(PACKAGES_SEEN) < FRAMEWORK_SAMPLE * 3:
            _fuzz(runner, "names", _contract_input(runner, case, _contract_path(runner)))

    fuzz()


@settings(max_examples=1, deadline=None, database=None)
@given(st.just(None))
def test_fuzz_report_counts_no_failures(runner: LspRunner, _: None) -> None:
    """Last in the module: the totals the report records are all clean."""
    assert (COUNTS.crashes, COUNTS.hangs, COUNTS.internal_errors) == (0, 0, 0), COUNTS.failures
