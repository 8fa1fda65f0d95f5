"""Canonical JSONL: one document per line, optionally with its annotation."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from annotations.canonical import RecordError, record_from_dict
from annotations.importers.normalize import (
    InputError,
    check_size,
    decode_utf8,
    normalize_text,
    remap_annotation,
)
from annotations.records import AnnotationRecord, DocumentRecord

if TYPE_CHECKING:
    from annotations.importers import ReadItem, ReadOptions, SourceFile

UTF8_BOM = b"\xef\xbb\xbf"


def read(source: SourceFile, options: ReadOptions) -> Iterator[ReadItem]:
    with source.path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            location = f"{source.path}:{number}"
            if number == 1:
                line = line.removeprefix(UTF8_BOM)  # editors on Windows begin files with one
            if not line.strip():
                continue
            try:
                yield parse_line(line, location=location, options=options)
            except InputError as error:
                yield error


def parse_line(line: bytes, *, location: str, options: ReadOptions) -> DocumentRecord:
    decoded = decode_utf8(line, location=location)
    try:
        obj = json.loads(decoded)
    except json.JSONDecodeError as error:
        message = f"malformed JSON: {error.msg} at column {error.colno}"
        raise InputError(message, location=location) from None
    try:
        record = record_from_dict(obj)
    except RecordError as error:
        raise InputError(str(error), location=location) from None
    normalized = normalize_text(record.text)
    record.annotations = [
        remap_annotation(_fill_span_text(annotation, record.text), normalized)
        for annotation in record.annotations
    ]
    record.text = normalized.text
    record.title = " ".join(record.title.split())
    record.location = location
    check_size(record.text, max_bytes=options.max_bytes, location=location)
    return record


def _fill_span_text(annotation: AnnotationRecord, text: str) -> AnnotationRecord:
    """A span given without its text takes the document's text at its offsets."""
    if all(span.text is not None for span in annotation.spans):
        return annotation
    spans = [
        span
        if span.text is not None
        else dataclasses.replace(span, text=text[span.start : span.end])
        for span in annotation.spans
    ]
    return dataclasses.replace(annotation, spans=spans)
