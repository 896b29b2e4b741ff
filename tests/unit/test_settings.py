"""Typed settings: camelCase in, defaults kept, one message per bad key."""

from __future__ import annotations

import pytest

from onex_lsp.settings import (
    RESTRICTED_KEYS,
    SETTINGS,
    NotificationLevel,
    Settings,
    keep_restricted,
    parse_settings,
)


def test_defaults() -> None:
    assert parse_settings(None) == (Settings(), [])
    assert parse_settings({}) == (Settings(), [])


def test_every_section_reads_camel_case() -> None:
    settings, problems = parse_settings(
        {
            "threshold": 0.5,
            "learning": False,
            "notificationLevel": "info",
            "actions": {"insertPattern": False},
            "store": {"path": "/data", "perWorkspace": True, "apiKey": "k"},
            "feedback": {"checkpoints": [10, 1], "storeCode": False},
            "embedder": "hashing",
        }
    )
    assert problems == []
    assert settings.threshold == 0.5 and not settings.learning
    assert settings.notification_level is NotificationLevel.INFO
    assert not settings.actions.insert_pattern and settings.actions.generate_node
    assert (settings.store.path, settings.store.per_workspace, settings.store.api_key) == (
        "/data",
        True,
        "k",
    )
    assert settings.feedback.checkpoints == (1.0, 10.0) and not settings.feedback.store_code
    assert settings.embedder == "hashing"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"threshold": "high"},
            "onex.threshold: 'high' is not valid (expected a confidence between 0 and 1); using the default",
        ),
        (
            {"threshold": True},
            "onex.threshold: True is not valid (expected a confidence between 0 and 1); using the default",
        ),
        (
            {"actions": {"generateNode": "yes"}},
            "onex.actions.generateNode: 'yes' is not valid (expected true or false); using the default",
        ),
        (
            {"feedback": {"checkpoints": []}},
            "onex.feedback.checkpoints: [] is not valid (expected a list of positive numbers of seconds); using the default",
        ),
        ({"store": 3}, "onex.store: expected an object; using the defaults"),
        ({"colour": "red"}, "onex.colour: unknown setting (ignored)"),
        (
            {"embedder": "gpt"},
            "onex.embedder: 'gpt' is not valid (expected 'minilm' or 'sentence-transformers' or 'hashing'); using the default",
        ),
    ],
)
def test_a_bad_value_is_one_message_naming_the_key(raw: dict[str, object], message: str) -> None:
    settings, problems = parse_settings(raw)
    assert problems == [message]
    assert settings == Settings()


@pytest.mark.parametrize(
    ("level", "shown"),
    [
        (NotificationLevel.OFF, []),
        (NotificationLevel.ERROR, [NotificationLevel.ERROR]),
        (NotificationLevel.WARNING, [NotificationLevel.ERROR, NotificationLevel.WARNING]),
    ],
)
def test_notification_level(level: NotificationLevel, shown: list[NotificationLevel]) -> None:
    candidates = [NotificationLevel.ERROR, NotificationLevel.WARNING, NotificationLevel.INFO]
    assert [c for c in candidates if level.allows(c)] == shown


@pytest.mark.parametrize("embedder", ["minilm", "sentence-transformers", "hashing"])
def test_each_embedder_can_be_chosen(embedder: str) -> None:
    assert parse_settings({"embedder": embedder}) == (Settings(embedder=embedder), [])


_LATER = {  # what a workspace's configuration might say for each restricted setting
    "validationInterpreter": "/tmp/evil/python",
    "store.path": "/tmp/evil/data",
    "store.url": "http://attacker.invalid:6333",
    "store.apiKey": "stolen",
    "store.perWorkspace": True,
}


@pytest.mark.parametrize("key", sorted(_LATER))
def test_a_restricted_setting_keeps_its_start_up_value(key: str) -> None:
    """Later configuration (a workspace can steer it) never changes what runs or opens."""
    head, *rest = key.split(".")
    later, _ = parse_settings({head: {rest[0]: _LATER[key]}} if rest else {head: _LATER[key]})
    kept, ignored = keep_restricted(Settings(), later)
    assert kept == Settings()
    assert ignored == (f"onex.{key}",)


def test_every_restricted_server_setting_is_covered() -> None:
    server_side = {s.key for s in SETTINGS if s.restricted}
    assert server_side == set(_LATER)
    assert {f"onex.{k}" for k in server_side} <= set(RESTRICTED_KEYS)


def test_other_settings_change_freely() -> None:
    later, _ = parse_settings({"threshold": 0.5, "store": {"url": "http://x.invalid"}})
    kept, ignored = keep_restricted(Settings(), later)
    assert kept.threshold == 0.5 and kept.store.url is None
    assert ignored == ("onex.store.url",)
