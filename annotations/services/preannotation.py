"""Running the pre-annotator over a collection and storing its predictions."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings

from annotations.canonical import CanonicalDocument, record_to_dict
from annotations.models import Collection, Model, Speaker, SpeakerAlias
from annotations.preannotate import MODEL_VERSION, preannotate
from annotations.preannotate.parallel import Predictor, predict_all
from annotations.records import AnnotationRecord
from annotations.services.annotations import AnnotationWrite, annotation_rows_write
from annotations.services.training import model_predictor

BATCH = 200


@dataclass
class PreannotateResult:
    documents: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quotes: int = 0
    model_version: str = MODEL_VERSION


def known_speakers() -> dict[str, str]:
    """Every name and alias in the registry (lower-cased) -> the speaker's canonical name."""
    known = dict(Speaker.objects.values_list("key", "name"))
    known.update(SpeakerAlias.objects.values_list("key", "speaker__name"))
    return known


def prediction_for(
    text: str, known: dict[str, str], predict: Predictor = preannotate
) -> AnnotationRecord:
    return _stored(predict(text, known_speakers=known))


def _stored(record: AnnotationRecord) -> AnnotationRecord:
    record.source_key = f"prediction:{record.model_version or MODEL_VERSION}"
    record.provenance["score"] = record.score
    return record


def workers_for(documents: int) -> int:
    """Processes for the rules: PREANNOTATE_WORKERS (default: one per core), and one
    alone when the collection is too small to pay for starting the others."""
    wanted = settings.PREANNOTATE_WORKERS or os.cpu_count() or 1
    return 1 if documents < 2 * BATCH else max(1, wanted)


def collection_preannotate(
    *,
    collection: Collection,
    model: Model | None = None,
    out: IO[str] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> PreannotateResult:
    """A prediction for every document (replacing this model version's previous one),
    by the trained `model` or else the rules.

    Batches are written atomically; running it again changes nothing unless the
    documents, the model or the speaker registry did. With `out`, the predictions
    are also written as canonical JSONL records. A model whose file is missing or
    altered is refused (ModelFileError) before anything is written.
    """
    predict, version = model_predictor(model)
    known = known_speakers()
    result = PreannotateResult(model_version=version)
    documents = collection.documents.order_by("pk").only(
        "pk", "collection_id", "external_id", "title", "text", "meta"
    )
    # The rules run on every core while this process writes what they return.
    workers = workers_for(collection.documents.count())
    items = ((document, document.text) for document in documents.iterator(chunk_size=BATCH))
    batch: list[AnnotationWrite] = []
    predictions = predict_all(items, known=known, workers=workers, predict=predict)
    for document, predicted in predictions:
        record = _stored(predicted)
        batch.append(AnnotationWrite(document.pk, record))
        result.quotes += len(record.attributions)
        if out is not None:
            canonical = CanonicalDocument(
                document.external_id, document.title, document.text, document.meta
            )
            out.write(json.dumps(record_to_dict(canonical, record), ensure_ascii=False) + "\n")
        if len(batch) == BATCH:
            _flush(batch, result, on_batch)
    _flush(batch, result, on_batch)
    return result


def _flush(batch: list[AnnotationWrite], result: PreannotateResult, on_batch) -> None:
    if not batch:
        return
    counts = annotation_rows_write(writes=batch)
    result.documents += len(batch)
    result.created += counts.created
    result.updated += counts.updated
    result.unchanged += counts.unchanged
    if on_batch:
        on_batch(len(batch))
    batch.clear()
