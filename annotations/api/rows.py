"""Annotations as the API shows them, built from database rows.

A page of documents holds a few hundred annotations and a thousand or more spans and
attributions: reading them as model instances (and caching each one's relations, as a
prefetch does) took most of a document list's time, where plain rows (`values_list`)
cost a fraction. AnnotationSerializer builds the same JSON from instances, through the
same functions, for the pages that hold instances anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from annotations.models import Annotation, Attribution, Span, annotator_label

# (annotation_id, id, region_id, label, start, end, text, fragments, antecedent_id)
SPAN_COLUMNS = (
    "annotation_id",
    "id",
    "region_id",
    "label",
    "start",
    "end",
    "text",
    "fragments",
    "antecedent_id",
)
# (annotation_id, quote_id, speaker_id, cue_id, speaker_name, speaker_entity_id,
#  quote_type, stance, claim_type)
ATTRIBUTION_COLUMNS = (
    "annotation_id",
    "quote_id",
    "speaker_id",
    "cue_id",
    "speaker_name",
    "speaker_entity_id",
    "quote_type",
    "stance",
    "claim_type",
)
ANNOTATION_COLUMNS = (
    "id",
    "document_id",
    "kind",
    "annotator_id",
    "annotator__email",
    "annotator__name",
    "annotator__ls_user_id",
    "model_version",
    "score",
    "lead_time",
    "ls_annotation_id",
    "problems",
    "provenance",
    "created_at",
    "updated_at",
)
# The models' own orders (Span.Meta, Attribution.Meta), as a prefetch would read them.
SPAN_ORDER = ("annotation_id", "start", "end", "id")
ATTRIBUTION_ORDER = ("annotation_id", "quote__start", "id")

When = Callable[[datetime], Any]


def annotations_by_document(
    annotations: QuerySet[Annotation], when: When
) -> dict[int, list[dict[str, Any]]]:
    """The annotations' JSON, grouped by document id (in the queryset's order)."""
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for document_id, data in annotations_json(annotations, when):
        grouped[document_id].append(data)
    return grouped


def annotations_json(
    annotations: QuerySet[Annotation], when: When
) -> Iterable[tuple[int, dict[str, Any]]]:
    """(document id, JSON) of each annotation: three queries whatever their number."""
    rows = list(annotations.values_list(*ANNOTATION_COLUMNS))
    if not rows:
        return []
    ids = [row[0] for row in rows]
    spans = _grouped(
        Span.objects.filter(annotation_id__in=ids).order_by(*SPAN_ORDER).values_list(*SPAN_COLUMNS)
    )
    attributions = _grouped(
        Attribution.objects.filter(annotation_id__in=ids)
        .order_by(*ATTRIBUTION_ORDER)
        .values_list(*ATTRIBUTION_COLUMNS)
    )
    return [
        (row[1], annotation_json(row, spans.get(row[0], ()), attributions.get(row[0], ()), when))
        for row in rows
    ]


def _grouped(rows: Iterable[tuple]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


def annotation_json(
    row: Sequence, spans: Sequence[tuple], attributions: Sequence[tuple], when: When
) -> dict[str, Any]:
    """One annotation (a row of ANNOTATION_COLUMNS) with its spans and attributions (rows
    of SPAN_COLUMNS and ATTRIBUTION_COLUMNS); spans and attributions name each other by
    region id within the annotation."""
    (pk, document_id, kind, annotator_id, email, name, ls_user_id, model_version, score) = row[:9]
    lead_time, ls_annotation_id, problems, provenance, created_at, updated_at = row[9:]
    if annotator_id:
        made_by = annotator_label(email, name, ls_user_id)
    else:
        made_by = str((provenance or {}).get("adjudicator", "")) if kind == "gold" else ""
    regions = {span[1]: span[2] for span in spans}
    return {
        "id": pk,
        "document": document_id,
        "kind": kind,
        "annotator": made_by,
        "model_version": model_version,
        "score": score,
        "lead_time": lead_time,
        "ls_annotation_id": ls_annotation_id,
        "problems": problems,
        "provenance": provenance,
        "created_at": when(created_at),
        "updated_at": when(updated_at),
        "spans": [
            {
                "id": region_id,
                "label": label,
                "start": start,
                "end": end,
                "text": text,
                "fragments": fragments,
                "antecedent": regions.get(antecedent_id),
            }
            for _, _, region_id, label, start, end, text, fragments, antecedent_id in spans
        ],
        "attributions": [
            {
                "quote": regions.get(link[1]),
                "speaker": regions.get(link[2]),
                "cue": regions.get(link[3]),
                "speaker_name": link[4],
                "speaker_entity": link[5],
                "quote_type": link[6],
                "stance": link[7],
                "claim_type": link[8],
            }
            for link in attributions
        ],
    }


def instance_row(annotation: Annotation) -> tuple[tuple, list[tuple], list[tuple]]:
    """An annotation instance (spans and attributions prefetched, annotator selected) as
    the rows annotation_json reads."""
    annotator = annotation.annotator if annotation.annotator_id else None
    row = (
        annotation.pk,
        annotation.document_id,
        annotation.kind,
        annotation.annotator_id,
        annotator.email if annotator else "",
        annotator.name if annotator else "",
        annotator.ls_user_id if annotator else None,
        annotation.model_version,
        annotation.score,
        annotation.lead_time,
        annotation.ls_annotation_id,
        annotation.problems,
        annotation.provenance,
        annotation.created_at,
        annotation.updated_at,
    )
    spans = [
        tuple(getattr(span, column) for column in SPAN_COLUMNS) for span in annotation.spans.all()
    ]
    attributions = [
        tuple(getattr(attribution, column) for column in ATTRIBUTION_COLUMNS)
        for attribution in annotation.attributions.all()
    ]
    return row, spans, attributions
