"""Contracts at and past the reader's limits, and names the generated code cannot use:
located diagnostics, never exceptions; what generation is offered for always parses.
(Each case here is one the fuzzer found or a limit it probes, pinned down in-process.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from onex_lsp.contract.model import Severity
from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package
from onex_lsp.layout import snake
from tests.conftest import MINIMAL_EFFECT
from tests.reliability.fuzz_inputs import strict_contract

WHERE = Location(Path("/ws/c/contract.yaml"), Path("/ws"))


def _codes(text: str) -> dict[str, tuple[Severity, int]]:
    """Issue code -> (severity, line) for a contract text; reading never raises."""
    result = load_contract(text, str(WHERE.contract))
    return {i.code: (i.severity, i.range.start.line) for i in result.issues}


def _generated_parses(text: str) -> int:
    result = load_contract(text, str(WHERE.contract))
    assert result.generatable and result.contract is not None, result.issues
    files = plan_package(result.contract, WHERE).files
    python = {name: source for name, source in files.items() if name.endswith(".py")}
    for name, source in python.items():
        ast.parse(source, name)
    return len(python)


def _contract(operations: list[str]) -> str:
    """A strict contract routing each operation to the handler its Python name gives."""
    text = strict_contract("users", operations)
    for operation in operations:
        ident = snake(operation)
        text = text.replace(f"handle_{operation}\n", f"handle_{ident}\n").replace(
            f"handler_{operation}\n", f"handler_{ident}\n"
        )
    return text


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


@pytest.mark.parametrize("depth", [70, 5_000, 200_000])
def test_deep_nesting_is_one_located_error(depth: int) -> None:
    text = "node_type: EFFECT_GENERIC\nmetadata: " + "[" * depth + "]" * depth + "\n"
    severity, _ = _codes(text)["too-deep" if len(text) < 512 * 1024 else "too-large"]
    assert severity is Severity.ERROR


def test_a_huge_scalar_is_refused_before_parsing() -> None:
    text = strict_contract("big", ["create_user"]).replace("Fuzzed", "é" * 300_000)
    assert _codes(text)["too-large"][0] is Severity.ERROR


def test_more_than_500_operations_blocks_generation_with_a_warning() -> None:
    text = strict_contract("bulk_thing", [f"create_item_{i}" for i in range(501)])
    assert _codes(text)["too-many-operations"][0] is Severity.WARNING
    assert not load_contract(text).generatable
    assert _generated_parses(strict_contract("bulk_thing", [f"op_{i}" for i in range(499)])) > 499


@pytest.mark.parametrize("name", ["None", "True", "class", "match", "await"])
def test_a_keyword_as_handler_name_is_located_and_blocks_generation(name: str) -> None:
    text = strict_contract("users", ["create_user"]).replace(
        "name: handle_create_user", f"name: {name}"
    )
    severity, line = _codes(text)["invalid-identifier"]
    assert severity is Severity.WARNING and line == _line_of(text, f"name: {name}")
    assert not load_contract(text).generatable


@pytest.mark.parametrize("operation", ["é名🙂", "🙂", "x" * 300])
def test_an_operation_that_cannot_become_a_python_name_is_located(operation: str) -> None:
    text = strict_contract("users", ["create_user", operation])
    severity, line = _codes(text)["invalid-identifier"]
    assert severity is Severity.WARNING and line == _line_of(text, f"operation: {operation[:20]}")
    assert not load_contract(text).generatable


@pytest.mark.parametrize(
    "operation", ["class", "list", "print", "id", "type", "2fa.verify", "créer"]
)
def test_keywords_builtins_and_unicode_operations_generate_code_that_parses(
    operation: str,
) -> None:
    assert _generated_parses(_contract(["create_user", operation])) > 0


def test_names_that_collide_once_snake_cased_are_located() -> None:
    text = strict_contract("users", ["createUser", "create_user", "create-user"])
    result = load_contract(text, str(WHERE.contract))
    lines = [i.range.start.line for i in result.issues if i.code == "operation-name-clash"]
    assert lines == [_line_of(text, "operation: create_user"), _line_of(text, "operation: create-")]
    assert not result.generatable


def test_a_model_named_after_a_keyword_is_located() -> None:
    text = strict_contract("users", ["create_user"]).replace(
        "input_model: ModelFuzzInput", "input_model: pkg.models.None"
    )
    assert _codes(text)["invalid-identifier"][0] is Severity.WARNING


@pytest.mark.parametrize("module", ["class", "handlers.class.x", "handlers.None"])
def test_a_handler_module_with_a_keyword_part_is_written_into_the_package(module: str) -> None:
    text = strict_contract("users", ["create_user"]).replace(
        "module: handlers.handler_create_user", f"module: {module}"
    )
    assert _generated_parses(text) > 0


@pytest.mark.parametrize("name", ["handle_create__user", "_handle", "handle_x_", "Handle_X"])
def test_a_handler_name_the_generator_cannot_write_is_located(name: str) -> None:
    text = strict_contract("users", ["create_user"]).replace(
        "name: handle_create_user", f"name: {name}"
    )
    assert _codes(text)["invalid-identifier"][1] == _line_of(text, f"name: {name}")
    assert not load_contract(text).generatable


@pytest.mark.parametrize("model", ["node_x.mModelOrderBookOutput", "pkg.models.model_x", "Model_X"])
def test_a_model_that_is_not_a_pascal_case_class_is_located(model: str) -> None:
    text = strict_contract("users", ["create_user"]).replace("ModelFuzzOutput", model)
    assert _codes(text)["invalid-identifier"][1] == _line_of(text, "output_model:")


def test_a_handler_module_with_non_ascii_parts_is_written_into_the_package() -> None:
    text = strict_contract("users", ["create_user"]).replace(
        "module: handlers.handler_create_user", "module: " + "ö" * 300
    )
    assert _generated_parses(text) > 0


def test_a_huge_description_is_embedded_in_part() -> None:
    """Every learned-block query embeds the description: 500 KB of it cost the fuzzer a
    code action over 5 s; what MiniLM reads (256 tokens) is what is embedded."""
    from onex_lsp.learning.blocks import describe

    assert len(describe("effect", "crud.create", "create_user", "word " * 100_000)) < 1200


@pytest.mark.parametrize("tagged", ["!!python/object x", "!!python/name:os.system x", "!local x"])
def test_a_tag_the_frameworks_safe_loader_cannot_load_is_a_located_error(tagged: str) -> None:
    """Found by the fuzzer: ``{major: 0,!!python/object minor: 1}`` read without a word."""
    text = MINIMAL_EFFECT + f"metadata: {tagged}\n"
    (issue,) = load_contract(text).issues
    assert issue.code == "yaml-syntax" and issue.severity == Severity.ERROR
    assert issue.range.start.line == text.count("\n") - 1
    assert tagged.split()[0] in issue.message


def test_standard_tags_are_fine() -> None:
    assert load_contract(MINIMAL_EFFECT + "metadata: !!str 12\n").issues == ()
