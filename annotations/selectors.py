"""Reads that rebuild plain records from the database (the reverse of services)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from itertools import islice

from django.db import models
from django.db.models import Count, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from annotations import fulltext
from annotations.agreement import DocumentVersions, agreement
from annotations.canonical import CanonicalDocument
from annotations.errors import DomainError, NotFound
from annotations.exporters import ExportItem, assign_split
from annotations.models import (
    Annotation,
    Attribution,
    Collection,
    Document,
    DocumentAgreement,
    Model,
    Span,
)
from annotations.records import AnnotationRecord, AttributionRecord, RelationRecord, SpanRecord
from annotations.scheme import COREF, get_scheme
from annotations.search import parse_query


def count_of(model: type[models.Model], field: str) -> Coalesce:
    """A correlated COUNT of related rows: computed for the rows a page shows, with no
    GROUP BY over every row of the related table."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by()
    return Coalesce(
        Subquery(rows.values(field).annotate(total=Func("pk", function="COUNT")).values("total")),
        0,
    )


def annotations_in_collection(annotations: QuerySet, collection_id) -> QuerySet:
    """The annotations of one collection's documents (an id, or an expression giving one).

    Lists read annotations in document order: without a lower bound the database merges
    the collection's documents with the annotations index from its very start, reading
    every annotation of the collections before it; the bound starts it at the first one.
    """
    first = Document.objects.filter(collection_id=collection_id).order_by("id").values("id")
    return annotations.filter(
        document__collection_id=collection_id, document_id__gte=Subquery(first[:1])
    )


def collection_named(name: str) -> Collection:
    """The collection of that name, or NotFound saying so."""
    found = Collection.objects.filter(name=name).first()
    if found is None:
        raise NotFound(f"no collection named {name!r}")
    return found


def annotation_records(annotations: list[Annotation]) -> dict[int, AnnotationRecord]:
    """AnnotationRecords for these annotations, by primary key, in two queries.

    Spans and attributions are read as rows, not model instances: an annotation has
    about a hundred, and building an instance for each was most of the time."""
    ids = [annotation.pk for annotation in annotations]
    spans: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Span.objects.filter(annotation_id__in=ids)
        .order_by("start", "end", "pk")
        .values_list("annotation_id", *SPAN_COLUMNS)
    ):
        spans[row[0]].append(row[1:])
    attributions: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Attribution.objects.filter(annotation_id__in=ids)
        .order_by("pk")
        .values_list("annotation_id", *ATTRIBUTION_COLUMNS)
    ):
        attributions[row[0]].append(row[1:])
    return {
        annotation.pk: _record(annotation, spans[annotation.pk], attributions[annotation.pk])
        for annotation in annotations
    }


SPAN_COLUMNS = ("pk", "region_id", "label", "start", "end", "text", "fragments", "antecedent_id")
ATTRIBUTION_COLUMNS = (
    "quote_id",
    "speaker_id",
    "cue_id",
    "speaker_name",
    "quote_type",
    "stance",
    "claim_type",
)


def _record(
    annotation: Annotation, spans: list[tuple], attributions: list[tuple]
) -> AnnotationRecord:
    """The record of an annotation from its span and attribution rows (in the order of
    SPAN_COLUMNS and ATTRIBUTION_COLUMNS, spans in text order)."""
    region = {span[0]: span[1] for span in spans}
    order = {span[0]: index for index, span in enumerate(spans)}
    return AnnotationRecord(
        kind=annotation.kind,
        annotator=annotation.annotator_label,
        spans=[
            SpanRecord(region_id, label, start, end, text, tuple(map(tuple, fragments)))
            for _, region_id, label, start, end, text, fragments, _ in spans
        ],
        attributions=[
            AttributionRecord(region[quote], region.get(speaker), region.get(cue), *choices)
            for quote, speaker, cue, *choices in sorted(attributions, key=lambda a: order[a[0]])
        ],
        relations=[
            RelationRecord(COREF, region_id, region[antecedent])
            for _, region_id, *_, antecedent in spans
            if antecedent in region
        ],
        model_version=annotation.model_version,
        score=annotation.score,
        source_key=annotation.source_key,
        provenance=annotation.provenance,
        lead_time=annotation.lead_time,
    )


# The fields of an Annotation that rebuilding its record reads (never raw or its text).
RECORD_FIELDS = (
    "pk",
    "document_id",
    "kind",
    "annotator__ls_user_id",
    "annotator__email",
    "annotator__name",
    "model_version",
    "score",
    "source_key",
    "provenance",
    "lead_time",
    "updated_at",
)


