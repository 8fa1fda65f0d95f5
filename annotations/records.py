"""Plain data passed between the pure core and the edges.

Importers yield these, converters and validators take and return them,
exporters write them. No ORM, no HTTP: a record is what a document and its
annotations *are*, independent of where they are stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any


class AnnotationKind:
    """Where an annotation comes from (the values of Annotation.kind)."""

    PREDICTION = "prediction"
    HUMAN = "human"
    GOLD = "gold"
    IMPORTED = "imported"


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """A labelled stretch of the document text; offsets are Python str indices.

    `fragments` holds the pieces of a split span, such as a quote interrupted
    by its own attribution (`"We will," she said, "and soon."`), in text
    order; it is empty for a contiguous one. A split span's start and end are
    those of its first and last piece, and its text is the whole stretch
    between (so `text == document[start:end]` always holds); only the pieces
    belong to the span, never the words between them.
    """

    id: str
    label: str
    start: int
    end: int
    text: str
    fragments: tuple[tuple[int, int], ...] = ()

    @property
    def pieces(self) -> tuple[tuple[int, int], ...]:
        """The stretches of text the span covers: its fragments, or (start, end)."""
        return self.fragments or ((self.start, self.end),)


@dataclass(frozen=True, slots=True)
class AttributionRecord:
    """Who said one quote: span ids within the same annotation, plus choices."""

    quote: str
    speaker: str | None = None
    cue: str | None = None
    speaker_name: str = ""
    quote_type: str = ""
    stance: str = ""
    claim_type: str = ""


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation between two spans that is not part of an attribution (coref)."""

    type: str
    source: str
    target: str


@dataclass(slots=True)
class AnnotationRecord:
    """One complete labelling of one document by one source."""

    kind: str
    annotator: str = ""
    spans: list[SpanRecord] = field(default_factory=list)
    attributions: list[AttributionRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    model_version: str = ""
    score: float | None = None
    # Stable identity of the source, so a repeated import or sync updates the
    # same annotation instead of adding another ("import:gold", "ls:annotation:12").
    source_key: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    # The Label Studio JSON this came from, kept as received.
    raw: Any = None
    lead_time: float | None = None

    def content_hash(self) -> str:
        """A digest of what was annotated, to tell a changed annotation from a repeat."""
        content = [
            self.kind,
            self.annotator,
            [(s.id, s.label, s.start, s.end, s.text, s.fragments) for s in self.spans],
            [
                (a.quote, a.speaker, a.cue, a.speaker_name, a.quote_type, a.stance, a.claim_type)
                for a in self.attributions
            ],
            [(r.type, r.source, r.target) for r in self.relations],
            self.model_version,
            self.score,
            self.provenance,
            self.raw,
        ]
        return stable_hash(content)

    def span_by_id(self) -> dict[str, SpanRecord]:
        return {span.id: span for span in self.spans}


@dataclass(slots=True)
class DocumentRecord:
    """A document as read from a file, with any annotations that came with it."""

    external_id: str
    text: str
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[AnnotationRecord] = field(default_factory=list)
    # Where the record was read from ("corpus.jsonl:12"), for error messages.
    location: str = ""


def join_pieces(pieces: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Pieces in text order, with pieces that overlap or touch made one."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(pieces):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return tuple(joined)


def span_of_pieces(
    span_id: str, label: str, pieces: Iterable[tuple[int, int]], text: str
) -> SpanRecord:
    """A span over these pieces of the text (split when more than one remains once joined)."""
    joined = join_pieces(pieces)
    start, end = joined[0][0], joined[-1][1]
    return SpanRecord(
        span_id, label, start, end, text[start:end], joined if len(joined) > 1 else ()
    )


def sort_annotation(annotation: AnnotationRecord) -> AnnotationRecord:
    """The same annotation in a canonical order: spans by position, the rest by their spans."""
    spans = sorted(annotation.spans, key=lambda s: (s.start, s.end, s.label, s.id))
    order = {span.id: index for index, span in enumerate(spans)}
    far = len(order)
    attributions = sorted(annotation.attributions, key=lambda a: order.get(a.quote, far))
    relations = sorted(
        annotation.relations,
        key=lambda r: (r.type, order.get(r.source, far), order.get(r.target, far)),
    )
    return replace(annotation, spans=spans, attributions=attributions, relations=relations)


def stable_hash(value: Any) -> str:
    """SHA-256 of a JSON value with sorted keys: equal data, equal hash."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
