"""Plain text: one document per file, its id the file's path without extension."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from annotations.importers.normalize import check_size, decode_utf8, normalize_text
from annotations.records import DocumentRecord

if TYPE_CHECKING:
    from annotations.importers import ReadItem, ReadOptions, SourceFile

TITLE_MAX = 200


def read(source: SourceFile, options: ReadOptions) -> Iterator[ReadItem]:
    location = str(source.path)
    text = normalize_text(decode_utf8(source.path.read_bytes(), location=location)).text
    check_size(text, max_bytes=options.max_bytes, location=location)
    yield DocumentRecord(
        external_id=source.external_id,
        text=text,
        title=title_from_text(text, fallback=source.path.stem),
        location=location,
    )


def title_from_text(text: str, *, fallback: str) -> str:
    """The first line when it is short enough to be a headline, else the fallback."""
    first = text.strip().split("\n", 1)[0].strip()
    return first if 0 < len(first) <= TITLE_MAX else fallback