def counted(annotations: QuerySet) -> QuerySet:
    """The annotations that count for review, agreement and export: none that breaks the
    scheme (Label Studio stored it as sent; its problems are listed in the admin)."""
    return annotations.filter(problems=[]).select_related("annotator").only(*RECORD_FIELDS)


def human_versions_by_document(document_ids: list[int]) -> dict[int, dict[str, Annotation]]:
    """Each document's latest counted human annotation per annotator, by annotator label."""
    humans = counted(
        Annotation.objects.filter(document_id__in=document_ids, kind=Annotation.Kind.HUMAN)
    ).order_by("document_id", "annotator_id", "-updated_at", "-pk")
    latest: dict[int, dict[str, Annotation]] = defaultdict(dict)
    for annotation in humans:
        name = annotation.annotator_label or f"annotation {annotation.pk}"
        latest[annotation.document_id].setdefault(name, annotation)
    return latest


def current_gold(document_ids: list[int]) -> dict[int, Annotation]:
    """Each document's gold annotation (the newest, should there be several)."""
    golds = counted(
        Annotation.objects.filter(document_id__in=document_ids, kind=Annotation.Kind.GOLD)
    ).order_by("document_id", "-updated_at", "-pk")
    found: dict[int, Annotation] = {}
    for gold in golds:
        found.setdefault(gold.document_id, gold)
    return found


# Documents read per chunk when walking a collection for agreement.
VERSIONS_CHUNK = 200


def human_versions(
    documents: QuerySet, on_documents: Callable[[int], None] | None = None
) -> Iterator[DocumentVersions]:
    """Each document's versions (human_versions_by_document) where two or more annotators
    labelled it, with the document's text and id.

    The documents are walked by id a chunk at a time, each chunk asked for as the ids
    after the last one seen (keyset), so nothing is held but the chunk however many
    documents there are; `on_documents` hears how many were walked after each chunk.
    """
    for chunk_ids in document_chunks(documents, on_documents):
        yield from _chunk_versions(chunk_ids)


def document_chunks(
    documents: QuerySet, on_documents: Callable[[int], None] | None = None
) -> Iterator[list[int]]:
    """The documents' ids, VERSIONS_CHUNK at a time in id order, each chunk asked for
    as the ids after the last one seen (keyset); `on_documents` hears how many after
    each chunk has been used."""
    last = None
    while True:
        after = documents if last is None else documents.filter(pk__gt=last)
        chunk = list(after.order_by("pk").values_list("pk", flat=True)[:VERSIONS_CHUNK])
        if not chunk:
            return
        last = chunk[-1]
        yield chunk
        if on_documents is not None:
            on_documents(len(chunk))


def _chunk_versions(document_ids: list[int]) -> Iterator[DocumentVersions]:
    latest = human_versions_by_document(document_ids)
    document_ids = [d for d in document_ids if len(latest.get(d, {})) >= 2]
    if not document_ids:
        return
    rows = Document.objects.filter(pk__in=document_ids).order_by()
    rows = rows.values_list("pk", "external_id", "text")
    texts = {pk: (external_id, text) for pk, external_id, text in rows}
    records = annotation_records([a for d in document_ids for a in latest[d].values()])
    for document_id in document_ids:
        external_id, text = texts[document_id]
        yield DocumentVersions(
            external_id,
            {name: records[a.pk] for name, a in latest[document_id].items()},
            text,
            document_id,
        )


@dataclass(frozen=True)
class PredictionUse:
    """A human annotation and the prediction it was started from: both records when
    there was one, neither when not (its labelling time is all that counts then)."""

    human: AnnotationRecord | None
    prediction: AnnotationRecord | None
    model_version: str
    lead_time: float | None
    # Begun from a prediction in Label Studio (found here or not: one the ML backend
    # gave on request is not stored).
    started: bool = False


def prediction_uses(
    documents: QuerySet, on_documents: Callable[[int], None] | None = None
) -> Iterator[PredictionUse]:
    """Every counted human annotation of the documents, with the prediction it started
    from: Label Studio marks an annotation begun from a prediction (`parent_prediction`
    in its JSON) and shows a task's newest prediction, so that is the document's newest
    prediction written before the annotation was made. Walked a chunk of documents at
    a time (keyset), in constant memory."""
    for chunk in document_chunks(documents, on_documents):
        yield from _chunk_uses(chunk)


