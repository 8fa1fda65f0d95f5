"""Annotations from Label Studio (by webhook or pull) stored on their documents.

The webhook handler and `pull` share one path for storing a Label Studio
annotation, so either can repair what the other missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
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
    collector_paused,
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
from annotations.services.collections import collection_stats_invalidate
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
    collection_stats_invalidate(document_ids=document_ids)
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

# Changes are asked for from a little before the last pull's listing: Label Studio's clock
# is read to the second, and a write it began earlier may commit later.
OVERLAP = timedelta(seconds=60)
# Tasks read, stored and let go at a time (Label Studio lists pages of 100 fastest).
PULL_BATCH = 100


@dataclass
class PullResult(StoreResult):
    full: bool = True
    tasks: int = 0  # the tasks looked at (every task, or the changed ones)
    why_full: str = ""


def pull(*, collection: Collection, client: LabelStudioClient, full: bool = False) -> PullResult:
    """Reconcile with Label Studio: store what webhooks missed, delete what is gone there.

    After a first full pull, only the tasks changed since the last one are read, then
    the counts of tasks and annotations on both sides are compared; when they differ
    (a change Label Studio made without touching the task), the full reconcile runs.
    `full` forces it.
    """
    # The mark as stored now (the caller's copy of the collection may be older).
    since = Collection.objects.filter(pk=collection.pk).values_list("ls_changes_since", flat=True)
    collection.ls_changes_since = since.first()
    if full:
        return _pull_full(collection, client, why="asked for")
    if collection.ls_changes_since is None:
        return _pull_full(collection, client, why="first pull")
    changes = _pull_changes(collection, client)
    if not changes.why_full:
        return changes
    result = _pull_full(collection, client, why=changes.why_full)
    for written in ("created", "updated", "deleted", "flagged"):
        setattr(result, written, getattr(result, written) + getattr(changes, written))
    return result


def _pull_full(collection: Collection, client: LabelStudioClient, *, why: str) -> PullResult:
    project_id = project_id_of(collection)
    started = timezone.now()
    annotators_refresh(client=client)
    listed_at = client.now()
    result = PullResult(full=True, why_full=why)
    present: set[int] = set()
    task_ids: set[int] = set()
    with transaction.atomic():
        for batch in _task_pages(client, project_id):
            result.tasks += len(batch)
            with collector_paused():
                present |= _store_tasks(collection, batch, result)[1]
            task_ids.update(task["id"] for task in batch if isinstance(task.get("id"), int))
        # What changed after the listing began (a webhook may already have it) stays.
        linked = Annotation.objects.filter(
            document__collection=collection, ls_annotation_id__isnull=False
        ).values_list("ls_annotation_id", "ls_updated_at")
        result.deleted = annotations_delete(
            ls_annotation_ids=[
                ls_id
                for ls_id, updated_at in linked.iterator(chunk_size=5000)
                if ls_id not in present and updated_at is not None and updated_at < listed_at
            ]
        )
        # Tasks pushed after the listing began (a push running meanwhile) are not gone.
        linked_tasks = collection.documents.filter(
            ls_task_id__isnull=False, ls_pushed_at__lt=started
        ).values_list("ls_task_id", flat=True)
        result.unlinked = tasks_unlink(
            collection=collection,
            ls_task_ids=[task_id for task_id in linked_tasks if task_id not in task_ids],
        )
        documents_refresh_status(document_ids=result.documents)
        _mark(collection, since=listed_at - OVERLAP)
    return result


def _task_pages(
    client: LabelStudioClient, project_id: int, *, changed_since: datetime | None = None
) -> Iterator[list[dict]]:
    """The project's tasks with their annotations (those changed after `changed_since` when
    given), a page at a time: Label Studio reads out the next page, in its own process,
    while this one is stored here, and memory stays flat however large the project."""
    read = partial(client.tasks_page, project_id, size=PULL_BATCH, changed_since=changed_since)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull") as reader:
        next_page = reader.submit(read)
        while page := next_page.result():
            next_page = reader.submit(read, after=page[-1]["id"])
            yield page


def _pull_changes(collection: Collection, client: LabelStudioClient) -> PullResult:
    """The tasks changed since the last pull; `why_full` says when that is not enough."""
    project_id = project_id_of(collection)
    listed_at = client.now()
    result = PullResult(full=False)
    annotators_known = False
    with transaction.atomic():
        for batch in _task_pages(client, project_id, changed_since=collection.ls_changes_since):
            if not annotators_known:
                annotators_refresh(client=client)
                annotators_known = True
            result.tasks += len(batch)
            with collector_paused():
                _reconcile_changed(collection, batch, result)
        documents_refresh_status(document_ids=result.documents)
    project = client.project_get(project_id) or {}
    theirs = (project.get("task_number"), project.get("total_annotations_number"))
    linked = Annotation.objects.filter(
        document__collection=collection, ls_annotation_id__isnull=False
    ).count()
    ours = (collection.documents.filter(ls_task_id__isnull=False).count(), linked)
    if theirs != ours:
        result.why_full = (
            f"Label Studio has {theirs[0]} task(s) and {theirs[1]} annotation(s), this service "
            f"{ours[0]} and {ours[1]}"
        )
        return result
    _mark(collection, since=listed_at - OVERLAP)
    return result


def _mark(collection: Collection, *, since: datetime) -> None:
    """A pull succeeded: the next one asks for the changes made after `since`."""
    collection.ls_pulled_at, collection.ls_changes_since = timezone.now(), since
    Collection.objects.filter(pk=collection.pk).update(
        ls_pulled_at=collection.ls_pulled_at, ls_changes_since=since
    )


def _store_tasks(
    collection: Collection, tasks: list[dict], result: StoreResult
) -> tuple[dict[int, Document], set[int]]:
    """Store the annotations of these tasks on their documents (newer wins); the document
    of each task id, and the Label Studio annotation ids the tasks hold."""
    documents = _documents_for_tasks(collection, tasks)
    task_ids_save({d.pk: task_id for task_id, d in documents.items() if d.ls_task_id != task_id})
    items = [
        (documents[task["id"]], annotation)
        for task in tasks
        if task.get("id") in documents
        for annotation in task.get("annotations") or []
    ]
    store_annotations(collection=collection, items=items, result=result)
    return documents, {a["id"] for _, a in items if isinstance(a.get("id"), int)}


def _reconcile_changed(collection: Collection, tasks: list[dict], result: StoreResult) -> None:
    """Store the annotations of these tasks, read live, and delete on their documents
    the Label Studio annotations they no longer hold. One made after a task was read
    (a webhook may already have it) stays: a task changes after each of its
    annotations does, so that one is newer than the task's time as read."""
    documents, present = _store_tasks(collection, tasks, result)
    read_at = {
        documents[task["id"]].pk: parse_timestamp(task.get("updated_at"))
        for task in tasks
        if task.get("id") in documents
    }
    candidates = (
        Annotation.objects.filter(document__in=list(read_at), ls_annotation_id__isnull=False)
        .exclude(ls_annotation_id__in=present)
        .values_list("ls_annotation_id", "document_id", "ls_updated_at")
    )
    result.deleted = annotations_delete(
        ls_annotation_ids=[
            ls_id
            for ls_id, document_id, updated_at in candidates
            if read_at[document_id] is not None
            and updated_at is not None
            and updated_at <= read_at[document_id]
        ]
    )


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
