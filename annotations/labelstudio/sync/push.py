"""Documents become tasks, with their latest predictions; safe to repeat."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotations.labelstudio.client import LabelStudioClient
from annotations.labelstudio.convert import domain_to_result
from annotations.labelstudio.sync.common import (
    SyncError,
    collector_paused,
    project_id_of,
)
from annotations.models import (
    Annotation,
    Collection,
    Document,
)
from annotations.records import AnnotationKind, AnnotationRecord
from annotations.scheme import (
    Scheme,
    get_scheme,
)
from annotations.selectors import RECORD_FIELDS, annotation_records
from annotations.services.collections import collection_stats_invalidate


@dataclass
class PushResult:
    created: int = 0
    linked: int = 0
    already: int = 0
    predictions: int = 0


def push(
    *,
    collection: Collection,
    client: LabelStudioClient,
    batch_size: int | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> PushResult:
    """Every document becomes one task, with its latest prediction; safe to repeat.

    Existing tasks are found by our document id in their data, so a push that
    was interrupted and run again creates no second task and misses none.
    """
    project_id = project_id_of(collection)
    batch_size = batch_size or settings.LABEL_STUDIO_PUSH_BATCH
    scheme = get_scheme(collection.scheme)
    in_label_studio = _tasks_by_document(client, project_id)
    result = PushResult()
    pending: list[int] = []
    documents = collection.documents.order_by("pk").values_list("pk", "ls_task_id")
    links: dict[int, int] = {}
    for document_id, task_id in documents.iterator(chunk_size=2000):
        found = in_label_studio.get(document_id)
        if found is None:
            pending.append(document_id)
        elif found != task_id:
            links[document_id] = found
        else:
            result.already += 1
    if links:
        task_ids_save(links)
        result.linked = len(links)
    batches = [pending[start : start + batch_size] for start in range(0, len(pending), batch_size)]
    # Label Studio imports one batch (in its own process) while the next is read and
    # converted here: the push takes about as long as Label Studio's import alone. The
    # next batch is sent only once the one before is recorded.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="push") as sender:
        importing = None
        for batch in batches:
            with collector_paused():
                tasks, sent = _tasks_for(batch, scheme)
                if importing:
                    _record(*importing, result, on_batch)
            importing = batch, sent, sender.submit(client.tasks_import, project_id, tasks)
        if importing:
            _record(*importing, result, on_batch)
    return result


def _record(
    batch: list[int],
    sent: int,
    importing: Future[list[int]],
    result: PushResult,
    on_batch: Callable[[int], None] | None,
) -> None:
    """Wait for a batch's import, then keep its task ids on the documents."""
    task_ids = importing.result()
    if len(task_ids) != len(batch):
        raise SyncError(f"Label Studio created {len(task_ids)} tasks for {len(batch)} documents")
    task_ids_save(dict(zip(batch, task_ids, strict=True)))
    result.created += len(batch)
    result.predictions += sent
    if on_batch:
        on_batch(len(batch))


def _tasks_by_document(client: LabelStudioClient, project_id: int) -> dict[int, int]:
    found: dict[int, int] = {}
    for task in client.tasks(project_id):
        document_id = (task.get("data") or {}).get("document_id")
        if isinstance(document_id, int):
            found.setdefault(document_id, task["id"])
    return found


@transaction.atomic
def task_ids_save(links: dict[int, int]) -> None:
    # A task id may move from a document whose task was deleted and re-created.
    Document.objects.filter(ls_task_id__in=links.values()).exclude(pk__in=links).update(
        ls_task_id=None
    )
    documents = list(Document.objects.filter(pk__in=links).only("pk", "ls_task_id", "status"))
    now = timezone.now()
    for document in documents:
        document.ls_task_id, document.ls_pushed_at = links[document.pk], now
        if document.status == Document.Status.NEW:
            document.status = Document.Status.QUEUED
    Document.objects.bulk_update(documents, ["ls_task_id", "ls_pushed_at", "status"])
    collection_stats_invalidate(document_ids=links)


def _tasks_for(document_ids: list[int], scheme: Scheme) -> tuple[list[dict], int]:
    """Task JSON for these documents, with the newest prediction or imported annotation."""
    documents = Document.objects.filter(pk__in=document_ids).only(
        "pk", "external_id", "title", "text"
    )
    by_id = {document.pk: document for document in documents}
    latest = _latest_predictions(document_ids)
    tasks, sent = [], 0
    for document_id in document_ids:
        document = by_id[document_id]
        task: dict[str, Any] = {
            "data": {
                "text": document.text,
                "title": document.title or document.external_id,
                "external_id": document.external_id,
                "document_id": document.pk,
            }
        }
        prediction = latest.get(document_id)
        if prediction is not None:
            annotation, record = prediction
            task["predictions"] = [_prediction_json(annotation, record, scheme)]
            sent += 1
        tasks.append(task)
    return tasks, sent


def _latest_predictions(document_ids: list[int]) -> dict[int, tuple[Annotation, AnnotationRecord]]:
    kinds = [AnnotationKind.PREDICTION, AnnotationKind.IMPORTED]
    annotations = Annotation.objects.filter(document_id__in=document_ids, kind__in=kinds).order_by(
        "document_id", "-updated_at", "-pk"
    )
    newest: dict[int, Annotation] = {}
    for annotation in annotations.select_related("annotator").only(*RECORD_FIELDS):
        newest.setdefault(annotation.document_id, annotation)
    records = annotation_records(list(newest.values()))
    return {a.document_id: (a, records[a.pk]) for a in newest.values()}


def _prediction_json(annotation: Annotation, record: AnnotationRecord, scheme: Scheme) -> dict:
    scores = record.provenance.get("scores") if isinstance(record.provenance, dict) else None
    result = domain_to_result(record.spans, record.attributions, record.relations, scheme, scores)
    return {
        "model_version": annotation.model_version or annotation.kind,
        "score": annotation.score if annotation.score is not None else 1.0,
        "result": result,
    }
