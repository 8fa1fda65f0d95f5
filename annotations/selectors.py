"""Reads that rebuild plain records from the database (the reverse of services)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

from django.db.models import QuerySet

from annotations.agreement import DocumentVersions, agreement
from annotations.canonical import CanonicalDocument
from annotations.exporters import ExportItem, assign_split
from annotations.models import Annotation, Attribution, Collection, Document, Span
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
        chunk_ids = document_ids[start : start + 200]
        texts = dict(Document.objects.filter(pk__in=chunk_ids).values_list("pk", "text"))
        chunk = [latest[d] for d in chunk_ids]
        records = annotation_records([a for versions in chunk for a in versions.values()])
        for document_id, versions in zip(chunk_ids, chunk, strict=True):
            first = next(iter(versions.values()))
            yield DocumentVersions(
                first.document.external_id,
                {name: records[a.pk] for name, a in versions.items()},
                texts[document_id],
            )


def collection_agreement(collection: Collection, documents: QuerySet | None = None) -> dict:
    documents = collection.documents.all() if documents is None else documents
    report = agreement(human_versions(documents), get_scheme(collection.scheme))
    report["collection"] = collection.name
    return report


EXPORT_CHUNK = 500


def export_items(
    *, collection: Collection, ratios: tuple[float, ...], seed: int, include_unreviewed: bool
) -> Iterator[ExportItem]:
    """The documents to export, by id, with their gold (or, if asked, single human) annotation.

    Streams in chunks: a few queries per chunk, whatever the size of the collection.
    """
    scheme_name = collection.scheme
    documents = collection.documents.order_by("external_id").values_list(
        "pk", "external_id", "title", "text", "meta"
    )
    rows = documents.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        chosen = _chosen_annotations([row[0] for row in chunk], include_unreviewed)
        records = annotation_records(list(chosen.values()))
        for pk, external_id, title, text, meta in chunk:
            annotation = chosen.get(pk)
            if annotation is None:
                continue
            record = records[annotation.pk]
            record.provenance = _export_provenance(annotation, scheme_name)
            yield ExportItem(
                CanonicalDocument(external_id, title, text, meta),
                record,
                assign_split(external_id, ratios, seed),
            )


def _chosen_annotations(document_ids: list[int], include_unreviewed: bool) -> dict[int, Annotation]:
    kinds = [Annotation.Kind.GOLD, *([Annotation.Kind.HUMAN] if include_unreviewed else [])]
    candidates = (
        Annotation.objects.filter(document_id__in=document_ids, kind__in=kinds)
        .only(
            "pk",
            "document_id",
            "kind",
            "annotator",
            "provenance",
            "model_version",
            "score",
            "source_key",
            "lead_time",
            "updated_at",
        )
        .order_by("document_id", "-updated_at", "-pk")
    )
    gold: dict[int, Annotation] = {}
    humans: dict[int, list[Annotation]] = defaultdict(list)
    for annotation in candidates:
        if annotation.kind == Annotation.Kind.GOLD:
            gold.setdefault(annotation.document_id, annotation)
        else:
            humans[annotation.document_id].append(annotation)
    for document_id, versions in humans.items():
        if document_id not in gold and len(versions) == 1:
            gold[document_id] = versions[0]
    return gold


def _export_provenance(annotation: Annotation, scheme: str) -> dict:
    provenance = dict(annotation.provenance or {})
    provenance["scheme"] = scheme
    if annotation.kind == Annotation.Kind.GOLD:
        provenance["quality"] = "gold"
        if not provenance.get("annotators"):
            based_on = sorted({a for a in provenance.get("based_on_annotators", []) if a})
            if based_on:
                provenance["annotators"] = based_on
        if annotation.annotator and not provenance.get("adjudicator"):
            provenance["adjudicator"] = annotation.annotator
    else:
        provenance.update(quality="silver", annotator=annotation.annotator)
    return dict(sorted(provenance.items()))


def export_snapshot(collection: Collection, include_unreviewed: bool) -> str:
    """When the newest exported annotation last changed (for the card; not the clock)."""
    kinds = [Annotation.Kind.GOLD, *([Annotation.Kind.HUMAN] if include_unreviewed else [])]
    newest = (
        Annotation.objects.filter(document__collection=collection, kind__in=kinds)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    return newest.isoformat(timespec="seconds") if newest else ""


REVIEW_QUEUE = (Document.Status.ANNOTATED, Document.Status.IN_REVIEW)


def review_queue(collection: Collection) -> QuerySet:
    """The collection's documents that wait for a reviewer, in external id order."""
    return Document.objects.filter(collection=collection, status__in=REVIEW_QUEUE).order_by(
        "external_id"
    )


def review_next(document: Document) -> Document | None:
    """The document to review after this one: the next waiting one by external id,
    wrapping round to the first."""
    waiting = review_queue(document.collection).exclude(pk=document.pk)
    return waiting.filter(external_id__gt=document.external_id).first() or waiting.first()