def _chunk_uses(document_ids: list[int]) -> Iterator[PredictionUse]:
    humans = list(
        counted(Annotation.objects.filter(document_id__in=document_ids, kind=Annotation.Kind.HUMAN))
        .annotate(parent=KT("raw__parent_prediction"), made=KT("raw__created_at"))
        .order_by("document_id", "pk")
    )
    started = [h for h in humans if _begun_from_prediction(h)]
    predictions: dict[int, list[Annotation]] = defaultdict(list)
    if started:
        for prediction in counted(
            Annotation.objects.filter(
                document_id__in={h.document_id for h in started},
                kind=Annotation.Kind.PREDICTION,
            )
        ).order_by("document_id", "-updated_at", "-pk"):
            predictions[prediction.document_id].append(prediction)
    parents = {h.pk: _started_from(h, predictions[h.document_id]) for h in started}
    parents = {pk: p for pk, p in parents.items() if p is not None}
    # Records only where there is something to compare; the rest need their time alone.
    with_parent = [h for h in started if h.pk in parents]
    records = annotation_records(with_parent + list(parents.values()))
    for human in humans:
        prediction = parents.get(human.pk)
        if prediction is None:
            yield PredictionUse(None, None, "", human.lead_time, _begun_from_prediction(human))
            continue
        human_record, version = records[human.pk], prediction.model_version
        yield PredictionUse(human_record, records[prediction.pk], version, human.lead_time, True)


def _begun_from_prediction(human: Annotation) -> bool:
    # The JSON's null reads as SQL NULL on one database and as the text 'null' on another.
    return human.parent not in (None, "", "null")


def _started_from(human: Annotation, predictions: list[Annotation]) -> Annotation | None:
    """The newest of the document's predictions (newest first) written before the human
    annotation was made in Label Studio, else the newest."""
    made = parse_datetime(human.made) if isinstance(human.made, str) else None
    if made is not None and timezone.is_naive(made):
        made = timezone.make_aware(made, UTC)
    if made is not None:
        for prediction in predictions:
            if prediction.updated_at <= made:
                return prediction
    return predictions[0] if predictions else None


def collection_agreement(collection: Collection, documents: QuerySet | None = None) -> dict:
    """The pooled and per-pair agreement of the collection's documents (or of `documents`),
    computed now and stored nowhere (collection_agreement_compute stores it)."""
    documents = collection.documents.all() if documents is None else documents
    report = agreement(human_versions(documents), get_scheme(collection.scheme))
    report["collection"] = collection.name
    return report


# Documents listed with the stored report (the API, manage.py agreement --json); the
# rest are a page away (the API's agreement/documents/).
DOCUMENTS_WITH_REPORT = 100
DOCUMENT_FIGURES = ("annotators", "quotes", "quote_f1_overlap", "units_with_disagreement")


def document_agreements(collection: Collection) -> QuerySet:
    """The collection's DocumentAgreement rows with their documents' external ids, the
    most units with disagreement first: an index's order, so a page costs the same at a
    million documents as at ten (and counting them reads the index alone)."""
    rows = DocumentAgreement.objects.filter(collection=collection).select_related("document")
    return rows.only("computed_at", *DOCUMENT_FIGURES, "document__external_id").order_by(
        "-units_with_disagreement", "document_id"
    )


def document_agreement_entry(row: DocumentAgreement) -> dict:
    return {
        "document": row.document.external_id,
        "document_id": row.document_id,
        **{name: getattr(row, name) for name in DOCUMENT_FIGURES},
        "computed_at": row.computed_at,
    }


def stored_agreement(collection: Collection, documents: int = DOCUMENTS_WITH_REPORT) -> dict:
    """The stored report with the documents of most disagreement (`per_document`, at most
    `documents` of them, out of `per_document_count`) and when it was computed."""
    rows = document_agreements(collection)
    return {
        **(collection.agreement or {}),
        "per_document": [document_agreement_entry(row) for row in rows[:documents]],
        "per_document_count": rows.count(),
        "computed_at": collection.agreement_at,
    }


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
    """The gold of each document, or (if asked) its only human version when it has no gold."""
    chosen = current_gold(document_ids)
    if include_unreviewed:
        waiting = [d for d in document_ids if d not in chosen]
        for document_id, versions in human_versions_by_document(waiting).items():
            if len(versions) == 1:
                chosen[document_id] = next(iter(versions.values()))
    return chosen


