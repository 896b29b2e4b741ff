"""Typed settings under the ``onex`` section, read from camelCase JSON.

``SETTINGS`` is the one table of every setting: its camelCase key, type, bounds, choices,
a sentence for users, and whether a change needs a server restart or is restricted in
untrusted workspaces. The defaults are the frozen dataclasses' (the table reads them).
``scripts/editor_settings.py`` renders the editors' manifests and docs from this module.

``parse_settings`` never raises: a bad value is reported once, naming its key, and the
default is used instead (the way jedi-language-server treats initializationOptions).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal, TypeVar

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


# boolean; number (a float) and integer, bounded on both sides; string: text where "" means
# unset, or one of ``choices``; array: a non-empty list of numbers above ``minimum``, sorted.
Kind = Literal["boolean", "number", "integer", "string", "array"]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@dataclass(frozen=True)
class Setting:
    """One setting under ``onex``: what the server reads and the editors declare."""

    key: str  # camelCase path under ``onex``: "feedback.tickSeconds"
    kind: Kind
    description: str  # one sentence for users; Markdown limited to `code`
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""  # what a number is, for problems: "expected seconds between 0.01 and 3600"
    choices: tuple[str, ...] = ()
    choice_descriptions: tuple[str, ...] = ()
    restart: bool = False  # only read when the server starts
    restricted: bool = False  # names an executable, or a path or URL the server opens

    @property
    def path(self) -> tuple[str, ...]:
        """The dataclass attributes that hold it: ``("feedback", "tick_seconds")``."""
        return tuple(_snake(part) for part in self.key.split("."))

    @property
    def field(self) -> str:
        return ".".join(self.path)

    @property
    def default(self) -> Any:
        return self.value_in(Settings())

    def value_in(self, settings: Settings) -> Any:
        value: Any = settings
        for name in self.path:
            value = getattr(value, name)
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "threshold", "number",
        "Confidence below which an operation gets a TODO stub instead of a pattern block.",
        minimum=0, maximum=1, unit="a confidence",
    ),
    Setting(
        "actions.generateNode", "boolean",
        "Offer the source action that generates a contract's node package.",
    ),
    Setting(
        "actions.addHandler", "boolean",
        "Offer quick fixes that add the handler of an operation that has none.",
    ),
    Setting(
        "actions.insertPattern", "boolean",
        "Offer alternative pattern blocks as refactorings in handler files.",
    ),
    Setting(
        "learning", "boolean",
        "Learn pattern blocks from the files of an applied suggestion when you save them.",
    ),
    Setting(
        "embedder", "string",
        "Embedder that matches learned patterns; both MiniLM backends give the same "
        "vectors and share one index.",
        choices=EMBEDDERS,
        choice_descriptions=(
            "all-MiniLM-L6-v2 on ONNX Runtime: semantic matching without torch, installed "
            "with the server (the model is converted once per user, in about a second).",
            "The same MiniLM vectors through sentence-transformers (needs torch and the "
            "server's `sentence-transformers` extra; about 10 s to load).",
            "Lexical hashing: no model, instant start, no synonyms.",
        ),
        restart=True,
    ),
    Setting(
        "validationInterpreter", "string",
        "A Python with omnibase-core installed that validates contracts on save "
        "(empty: no framework check).",
        restart=True, restricted=True,
    ),
    Setting(
        "strictModel", "boolean",
        "Also show, as hints, what only omnibase-core's strict `ModelContract` models reject.",
    ),
    Setting(
        "notificationLevel", "string",
        "Which server problems pop up as notifications; all of them always go to the log.",
        choices=tuple(level.value for level in NotificationLevel),
        choice_descriptions=(
            "No pop-ups.", "Errors only.", "Errors and warnings.",
            "Errors, warnings and information.",
        ),
    ),
    Setting(
        "diagnosticsDelayMs", "integer",
        "Pause after typing, in milliseconds, before a contract's diagnostics are recomputed.",
        minimum=0, maximum=10_000, unit="milliseconds",
    ),
    Setting(
        "store.path", "string",
        "Data directory of the pattern library, its journal and embedded index "
        "(empty: `$ONEX_LSP_DATA_DIR`, else the user data directory).",
        restart=True, restricted=True,
    ),
    Setting(
        "store.url", "string",
        "URL of a Qdrant server or cluster that holds the vector index "
        "(empty: the embedded engine).",
        restart=True, restricted=True,
    ),
    Setting(
        "store.apiKey", "string",
        "API key for the Qdrant server at `onex.store.url`.",
        restart=True, restricted=True,
    ),
    Setting(
        "store.perWorkspace", "boolean",
        "Keep the pattern library in `<workspace>/.onex-lsp/` instead of the shared one.",
        restart=True, restricted=True,
    ),
    Setting(
        "feedback.checkpoints", "array",
        "Seconds after applying a suggestion at which the server measures how much of it "
        "you kept.",
        minimum=0, unit="seconds",
    ),
    Setting(
        "feedback.storeCode", "boolean",
        "Keep the code of applied blocks in feedback events (false: counts, ids and "
        "hashes only).",
    ),
    Setting(
        "feedback.tickSeconds", "number",
        "How often, in seconds, the server measures the feedback checkpoints that are due.",
        minimum=0.01, maximum=3600, unit="seconds",
    ),
)  # fmt: skip

RESTART_KEYS = tuple(f"onex.{s.key}" for s in SETTINGS if s.restart)
RESTRICTED_KEYS = tuple(f"onex.{s.key}" for s in SETTINGS if s.restricted)


def restart_required(old: Settings, new: Settings) -> tuple[str, ...]:
    """The ``onex.*`` keys changed from ``old`` to ``new`` that apply only after a restart."""
    return tuple(
        f"onex.{s.key}" for s in SETTINGS if s.restart and s.value_in(old) != s.value_in(new)
    )


def keep_restricted(trusted: Settings, new: Settings) -> tuple[Settings, tuple[str, ...]]:
    """``new`` with every restricted setting as in ``trusted``, and the ``onex.*`` keys
    ``new`` tried to change. Restricted settings name a program to run or a library to
    open, so they come only from what the editor starts the server with (its user or
    trusted settings), never from a later configuration answer a workspace could steer."""
    kept = []
    for s in SETTINGS:
        if s.restricted and s.value_in(new) != s.value_in(trusted):
            new = _with_value(new, s.path, s.value_in(trusted))
            kept.append(f"onex.{s.key}")
    return new, tuple(kept)


def _with_value(obj: Any, path: tuple[str, ...], value: Any) -> Any:
    head, rest = path[0], path[1:]
    return replace(obj, **{head: _with_value(getattr(obj, head), rest, value) if rest else value})


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


def _numbers_above(low: float, unit: str) -> Callable[[Any], tuple[float, ...]]:
    def convert(value: Any) -> tuple[float, ...]:
        ok = (
            isinstance(value, list)
            and value
            and all(
                isinstance(v, int | float) and not isinstance(v, bool) and v > low for v in value
            )
        )
        if not ok:
            raise ValueError(f"expected a list of positive numbers of {unit}")
        return tuple(sorted(float(v) for v in value))

    return convert


def _converter(setting: Setting) -> Callable[[Any], Any]:
    """The converter a table entry asks for (a bad entry fails at import)."""
    low, high = setting.minimum, setting.maximum
    if setting.kind == "boolean":
        return _bool
    if setting.kind == "string" and isinstance(setting.default, StrEnum):
        return type(setting.default)  # its own ValueError names the bad value
    if setting.kind == "string":
        return _choice(*setting.choices) if setting.choices else _optional_text
    if setting.kind == "array" and low is not None:
        return _numbers_above(low, setting.unit)
    if low is None or high is None:
        raise TypeError(f"onex.{setting.key}: a number needs a minimum and a maximum")
    if setting.kind == "integer":
        return _whole(int(low), int(high), setting.unit)
    return _number(low, high, setting.unit)


Converters = dict[str, tuple[str, Callable[[Any], Any]]]
T = TypeVar("T")


def _converters() -> tuple[Converters, dict[str, Converters]]:
    """Top-level keys, and per nested section (``actions``, ``store``, ``feedback``) its keys."""
    top: Converters = {}
    sections: dict[str, Converters] = {}
    for setting in SETTINGS:
        *section, key = setting.key.split(".")
        table = sections.setdefault(section[0], {}) if section else top
        table[key] = (setting.path[-1], _converter(setting))
    return top, sections


_TOP, _SECTIONS = _converters()


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
    for key, converters in _SECTIONS.items():
        if key not in raw:
            continue
        if not isinstance(raw[key], dict):
            problems.append(f"onex.{key}: expected an object; using the defaults")
            continue
        name = _snake(key)
        default = getattr(Settings(), name)
        section, section_problems = _read(raw[key], default, converters, f"onex.{key}")
        settings = replace(settings, **{name: section})
        problems.extend(section_problems)
    return settings, problems
