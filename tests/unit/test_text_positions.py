"""Positions in the client's units (UTF-16 by default): a character after an emoji lands
where the editor shows it."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec

from onex_lsp.feedback.tracker import TextChange
from onex_lsp.lsp.convert import TextPositions, text_change, whole_document_edit
from onex_lsp.positions import Position, Range

TEXT = "name: a😀b\ndescription: é😀 x\n"
UTF8 = PositionCodec(lsp.PositionEncodingKind.Utf8)
UTF32 = PositionCodec(lsp.PositionEncodingKind.Utf32)


@pytest.mark.parametrize(
    ("codec", "line", "column", "character"),
    [
        (None, 0, 8, 9),  # "b" after the emoji: 8 code points, 9 UTF-16 units
        (None, 1, 16, 17),
        (UTF8, 0, 8, 11),
        (UTF32, 0, 8, 8),
        (None, 0, 3, 3),  # before the emoji nothing shifts
    ],
)
def test_domain_columns_become_client_units(codec: PositionCodec | None, line: int, column: int,
                                            character: int) -> None:  # fmt: skip
    positions = TextPositions.of(TEXT) if codec is None else TextPositions.of(TEXT, codec)
    converted = positions.lsp_range(Range(Position(line, column), Position(line, column + 1)))
    assert converted.start == lsp.Position(line=line, character=character)
    assert positions.domain_position(converted.start) == Position(line, column)


def test_offsets_and_changes_use_client_units() -> None:
    positions = TextPositions.of(TEXT)
    assert TEXT[positions.offset(lsp.Position(line=0, character=9))] == "b"
    change = lsp.TextDocumentContentChangePartial(
        range=lsp.Range(
            start=lsp.Position(line=0, character=9), end=lsp.Position(line=0, character=10)
        ),
        text="c",
    )
    step = text_change(TEXT, change, PositionCodec())
    assert step == TextChange(8, 9, "c")
    assert text_change(
        TEXT, lsp.TextDocumentContentChangeWholeDocument(text="z"), PositionCodec()
    ) == (TextChange(0, len(TEXT), "z"))


@pytest.mark.parametrize(
    ("old", "end"),
    [
        ("a\nb😀", lsp.Position(line=1, character=3)),
        ("a\nb😀\n", lsp.Position(line=2, character=0)),
        ("", lsp.Position(line=0, character=0)),
    ],
)
def test_whole_document_edit_ends_after_the_last_character(old: str, end: lsp.Position) -> None:
    assert whole_document_edit(old, "new").range.end == end
