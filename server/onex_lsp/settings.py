"""Typed settings under the ``onex`` section, read from camelCase JSON.

``parse_settings`` never raises: a bad value is reported once, naming its key, and the
default is used instead (the way jedi-language-server treats initializationOptions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from onex_lsp.ranking import DEFAULT_THRESHOLD


class NotificationLevel(StrEnum):
    """Which problems pop up as ``window/showMessage``; everything always goes to the log."""

    OFF = "off"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def allows(self, level: NotificationLevel) -> bool:
        order = [
            NotificationLevel.OFF,
            NotificationLevel.ERROR,
            NotificationLevel.WARNING,
            NotificationLevel.INFO,
        ]
        return self is not NotificationLevel.OFF and order.index(level) <= order.index(self)


@dataclass(frozen=True)
class ActionSettings:
    generate_node: bool = True
    add_handler: bool = True
    insert_pattern: bool = True


@dataclass(frozen=True)
class StoreSettings:
    path: str | None = None  # the data directory (journal + embedded index)
    url: str | None = None  # a Qdrant server or cluster; the embedded engine when unset
    api_key: str | None = None
    per_workspace: bool = False  # keep the data in <workspace>/.onex-lsp/ instead


@dataclass(frozen=True)
class FeedbackSettings:
    checkpoints: tuple[float, ...] = (30.0, 120.0, 300.0, 600.0)  # seconds after applying
    store_code: bool = True  # False: events keep counts, ids and hashes only, no code
    tick_seconds: float = 5.0  # how often due checkpoints are measured


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULT_THRESHOLD
    actions: ActionSettings = field(default_factory=ActionSettings)
    learning: bool = True
    validation_interpreter: str | None = None
    notification_level: NotificationLevel = NotificationLevel.WARNING
    diagnostics_delay_ms: int = 300
    store: StoreSettings = field(default_factory=StoreSettings)
    embedder: str = "minilm"  # minilm | hashing (the lexical fallback, no model)
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false")


def _threshold(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError("expected a number between 0 and 1")
    return float(value)


def _interpreter(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("expected the path of a Python interpreter")
    return value


def _delay(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
        raise ValueError("expected milliseconds between 0 and 10000")
    return value


def _embedder(value: Any) -> str:
    if value not in ("minilm", "hashing"):
        raise ValueError("expected 'minilm' or 'hashing'")
    return str(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "embedder": _embedder,
    "threshold": _threshold,
    "learning": _bool,
    "validation_interpreter": _interpreter,
    "notification_level": NotificationLevel,
    "diagnostics_delay_ms": _delay,
}


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from the ``onex`` section (a dict); problems as one message per key."""
    problems: list[str] = []
    if raw is None:
        return Settings(), problems
    if not isinstance(raw, dict):
        return Settings(), ["onex: expected an object of settings"]
    settings = Settings()
    known = {_camel(f.name) for f in fields(Settings)}
    for key in raw:
        if key not in known:
            problems.append(f"onex.{key}: unknown setting (ignored)")
    for name, convert in _CONVERTERS.items():
        key = _camel(name)
        if key not in raw:
            continue
        try:
            settings = replace(settings, **{name: convert(raw[key])})
        except ValueError as exc:
            problems.append(f"onex.{key}: {raw[key]!r} is not valid ({exc}); using the default")
    if "actions" in raw:
        actions, action_problems = _parse_actions(raw["actions"])
        settings = replace(settings, actions=actions)
        problems.extend(action_problems)
    if "feedback" in raw:
        feedback, feedback_problems = _parse_feedback(raw["feedback"])
        settings = replace(settings, feedback=feedback)
        problems.extend(feedback_problems)
    if "store" in raw:
        store, store_problems = _parse_store(raw["store"])
        settings = replace(settings, store=store)
        problems.extend(store_problems)
    return settings, problems


def _optional_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _parse_store(raw: Any) -> tuple[StoreSettings, list[str]]:
    if not isinstance(raw, dict):
        return StoreSettings(), ["onex.store: expected an object (path, url, apiKey, perWorkspace)"]
    store = StoreSettings()
    problems: list[str] = []
    converters: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "path": ("path", _optional_text),
        "url": ("url", _optional_text),
        "apiKey": ("api_key", _optional_text),
        "perWorkspace": ("per_workspace", _bool),
    }
    for key, value in raw.items():
        if key not in converters:
            problems.append(f"onex.store.{key}: unknown setting (ignored)")
            continue
        name, convert = converters[key]
        try:
            store = replace(store, **{name: convert(value)})
        except ValueError as exc:
            problems.append(f"onex.store.{key}: {value!r} is not valid ({exc}); using the default")
    return store, problems


def _parse_actions(raw: Any) -> tuple[ActionSettings, list[str]]:
    if not isinstance(raw, dict):
        return ActionSettings(), ["onex.actions: expected an object of true/false switches"]
    actions = ActionSettings()
    problems: list[str] = []
    names = {_camel(f.name): f.name for f in fields(ActionSettings)}
    for key, value in raw.items():
        if key not in names:
            problems.append(f"onex.actions.{key}: unknown action family (ignored)")
        elif not isinstance(value, bool):
            problems.append(
                f"onex.actions.{key}: {value!r} is not true or false; using the default"
            )
        else:
            actions = replace(actions, **{names[key]: value})
    return actions, problems


def _checkpoints(value: Any) -> tuple[float, ...]:
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value)
    )
    if not ok:
        raise ValueError("expected a list of positive numbers of seconds")
    return tuple(sorted(float(v) for v in value))


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise ValueError("expected seconds between 0 and 3600")
    return float(value)


def _parse_feedback(raw: Any) -> tuple[FeedbackSettings, list[str]]:
    if not isinstance(raw, dict):
        return FeedbackSettings(), ["onex.feedback: expected an object"]
    feedback = FeedbackSettings()
    problems: list[str] = []
    converters: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "checkpoints": ("checkpoints", _checkpoints),
        "storeCode": ("store_code", _bool),
        "tickSeconds": ("tick_seconds", _seconds),
    }
    for key, value in raw.items():
        if key not in converters:
            problems.append(f"onex.feedback.{key}: unknown setting (ignored)")
            continue
        name, convert = converters[key]
        try:
            feedback = replace(feedback, **{name: convert(value)})
        except ValueError as exc:
            problems.append(
                f"onex.feedback.{key}: {value!r} is not valid ({exc}); using the default"
            )
    return feedback, problems
