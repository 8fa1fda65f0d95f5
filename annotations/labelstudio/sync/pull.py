"""Annotations from Label Studio (by webhook or pull) stored on their documents.

The webhook handler and `pull` share one path for storing a Label Studio
annotation, so either can repair what the other missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotations.labelstudio.client import LabelStudioClient
from annotations.labelstudio.convert import result_to_domain
from annotations.labelstudio.sync.annotators import (
    annotators_refresh,
)
from annotations.labelstudio.sync.common import (
    SOURCE_PREFIX,
    project_id_of,
)
from annotations.labelstudio.sync.push import task_ids_save
from annotations.models import (
    Annotation,
    Annotator,
    Collection,
    Document,
    LabelStudioTombstone,
)
from annotations.records import AnnotationKind, AnnotationRecord, sort_annotation
from annotations.scheme import (
    Scheme,
    complete_attributions,
    get_scheme,
    valid_part,
    validate_annotation,
)
from annotations.services.annotations import AnnotationWrite, annotation_rows_write
from annotations.services.annotators import annotators_for_users
from annotations.services.documents import documents_refresh_status


@dataclass
class StoreResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    flagged: int = 0
    deleted: int = 0
    unlinked: int = 0
    documents: set[int] = field(default_factory=set)


def store_annotations(
    *, collection: Collection, items: Iterable[tuple[Document, dict]], result: StoreResult
) -> None:
    """Store Label Studio annotations (as received) on their documents; newer ones win."""
    scheme = get_scheme(collection.scheme)
    items = [
        (d, a) for d, a in items if isinstance(a.get("id"), int) and not a.get("was_cancelled")
    ]
    ids = [annotation["id"] for _, annotation in items]
    stored = dict(
        Annotation.objects.filter(ls_annotation_id__in=ids).values_list(
            "ls_annotation_id", "ls_updated_at"
        )
    )
    deleted = set(
        LabelStudioTombstone.objects.filter(ls_annotation_id__in=ids).values_list(
            "ls_annotation_id", flat=True
        )
    )
    annotators = annotators_for_users(user_ids=[a.get("completed_by") for _, a in items])
    writes = []
    for document, annotation in items:
        updated_at = parse_timestamp(annotation.get("updated_at"))
        known = stored.get(annotation["id"])
        # Newer wins; what does not say when it changed cannot replace what is stored.
        if annotation["id"] in deleted or (known and (updated_at is None or known >= updated_at)):
            result.stale += 1
            continue
        write = _annotation_write(document, annotation, scheme, annotators)
        write.fields.update(ls_annotation_id=annotation["id"], ls_updated_at=updated_at)
        result.flagged += bool(write.problems)
        result.documents.add(document.pk)
        writes.append(write)
    counts = annotation_rows_write(writes=writes)
    result.created += counts.created
    result.updated += counts.updated
    result.unchanged += counts.unchanged


def _annotation_write(
    document: Document, annotation: dict, scheme: Scheme, annotators: dict[int, Annotator]
) -> AnnotationWrite:
    annotator = annotators.get(annotation.get("completed_by"))
    label = annotator.label if annotator else ""
    # Ground truth is gold: whoever made it in Label Studio adjudicated it.
    gold = bool(annotation.get("ground_truth"))
    converted = result_to_domain(annotation.get("result"), scheme, text=document.text)
    lead_time = annotation.get("lead_time")
    record = sort_annotation(
        complete_attributions(
            AnnotationRecord(
                kind=AnnotationKind.GOLD if gold else AnnotationKind.HUMAN,
                annotator="" if gold else label,
                spans=converted.spans,
                attributions=converted.attributions,
                relations=converted.relations,
                source_key=f"{SOURCE_PREFIX}{annotation['id']}",
                provenance={"adjudicator": label} if gold and label else {},
                raw=annotation,
                lead_time=lead_time if isinstance(lead_time, int | float) else None,
            )
        )
    )
    problems = converted.problems + validate_annotation(scheme, document.text, record)
    if problems:
        record = valid_part(scheme, document.text, record)
    write = AnnotationWrite(document.pk, record, problems=problems)
    if annotator is not None and record.annotator:
        write.annotator_id = annotator.pk
    return write


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@transaction.atomic
def annotations_delete(*, ls_annotation_ids: Iterable[int]) -> int:
    ids = {i for i in ls_annotation_ids if isinstance(i, int)}
    LabelStudioTombstone.objects.bulk_create(
        [LabelStudioTombstone(ls_annotation_id=i) for i in ids], ignore_conflicts=True
    )
    doomed = Annotation.objects.filter(ls_annotation_id__in=ids)
    document_ids = set(doomed.values_list("document_id", flat=True))
    deleted = doomed.count()
    doomed.delete()
    documents_refresh_status(document_ids=document_ids)
    return deleted


@transaction.atomic
def tasks_unlink(*, collection: Collection, ls_task_ids: Iterable[int]) -> int:
    """Tasks deleted in Label Studio: their documents lose the task and its annotations."""
    documents = collection.documents.filter(ls_task_id__in=list(ls_task_ids))
    document_ids = list(documents.values_list("pk", flat=True))
    lost = Annotation.objects.filter(document_id__in=document_ids, ls_annotation_id__isnull=False)
    annotations_delete(ls_annotation_ids=list(lost.values_list("ls_annotation_id", flat=True)))
    documents.update(ls_task_id=None)
    documents_refresh_status(document_ids=document_ids)
    return len(document_ids)


# --- pull ---------------------------------------------------------------------


def pull(*, collection: Collection, client: LabelStudioClient) -> StoreResult:
    """Reconcile with Label Studio: store what webhooks missed, delete what is gone there."""
    project_id = project_id_of(collection)
    started = timezone.now()
    taken_at, tasks = client.export_snapshot(project_id)
    annotators_refresh(client=client)
    documents = _documents_for_tasks(collection, tasks)
    result = StoreResult()
    with transaction.atomic():
        task_ids_save(
            {d.pk: task_id for task_id, d in documents.items() if d.ls_task_id != task_id}
        )
        items = [
            (documents[task["id"]], annotation)
            for task in tasks
            if task.get("id") in documents
            for annotation in task.get("annotations") or []
        ]
        store_annotations(collection=collection, items=items, result=result)
        present = {a["id"] for _, a in items if isinstance(a.get("id"), int)}
        # What changed after the snapshot was taken (a webhook may already have it) stays.
        gone = Annotation.objects.filter(
            document__collection=collection,
            ls_annotation_id__isnull=False,
            ls_updated_at__lt=taken_at,
        ).exclude(ls_annotation_id__in=present)
        result.deleted = annotations_delete(
            ls_annotation_ids=list(gone.values_list("ls_annotation_id", flat=True))
        )
        task_ids = [task["id"] for task in tasks if isinstance(task.get("id"), int)]
        # Tasks pushed after the snapshot began (a push running meanwhile) are not gone.
        missing_tasks = collection.documents.filter(
            ls_task_id__isnull=False, ls_pushed_at__lt=started
        ).exclude(ls_task_id__in=task_ids)
        result.unlinked = tasks_unlink(
            collection=collection,
            ls_task_ids=list(missing_tasks.values_list("ls_task_id", flat=True)),
        )
        documents_refresh_status(document_ids=result.documents)
        Collection.objects.filter(pk=collection.pk).update(ls_pulled_at=timezone.now())
    return result


def _documents_for_tasks(collection: Collection, tasks: list[dict]) -> dict[int, Document]:
    """Our document for each task id: by the document id in its data, by the task id, or by
    the external id in its data (tasks imported from an exported Label Studio file)."""
    tasks = [
        task for task in tasks if isinstance(task, dict) and isinstance(task.get("data"), dict)
    ]
    pks = [
        t["data"].get("document_id") for t in tasks if isinstance(t["data"].get("document_id"), int)
    ]
    external = [str(t["data"]["external_id"]) for t in tasks if t["data"].get("external_id")]
    documents = collection.documents.filter(
        Q(pk__in=pks) | Q(ls_task_id__in=[t.get("id") for t in tasks]) | Q(external_id__in=external)
    ).only("pk", "text", "ls_task_id", "status", "collection_id", "external_id")
    by_pk = {d.pk: d for d in documents}
    by_task = {d.ls_task_id: d for d in documents if d.ls_task_id}
    by_external = {d.external_id: d for d in documents}
    found = {}
    for task in tasks:
        data = task["data"]
        document = (
            by_pk.get(data.get("document_id"))
            or by_task.get(task.get("id"))
            or by_external.get(str(data.get("external_id", "")))
        )
        if document is not None:
            found[task["id"]] = document
    return found
