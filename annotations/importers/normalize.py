"""Decoding and line-ending normalisation, with offsets carried across.

Every document is stored with `\\n` line endings and no byte-order mark. Offsets
that came with the text (brat, JSONL, Label Studio) are remapped so that a span
still covers the same characters. A boundary that falls inside a `\\r\\n` pair
snaps outward, so a span that held half of a line break holds the whole one.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from annotations.errors import DomainError
from annotations.records import AnnotationRecord, SpanRecord

BOM = "\ufeff"


class InputError(DomainError):
    """Bad input, with where it was found ("corpus.jsonl:12")."""

    def __init__(self, message: str, location: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


@dataclass(frozen=True, slots=True)
class InputWarning:
    """Something in the input that was not imported, though the input is valid."""

    message: str
    location: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def decode_utf8(data: bytes, *, location: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}, "
            f"line {line})",
            location=location,
        ) from None


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The normalised text, and what was removed from the original to make it."""

    text: str
    bom: bool = False
    # Original positions of the \r of each \r\n pair (the \n is kept).
    crlf: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        return self.bom or bool(self.crlf)

    def start(self, offset: int) -> int:
        return offset - self._removed_before(offset)

    def end(self, offset: int) -> int:
        new = offset - self._removed_before(offset)
        index = bisect_left(self.crlf, offset - 1)
        if index < len(self.crlf) and self.crlf[index] == offset - 1:
            new += 1  # ended on the \r of a \r\n: keep the \n that now stands for both
        return new

    def _removed_before(self, offset: int) -> int:
        return int(self.bom and offset > 0) + bisect_left(self.crlf, offset)


def normalize_text(raw: str) -> NormalizedText:
    """Drop a leading BOM and turn \r\n and lone \r into \n."""
    bom = raw.startswith(BOM)
    if "\r" not in raw and not bom:
        return NormalizedText(raw)
    crlf = tuple(i for i, char in enumerate(raw) if char == "\r" and raw.startswith("\n", i + 1))
    text = raw[1:] if bom else raw
    return NormalizedText(normalize_newlines(text), bom, crlf)


def normalize_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def remap_annotation(annotation: AnnotationRecord, normalized: NormalizedText) -> AnnotationRecord:
    """The annotation with its offsets moved into the normalised text."""
    if not normalized.changed:
        return annotation
    spans = [remap_span(span, normalized) for span in annotation.spans]
    return dataclasses.replace(annotation, spans=spans)


def remap_span(span: SpanRecord, normalized: NormalizedText) -> SpanRecord:
    if not (isinstance(span.start, int) and isinstance(span.end, int)):
        return span
    start, end = normalized.start(span.start), normalized.end(span.end)
    fragments = tuple((normalized.start(s), normalized.end(e)) for s, e in span.fragments)
    text = span.text[1:] if normalized.bom and span.start == 0 else span.text
    return dataclasses.replace(
        span, start=start, end=end, fragments=fragments, text=normalize_newlines(text)
    )


def unstorable(value: object) -> str | None:
    """Why a JSON-like value cannot be stored in every supported database (PostgreSQL
    refuses NUL characters and unpaired surrogates in text and JSON), or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "an unpaired surrogate"
        return None
    if isinstance(value, dict):
        items: Iterable[object] = (part for pair in value.items() for part in pair)
    elif isinstance(value, list):
        items = value
    else:
        return None
    return next((found for item in items if (found := unstorable(item))), None)


def check_size(text: str, *, max_bytes: int, location: str) -> None:
    """Refuse text that is empty, too large, or cannot be stored (NUL, lone surrogates)."""
    if not text.strip():
        raise InputError("the document text is empty", location=location)
    nul = text.find("\x00")
    if nul != -1:
        raise InputError(f"the text contains a NUL character at offset {nul}", location=location)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise InputError(
            f"the text contains an unpaired surrogate at offset {error.start}", location=location
        ) from None
    if size > max_bytes:
        raise InputError(
            f"the document is {size:,} bytes, over the limit of {max_bytes:,} "
            "(setting DOCUMENT_MAX_BYTES)",
            location=location,
        )