def _export_provenance(annotation: Annotation, scheme: str) -> dict:
    provenance = dict(annotation.provenance or {})
    provenance["scheme"] = scheme
    if annotation.kind == Annotation.Kind.GOLD:
        provenance["quality"] = "gold"
        if not provenance.get("annotators"):
            based_on = sorted({a for a in provenance.get("based_on_annotators", []) if a})
            if based_on:
                provenance["annotators"] = based_on
    else:
        provenance.update(quality="silver", annotator=annotation.annotator_label)
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
    wrapping round to the first.

    One look-up per waiting status, each a walk of the (status, collection, external id)
    index that stops at its first row: asked for both statuses at once, the database
    sorts every waiting document of the collection (0.6 s at a million)."""
    queues = [
        Document.objects.filter(collection_id=document.collection_id, status=status)
        .exclude(pk=document.pk)
        .order_by("external_id")
        for status in REVIEW_QUEUE
    ]
    for narrowed in (Q(external_id__gt=document.external_id), Q()):
        found = [d for d in (queue.filter(narrowed).first() for queue in queues) if d]
        if found:
            return min(found, key=lambda d: d.external_id)
    return None


STATS_DAYS = 90  # days of "annotations per day" a count keeps


def collection_stats(collection: Collection) -> dict:
    """The dashboard's counts for one collection, as plain data (see `stats_merged`).

    A scan of the collection's documents, annotations and gold spans: run by a job
    (services.collections.collection_stats_compute), read from the collection."""
    documents = Document.objects.filter(collection=collection)
    annotations = Annotation.objects.filter(document__collection=collection)
    humans = annotations.filter(kind=Annotation.Kind.HUMAN)
    golds = annotations.filter(kind=Annotation.Kind.GOLD)
    since = timezone.now().date() - timedelta(days=STATS_DAYS - 1)
    days = (
        humans.filter(created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(total=Count("pk"))
        .order_by()
    )
    attributions = Attribution.objects.filter(annotation__in=golds)
    return {
        "status": _grouped(documents, "status"),
        "annotators": _grouped(humans, "annotator__key"),
        "days": {day.isoformat(): total for day, total in days},
        "gold_labels": _grouped(Span.objects.filter(annotation__in=golds), "label"),
        **{name: _grouped(attributions, name) for name in CHOICE_STATS},
        "flagged": annotations.exclude(problems=[]).count(),
    }


CHOICE_STATS = ("quote_type", "stance", "claim_type")


def _grouped(queryset: QuerySet, field: str) -> dict[str, int]:
    rows = queryset.values_list(field).annotate(total=Count("pk")).order_by()
    return {value or "": total for value, total in rows}


def stats_merged(counts: Iterable[dict]) -> dict:
    """The sum of several collections' counts (the dashboard's "all collections")."""
    merged: dict = {}
    for stats in counts:
        for key, value in stats.items():
            if isinstance(value, dict):
                target = merged.setdefault(key, {})
                for name, total in value.items():
                    target[name] = target.get(name, 0) + total
            else:
                merged[key] = merged.get(key, 0) + value
    return merged


def documents_search(
    documents: QuerySet, text: str, *, rank: bool = True, found: fulltext.Found | None = None
) -> QuerySet:
    """The documents among these that match a search-box query (annotations.search), best
    first: the one whose external id is the query, then by the database's full-text rank
    (only the matches are ranked, and only while they are few: fulltext.RANK_LIMIT). The
    caller pages the result. `rank=False`: the matches unranked, for the caller to read
    in an index's order (documents_search_found tells when to; `found`, what it found
    when the matches are few). Raises SearchQueryError (a 400) when the query means
    nothing."""
    return fulltext.documents_matching(
        documents,
        parse_query(text),
        rank=rank,
        few=found is not None,
        ids=found.ids if found is not None else None,
    )


def documents_search_found(documents: QuerySet, text: str) -> fulltext.Found | None:
    """How many of these documents a search matches (and, when few, which), or None
    when too many to rank (fulltext.RANK_LIMIT): then documents_search(rank=False),
    read by keyset."""
    return fulltext.matches_found(documents, parse_query(text))


def model_named(spec: str) -> Model:
    """`NAME` (its newest version) or `NAME:VERSION`, or NotFound saying what exists."""
    name, _, version = spec.partition(":")
    models = Model.objects.filter(name=name)
    if version:
        if not version.isdigit():
            raise DomainError(f"model {spec!r}: the version after ':' is a number")
        models = models.filter(version=int(version))
    found = models.order_by("-version").first()
    if found is None:
        known = sorted(set(Model.objects.values_list("name", flat=True)))
        hint = f" (models: {', '.join(known)})" if known else " (no model is trained yet)"
        raise NotFound(f"no model {spec!r}{hint}")
    return found


# Where a model is asked for by name, the rules (never a model's name).
RULES = "rules"


def predicting_model(collection: Collection, spec: str | None = None) -> Model | None:
    """The model that pre-annotates the collection: `spec` (NAME[:VERSION], or 'rules'),
    else the collection's own; None is the rules."""
    if spec is None:
        return collection.model
    return None if spec == RULES else model_named(spec)
