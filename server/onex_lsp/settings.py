"""Typed settings under the ``onex`` section, read from camelCase JSON.

``parse_settings`` never raises: a bad value is reported once, naming its key, and the
default is used instead (the way jedi-language-server treats initializationOptions).
Every section is a frozen dataclass with one table of converters; one function reads them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from onex_lsp.generation.ranking import DEFAULT_THRESHOLD

EMBEDDERS = ("minilm", "sentence-transformers", "hashing")


class NotificationLevel(StrEnum):
    """Which problems pop up as ``window/showMessage``; everything always goes to the log."""

    OFF = "off"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def allows(self, level: NotificationLevel) -> bool:
        order = list(NotificationLevel)
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
    strict_model: bool = False  # also show what only the strict ModelContract models reject
    store: StoreSettings = field(default_factory=StoreSettings)
    # minilm (ONNX Runtime) | sentence-transformers (same vectors, needs torch) | hashing
    embedder: str = "minilm"
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)


# -- converters: each returns the typed value or raises ValueError saying what it wants --
def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false")


def _number(low: float, high: float, what: str) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise ValueError(f"expected {what} between {low:g} and {high:g}")
        return float(value)

    return convert


def _whole(low: int, high: int, what: str) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected {what} between {low} and {high}")
        return value

    return convert


def _optional_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _choice(*allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in allowed:
            raise ValueError("expected " + " or ".join(repr(a) for a in allowed))
        return str(value)

    return convert


def _checkpoints(value: Any) -> tuple[float, ...]:
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value)
    )
    if not ok:
        raise ValueError("expected a list of positive numbers of seconds")
    return tuple(sorted(float(v) for v in value))


Converters = dict[str, tuple[str, Callable[[Any], Any]]]
T = TypeVar("T")

_ACTIONS: Converters = {
    "generateNode": ("generate_node", _bool),
    "addHandler": ("add_handler", _bool),
    "insertPattern": ("insert_pattern", _bool),
}
_STORE: Converters = {
    "path": ("path", _optional_text),
    "url": ("url", _optional_text),
    "apiKey": ("api_key", _optional_text),
    "perWorkspace": ("per_workspace", _bool),
}
_FEEDBACK: Converters = {
    "checkpoints": ("checkpoints", _checkpoints),
    "storeCode": ("store_code", _bool),
    "tickSeconds": ("tick_seconds", _number(0.01, 3600, "seconds")),
}
_SECTIONS: dict[str, tuple[str, Converters, Callable[[], Any]]] = {
    "actions": ("actions", _ACTIONS, ActionSettings),
    "store": ("store", _STORE, StoreSettings),
    "feedback": ("feedback", _FEEDBACK, FeedbackSettings),
}
_TOP: Converters = {
    "threshold": ("threshold", _number(0, 1, "a confidence")),
    "learning": ("learning", _bool),
    "validationInterpreter": ("validation_interpreter", _optional_text),
    "notificationLevel": ("notification_level", NotificationLevel),
    "diagnosticsDelayMs": ("diagnostics_delay_ms", _whole(0, 10_000, "milliseconds")),
    "strictModel": ("strict_model", _bool),
    "embedder": ("embedder", _choice(*EMBEDDERS)),
}


def _read(
    raw: dict[str, Any], value: T, converters: Converters, prefix: str
) -> tuple[T, list[str]]:
    problems: list[str] = []
    for key, given in raw.items():
        if key in _SECTIONS and prefix == "onex":
            continue
        if key not in converters:
            problems.append(f"{prefix}.{key}: unknown setting (ignored)")
            continue
        name, convert = converters[key]
        try:
            value = replace(value, **{name: convert(given)})  # type: ignore[type-var]
        except ValueError as exc:
            problems.append(f"{prefix}.{key}: {given!r} is not valid ({exc}); using the default")
    return value, problems


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from the ``onex`` section (a dict); problems as one message per key."""
    if raw is None:
        return Settings(), []
    if not isinstance(raw, dict):
        return Settings(), ["onex: expected an object of settings"]
    settings, problems = _read(raw, Settings(), _TOP, "onex")
    for key, (name, converters, default) in _SECTIONS.items():
        if key not in raw:
            continue
        if not isinstance(raw[key], dict):
            problems.append(f"onex.{key}: expected an object; using the defaults")
            continue
        section, section_problems = _read(raw[key], default(), converters, f"onex.{key}")
        settings = replace(settings, **{name: section})
        problems.extend(section_problems)
    return settings, problems
