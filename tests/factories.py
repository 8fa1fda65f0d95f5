"""Objects for tests, built explicitly through the same services the product uses."""

from __future__ import annotations

from annotations.models import Annotation, Collection, Document
from annotations.records import AnnotationRecord, AttributionRecord, SpanRecord, text_hash
from annotations.services import AnnotationWrite, annotation_rows_write

TEXT = '"We will win," said Ana Lopez. She added that it was close.'


def collection(name: str = "news", **fields) -> Collection:
    return Collection.objects.create(name=name, **fields)


def document(coll: Collection | None = None, *, external_id: str = "doc-1", text: str = TEXT,
             **fields) -> Document:  # fmt: skip
    return Document.objects.create(
        collection=coll or collection(),
        external_id=external_id,
        text=text,
        text_hash=text_hash(text),
        **fields,
    )


def quote_annotation(kind: str = "human", annotator: str = "ana@example.com",
                     source_key: str = "") -> AnnotationRecord:  # fmt: skip
    """A valid annotation of TEXT: one direct quote by Ana Lopez, and an indirect one by She."""
    return AnnotationRecord(
        kind=kind,
        annotator=annotator,
        source_key=source_key,
        spans=[
            SpanRecord("q1", "Quote", 0, 14, '"We will win,"'),
            SpanRecord("c1", "Cue", 15, 19, "said"),
            SpanRecord("s1", "Speaker", 20, 29, "Ana Lopez"),
            SpanRecord("s2", "Speaker", 31, 34, "She"),
            SpanRecord("c2", "Cue", 35, 40, "added"),
            SpanRecord("q2", "Quote", 46, 58, "it was close"),
        ],
        attributions=[
            AttributionRecord("q1", "s1", "c1", "Ana Lopez", "direct", "support", "prediction"),
            AttributionRecord("q2", "s2", "c2", "Ana Lopez", "indirect", "neutral", "opinion"),
        ],
    )


def annotation(doc: Document, record: AnnotationRecord | None = None) -> Annotation:
    record = record or quote_annotation()
    annotation_rows_write(writes=[AnnotationWrite(doc.pk, record)])
    return doc.annotations.latest("id")
