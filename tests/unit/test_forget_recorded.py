"""Which learned blocks a handler file came from, read from its package's generation
record (lsp/forget.py ``recorded_learned``, generation/record.py ``learned_in_module``)."""

from __future__ import annotations

import json
from pathlib import Path

from onex_lsp.layout import GENERATION_RECORD
from onex_lsp.lsp.forget import recorded_learned

OPERATIONS = {
    "create_order": {"block": "crud.create", "handler": "handle_create_order",
                     "module": "handlers/handler_create_order.py", "learned": "b1"},
    "get_order": {"block": "crud.get", "handler": "handle_get_order",
                  "module": "handlers/handler_get_order.py", "learned": None},
    "list_orders": {"block": "crud.list", "handler": "handle_list_orders",
                    "module": "handlers/handler_list_orders.py", "learned": "gone"},
}  # fmt: skip
FAMILIES = {"b1": "learned:root"}  # "gone" was forgotten: the journal has no live block


def package(tmp_path: Path, record: str) -> Path:
    folder = tmp_path / "orders" / "node_order_book_effect"
    (folder / "handlers").mkdir(parents=True)
    (folder / GENERATION_RECORD).write_text(record)
    return folder


def found(path: Path, roots: list[Path]) -> list[tuple[str, str]]:
    return recorded_learned(FAMILIES.get, path, roots)


def test_the_record_names_the_live_learned_block_of_each_handler(tmp_path: Path) -> None:
    folder = package(tmp_path, json.dumps({"format": 1, "operations": OPERATIONS}))
    handlers = folder / "handlers"
    assert found(handlers / "handler_create_order.py", [tmp_path]) == [
        ("learned:b1", "learned:root")
    ]
    assert found(handlers / "handler_get_order.py", [tmp_path]) == []  # a built-in block
    assert found(handlers / "handler_list_orders.py", [tmp_path]) == []  # forgotten since
    # A record outside the workspace folders is not read.
    assert found(handlers / "handler_create_order.py", [tmp_path / "elsewhere"]) == []


def test_a_damaged_record_offers_nothing(tmp_path: Path) -> None:
    for text in ("{", "[]", json.dumps({"operations": {"x": "not a mapping"}})):
        folder = package(tmp_path / str(len(text)), text)
        assert found(folder / "handlers" / "handler_create_order.py", [tmp_path]) == []
