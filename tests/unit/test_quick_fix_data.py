"""Diagnostics carry what their quick fix needs (``data``): the key a typo meant, a usable
spelling of a name, the skeleton of a missing field. The LSP layer turns that into edits
(tests/e2e/test_where_users_look.py applies them)."""

from __future__ import annotations

import pytest

from onex_lsp.contract.naming import handler_name_suggestion
from onex_lsp.contract.reader import load_contract


@pytest.mark.parametrize(
    ("written", "suggested"),
    [
        ("void invoice", "void_invoice"),
        ("void-invoice", "void_invoice"),
        ("Handler Void Invoice", "HandlerVoidInvoice"),
        ("None", "HandlerNone"),
        ("match", "handle_match"),
        ("%%%", None),
    ],
)
def test_handler_name_suggestions(written: str, suggested: str | None) -> None:
    assert handler_name_suggestion(written) == suggested


CONTRACT = """\
name: user_management
node_type: EFFECT_GENERIC
descriptoin: Manage users.
input_model: model_user_input
output_model: ModelUserOutput
handler_routing:
  handlers:
    - operation: void_invoice
      handler: {name: void invoice, module: node_user_management_effect.handlers.h}
"""


@pytest.mark.parametrize(
    ("code", "message_part", "data"),
    [
        ("strict-model", "'descriptoin'", {"replacement": "description"}),
        ("invalid-identifier", "handler 'void invoice'", {"replacement": "void_invoice"}),
        ("invalid-identifier", "input_model 'model_user_input'", {"replacement": "ModelUserInput"}),
        (
            "missing-field",
            "'contract_version'",
            {"insert": "contract_version:\n  major: 1\n  minor: 0\n  patch: 0\n",
             "field": "contract_version"},
        ),
        ("strict-model", "requires 'description'", {"insert": 'description: ""\n', "field": "description"}),
    ],
)  # fmt: skip
def test_diagnostics_carry_their_fix(code: str, message_part: str, data: object) -> None:
    result = load_contract(CONTRACT, "contract.yaml", strict_model=True)
    (issue,) = [i for i in result.issues if i.code == code and message_part in i.message]
    assert issue.data == data
