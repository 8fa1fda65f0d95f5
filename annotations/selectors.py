"""Reads that rebuild plain records from the database (the reverse of services)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import QuerySet

from annotations.agreement import DocumentVersions, agreement
from annotations.models import Annotation, Attribution, Collection, Span
from annotations.records import AnnotationRecord, AttributionRecord, RelationRecord, SpanRecord
from annotations.scheme import COREF, get_scheme


def annotation_records(annotations: list[Annotation]) -> dict[int, AnnotationRecord]:
    """AnnotationRecords for these annotations, by primary key, in two queries."""
    ids = [annotation.pk for annotation in annotations]
    spans: dict[int, list[Span]] = defaultdict(list)
    for span in Span.objects.filter(annotation_id__in=ids).order_by("start", "end", "pk"):
        spans[span.annotation_id].append(span)
    attributions: dict[int, list[Attribution]] = defaultdict(list)
    for attribution in Attribution.objects.filter(annotation_id__in=ids).order_by("pk"):
        attributions[attribution.annotation_id].append(attribution)
    return {
        annotation.pk: _record(annotation, spans[annotation.pk], attributions[annotation.pk])
        for annotation in annotations
    }


def _record(
    annotation: Annotation, spans: list[Span], attributions: list[Attribution]
) -> AnnotationRecord:
    region = {span.pk: span.region_id for span in spans}
    order = {span.pk: index for index, span in enumerate(spans)}
    return AnnotationRecord(
        kind=annotation.kind,
        annotator=annotation.annotator,
        spans=[_span_record(span) for span in spans],
        attributions=[
            AttributionRecord(
                quote=region[a.quote_id],
                speaker=region.get(a.speaker_id),
                cue=region.get(a.cue_id),
                speaker_name=a.speaker_name,
                quote_type=a.quote_type,
                stance=a.stance,
                claim_type=a.claim_type,
            )
            for a in sorted(attributions, key=lambda a: order[a.quote_id])
        ],
        relations=[
            RelationRecord(COREF, s.region_id, region[s.antecedent_id])
            for s in spans
            if s.antecedent_id in region
        ],
        model_version=annotation.model_version,
        score=annotation.score,
        source_key=annotation.source_key,
        provenance=annotation.provenance,
        lead_time=annotation.lead_time,
    )


def _span_record(span: Span) -> SpanRecord:
    fragments = tuple((start, end) for start, end in span.fragments)
    return SpanRecord(span.region_id, span.label, span.start, span.end, span.text, fragments)


def human_versions(documents: QuerySet) -> Iterator[DocumentVersions]:
    """Each document's latest human annotation per annotator, a chunk at a time."""
    annotations = (
        Annotation.objects.filter(document__in=documents, kind=Annotation.Kind.HUMAN)
        .select_related("document")
        .only(
            "pk",
            "kind",
            "annotator",
            "document__external_id",
            "model_version",
            "score",
            "source_key",
            "provenance",
            "lead_time",
            "updated_at",
        )
        .order_by("document_id", "annotator", "-updated_at", "-pk")
    )
    latest: dict[int, dict[str, Annotation]] = defaultdict(dict)
    for annotation in annotations.iterator(chunk_size=2000):
        latest[annotation.document_id].setdefault(annotation.annotator, annotation)
    document_ids = [d for d, versions in latest.items() if len(versions) >= 2]
    for start in range(0, len(document_ids), 200):
        chunk = [latest[d] for d in document_ids[start : start + 200]]
        records = annotation_records([a for versions in chunk for a in versions.values()])
        for versions in chunk:
            first = next(iter(versions.values()))
            yield DocumentVersions(
                first.document.external_id,
                {name: records[a.pk] for name, a in versions.items()},
            )


def collection_agreement(collection: Collection) -> dict:
    report = agreement(human_versions(collection.documents.all()), get_scheme(collection.scheme))
    report["collection"] = collection.name
    return report
