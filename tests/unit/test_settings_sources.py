"""The settings table in server/onex_lsp/settings.py is the one source: the editors' files
are rendered from it, every Settings field has one entry, and its facts hold when parsing."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from onex_lsp.settings import (
    RESTART_KEYS,
    RESTRICTED_KEYS,
    SETTINGS,
    Setting,
    Settings,
    parse_settings,
    restart_required,
)
from tests.conftest import ROOT


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "editor_settings", ROOT / "scripts" / "editor_settings.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _load_script()

# Read only when the server starts (services.open_library, load_model_embedder, the
# feedback tracker's checkpoints in `initialized`).
EXPECTED_RESTART = {
    "onex.embedder",
    "onex.validationInterpreter",  # restricted: read from the start-up options only
    "onex.store.path",
    "onex.store.url",
    "onex.store.apiKey",
    "onex.store.perWorkspace",
}
# Name an executable the server runs, or a path or URL (and its key) the server opens.
EXPECTED_RESTRICTED = {
    "onex.validationInterpreter",
    "onex.store.path",
    "onex.store.url",
    "onex.store.apiKey",
    "onex.store.perWorkspace",
}


def _nested(key: str, value: Any) -> dict[str, Any]:
    """``{"a": {"b": value}}`` for the dotted key ``a.b``."""
    *parents, leaf = key.split(".")
    raw: dict[str, Any] = {leaf: value}
    for parent in reversed(parents):
        raw = {parent: raw}
    return raw


def _leaf_fields(cls: type, prefix: str = "") -> list[str]:
    names: list[str] = []
    for item in dataclasses.fields(cls):
        default = getattr(cls(), item.name)
        if dataclasses.is_dataclass(default):
            names += _leaf_fields(type(default), f"{prefix}{item.name}.")
        else:
            names.append(prefix + item.name)
    return names


def _other_value(setting: Setting) -> Any:
    """A valid JSON value different from the default."""
    default = script.json_default(setting)
    if setting.kind == "boolean":
        return not default
    if setting.kind == "array":
        return [1]
    if setting.choices:
        return next(c for c in setting.choices if c != default)
    if setting.kind == "string":
        return "/somewhere/else"
    return setting.maximum if default != setting.maximum else setting.minimum


def test_the_checked_in_editor_files_match_the_table() -> None:
    stale = script.stale(ROOT)
    diffs = "".join(script.diff(path, *texts) for path, texts in stale.items())
    assert not stale, "run python scripts/editor_settings.py --write\n" + diffs
    assert script.main(["--check"]) == 0


def test_every_settings_field_has_exactly_one_entry() -> None:
    counts = Counter(setting.field for setting in SETTINGS)
    assert {name: n for name, n in counts.items() if n != 1} == {}
    assert sorted(counts) == sorted(_leaf_fields(Settings))
    assert len({setting.key for setting in SETTINGS}) == len(SETTINGS)


def test_every_default_round_trips_through_the_parser() -> None:
    assert parse_settings(script.json_defaults()) == (Settings(), [])


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_each_default_and_one_other_value_parse(setting: Setting) -> None:
    assert parse_settings(_nested(setting.key, script.json_default(setting))) == (Settings(), [])
    settings, problems = parse_settings(_nested(setting.key, _other_value(setting)))
    assert problems == []
    assert setting.value_in(settings) != setting.default


NUMERIC = [s for s in SETTINGS if s.kind in ("number", "integer", "array")]


@pytest.mark.parametrize("setting", NUMERIC, ids=lambda s: s.key)
def test_bounds_are_enforced(setting: Setting) -> None:
    step = 1 if setting.kind == "integer" else 1e-3
    low, high = setting.minimum, setting.maximum
    assert low is not None
    accepted: list[Any]
    rejected: list[Any]
    if setting.kind == "array":  # items must be above the minimum
        accepted, rejected = [[low + step]], [[low], [low - step], [], [True]]
    else:
        assert high is not None, "a number is bounded on both sides"
        accepted, rejected = [low, high], [low - step, high + step, True, "1"]
    for value in accepted:
        settings, problems = parse_settings(_nested(setting.key, value))
        assert problems == [], value
        assert setting.value_in(settings) == (tuple(value) if isinstance(value, list) else value)
    for value in rejected:
        settings, problems = parse_settings(_nested(setting.key, value))
        assert len(problems) == 1 and problems[0].startswith(f"onex.{setting.key}: "), value
        assert "using the default" in problems[0]
        assert settings == Settings()


def test_the_restart_and_restricted_keys() -> None:
    assert set(RESTART_KEYS) == EXPECTED_RESTART
    assert set(RESTRICTED_KEYS) == EXPECTED_RESTRICTED


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_restart_required_names_exactly_the_restart_keys(setting: Setting) -> None:
    changed, problems = parse_settings(_nested(setting.key, _other_value(setting)))
    assert problems == []
    key = f"onex.{setting.key}"
    assert restart_required(Settings(), changed) == ((key,) if key in EXPECTED_RESTART else ())
    assert restart_required(changed, changed) == ()


def test_restart_required_lists_several_in_table_order() -> None:
    old, _ = parse_settings({"store": {"url": "http://q:6333"}})
    new, _ = parse_settings(
        {"embedder": "hashing", "threshold": 0.2, "feedback": {"tickSeconds": 1}}
    )
    assert restart_required(old, new) == ("onex.embedder", "onex.store.url")


def test_package_json_keeps_the_extensions_own_settings(tmp_path: Path) -> None:
    manifest = json.loads((ROOT / script.PACKAGE_JSON).read_text())
    properties = manifest["contributes"]["configuration"]["properties"]
    own = {key: properties[key] for key in script.EXTENSION_KEYS}
    del properties["onex.strictModel"]
    properties["onex.feedback.tickSeconds"]["minimum"] = 0.1
    properties["onex.removedSetting"] = {"type": "boolean", "default": True}
    del manifest["capabilities"]
    rendered = json.loads(script.render_package_json(json.dumps(manifest, indent=2)))
    new = rendered["contributes"]["configuration"]["properties"]
    assert {key: new[key] for key in script.EXTENSION_KEYS} == own
    assert new["onex.feedback.tickSeconds"]["minimum"] == 0.01
    assert "onex.strictModel" in new and "onex.removedSetting" not in new
    assert list(rendered).index("capabilities") == list(rendered).index("contributes") - 1
    untrusted = rendered["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited"
    assert set(untrusted["restrictedConfigurations"]) == EXPECTED_RESTRICTED | {"onex.interpreter"}


def test_a_stale_file_is_reported_with_a_diff(tmp_path: Path) -> None:
    for relative in script.targets():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    doc = tmp_path / script.NVIM_DOC
    doc.write_text(doc.read_text().replace("default `300`", "default `250`"))
    stale = script.stale(tmp_path)
    assert list(stale) == [script.NVIM_DOC]
    diff = script.diff(script.NVIM_DOC, *stale[script.NVIM_DOC])
    assert "-                        Integer from 0 to 10000; default `250`." in diff
    assert "+                        Integer from 0 to 10000; default `300`." in diff
