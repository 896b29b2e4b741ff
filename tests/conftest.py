"""Shared paths and helpers for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "contracts").glob("*.yaml"))

MINIMAL_EFFECT = """\
name: user_management
contract_version: {major: 1, minor: 0, patch: 0}
description: Manages users
node_type: effect
input_model: ModelUserManagementInput
output_model: ModelUserManagementOutput
handler_routing:
  version: {major: 1, minor: 0, patch: 0}
  routing_strategy: operation_match
  handlers:
    - operation: create_user
      handler: {name: handle_create_user, module: handlers.handler_create_user}
"""


@pytest.fixture
def minimal_effect() -> str:
    return MINIMAL_EFFECT
