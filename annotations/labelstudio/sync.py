"""Keeping a collection and its Label Studio project in step: setup, push, pull.

These are services: they write to the database (atomically, batch by batch)
and call Label Studio through the client. The webhook handler and `pull`
share one path for storing a Label Studio annotation, so either can repair
what the other missed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import markdown
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from annotations.labelstudio.client import LabelStudioClient, LabelStudioError
from annotations.labelstudio.convert import domain_to_result, result_to_domain
from annotations.models import (
    Annotation,
    Annotator,
    Attribution,
    Collection,
    Document,
    LabelStudioTombstone,
    Span,
)
from annotations.records import AnnotationKind, AnnotationRecord, sort_annotation
from annotations.scheme import (
    Scheme,
    complete_attributions,
    get_scheme,
    render_label_config,
    valid_part,
    validate_annotation,
)
from annotations.services.annotations import AnnotationWrite, annotation_rows_write
from annotations.services.documents import documents_refresh_status

__all__ = [
    "documents_refresh_status"
]  # used by the webhook handler as sync.documents_refresh_status
from annotations.selectors import annotation_records

WEBHOOK_HEADER = "X-Quotes-Webhook-Secret"
WEBHOOK_ACTIONS = [
    "ANNOTATION_CREATED",
    "ANNOTATION_UPDATED",
    "ANNOTATIONS_DELETED",
    "TASKS_DELETED",
]
SOURCE_PREFIX = "ls:annotation:"


class SyncError(Exception):
    """The collection and Label Studio cannot be brought in step; the message says why."""


def client_from_settings() -> LabelStudioClient:
    return LabelStudioClient(
        settings.LABEL_STUDIO_URL,
        settings.LABEL_STUDIO_API_KEY,
        timeout=settings.LABEL_STUDIO_TIMEOUT,
    )


def webhook_url() -> str:
    return settings.PUBLIC_URL + reverse("labelstudio-webhook")


# --- setup ------------------------------------------------------------------


@dataclass
class SetupResult:
    project_id: int
    created: bool
    changed: list[str] = field(default_factory=list)
    webhook: str = "unchanged"
    ml_backend: str = "not asked for"


def project_setup(
    *, collection: Collection, client: LabelStudioClient, ml_backend: bool = False
) -> SetupResult:
    """Create or update the collection's project and its webhook; a repeat changes nothing.

    With `ml_backend`, the project is also connected to this service's ML backend, so
    annotators can ask for predictions of the task in front of them.
    """
    if not settings.LABEL_STUDIO_WEBHOOK_SECRET:
        raise SyncError("set LABEL_STUDIO_WEBHOOK_SECRET: webhooks are refused without it")
    scheme = get_scheme(collection.scheme)
    wanted = {
        "title": (collection.title or collection.name)[:50],
        "label_config": render_label_config(scheme),
        "expert_instruction": markdown.markdown(collection.guidelines or ""),
        "show_instruction": bool(collection.guidelines.strip()),
        "maximum_annotations": collection.overlap,
        "show_collab_predictions": True,
        "enable_empty_annotation": True,
    }
    project = client.project_get(collection.ls_project_id) if collection.ls_project_id else None
    if project is None:
        project = client.project_create(**wanted)
        Collection.objects.filter(pk=collection.pk).update(ls_project_id=project["id"])
        collection.ls_project_id = project["id"]
        result = SetupResult(project["id"], created=True, changed=sorted(wanted))
    else:
        changed = {key: value for key, value in wanted.items() if _differs(project.get(key), value)}
        if "label_config" in changed:
            _refuse_removed_labels(collection, project.get("label_config") or "", scheme)
        if changed:
            client.project_update(project["id"], **changed)
        result = SetupResult(project["id"], created=False, changed=sorted(changed))
    result.webhook = _webhook_setup(client, result.project_id)
    if ml_backend:
        result.ml_backend = _ml_backend_setup(client, result.project_id)
    annotators_refresh(client=client)
    return result


def ml_backend_url() -> str:
    return settings.PUBLIC_URL + "/ml"


def _ml_backend_setup(client: LabelStudioClient, project_id: int) -> str:
    if any(b.get("url") == ml_backend_url() for b in client.ml_backends(project_id)):
        return "unchanged"
    client.ml_backend_create(
        project=project_id,
        url=ml_backend_url(),
        title="Quote rules",
        is_interactive=True,
        auth_method="BASIC_AUTH",
        basic_auth_user="labelstudio",
        basic_auth_pass=settings.LABEL_STUDIO_WEBHOOK_SECRET,
    )
    return "connected"


def _refuse_removed_labels(collection: Collection, old_config: str, scheme: Scheme) -> None:
    """A config that drops a label or choice that annotations already use is refused."""
    removed = _config_values(old_config) - _config_values(render_label_config(scheme))
    if not removed:
        return
    spans = Span.objects.filter(annotation__document__collection=collection)
    attributions = Attribution.objects.filter(annotation__document__collection=collection)
    used = set(spans.values_list("label", flat=True).distinct())
    for choice in scheme.choices:
        used |= set(attributions.values_list(choice.name, flat=True).distinct())
    in_use = sorted(removed & used)
    if in_use:
        raise SyncError(
            f"the new labeling config drops {', '.join(in_use)}, which annotations in "
            f"{collection.name!r} use; refusing to change the project"
        )


def _config_values(config: str) -> set[str]:
    try:
        root = ET.fromstring(config)
    except ET.ParseError:
        return set()
    return {e.get("value", "") for e in root.iter() if e.tag in ("Label", "Choice")}


def _webhook_setup(client: LabelStudioClient, project_id: int) -> str:
    wanted = {
        "url": webhook_url(),
        "send_payload": True,
        "send_for_all_actions": False,
        "actions": WEBHOOK_ACTIONS,
        "headers": {WEBHOOK_HEADER: settings.LABEL_STUDIO_WEBHOOK_SECRET},
        "is_active": True,
    }
    hooks = [h for h in client.webhooks(project_id) if h.get("url") == wanted["url"]]
    if not hooks:
        client.webhook_create(project=project_id, **wanted)
        return "created"
    hook = hooks[0]
    stale = {k: v for k, v in wanted.items() if k != "url" and _differs(hook.get(k), v)}
    if stale:
        client.webhook_update(hook["id"], **stale)
        return "updated"
    return "unchanged"


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        return sorted(current or []) != sorted(wanted)
    if isinstance(wanted, str) and isinstance(current, str):
        return current.strip() != wanted.strip()  # Label Studio trims what it stores
    return current != wanted


# --- push -------------------------------------------------------------------


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
    project_id = _project_id(collection)
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
        _save_task_ids(links)
        result.linked = len(links)
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        tasks, sent = _tasks_for(batch, scheme)
        task_ids = client.tasks_import(project_id, tasks)
        if len(task_ids) != len(batch):
            raise SyncError(
                f"Label Studio created {len(task_ids)} tasks for {len(batch)} documents"
            )
        _save_task_ids(dict(zip(batch, task_ids, strict=True)))
        result.created += len(batch)
        result.predictions += sent
        if on_batch:
            on_batch(len(batch))
    return result


def _project_id(collection: Collection) -> int:
    if not collection.ls_project_id:
        raise SyncError(
            f"collection {collection.name!r} has no Label Studio project yet; "
            f"run `manage.py labelstudio setup --collection {collection.name}` first"
        )
    return collection.ls_project_id


def _tasks_by_document(client: LabelStudioClient, project_id: int) -> dict[int, int]:
    found: dict[int, int] = {}
    for task in client.tasks(project_id):
        document_id = (task.get("data") or {}).get("document_id")
        if isinstance(document_id, int):
            found.setdefault(document_id, task["id"])
    return found


@transaction.atomic
def _save_task_ids(links: dict[int, int]) -> None:
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
    for annotation in annotations.only("pk", "document_id", "kind", "model_version", "score"):
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


# --- annotations from Label Studio -------------------------------------------


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
    annotators = _annotators([a.get("completed_by") for _, a in items])
    writes = []
    for document, annotation in items:
        updated_at = parse_timestamp(annotation.get("updated_at"))
        known = stored.get(annotation["id"])
        if annotation["id"] in deleted or (known and updated_at and known >= updated_at):
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
    document: Document, annotation: dict, scheme: Scheme, annotators: dict[int, str]
) -> AnnotationWrite:
    converted = result_to_domain(annotation.get("result"), scheme)
    record = sort_annotation(
        complete_attributions(
            AnnotationRecord(
                kind=AnnotationKind.GOLD
                if annotation.get("ground_truth")
                else AnnotationKind.HUMAN,
                annotator=annotators.get(annotation.get("completed_by"), ""),
                spans=converted.spans,
                attributions=converted.attributions,
                relations=converted.relations,
                source_key=f"{SOURCE_PREFIX}{annotation['id']}",
                raw=annotation,
                lead_time=annotation.get("lead_time")
                if isinstance(annotation.get("lead_time"), int | float)
                else None,
            )
        )
    )
    problems = converted.problems + validate_annotation(scheme, document.text, record)
    if problems:
        record = valid_part(scheme, document.text, record)
    return AnnotationWrite(document.pk, record, problems=problems)


def _annotators(user_ids: Iterable[Any]) -> dict[int, str]:
    """Annotator names by Label Studio user id; unknown users are recorded by id until a pull."""
    ids = {user_id for user_id in user_ids if isinstance(user_id, int)}
    known = {a.ls_user_id: a for a in Annotator.objects.filter(ls_user_id__in=ids)}
    missing = [Annotator(ls_user_id=user_id) for user_id in ids - set(known)]
    Annotator.objects.bulk_create(missing, ignore_conflicts=True)
    known.update({a.ls_user_id: a for a in missing})
    return {user_id: annotator.label for user_id, annotator in known.items()}


def annotators_refresh(*, client: LabelStudioClient) -> int:
    """Learn every Label Studio user's email; annotations named by user id get the email."""
    changed = 0
    for user in client.users():
        annotator, _ = Annotator.objects.get_or_create(ls_user_id=user["id"])
        email = user.get("email") or ""
        name = " ".join(filter(None, [user.get("first_name"), user.get("last_name")]))
        if (annotator.email, annotator.name) != (email, name):
            old = annotator.label
            annotator.email, annotator.name = email, name
            annotator.save(update_fields=["email", "name"])
            Annotation.objects.filter(annotator=old, ls_annotation_id__isnull=False).update(
                annotator=annotator.label
            )
            changed += 1
    return changed


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
    project_id = _project_id(collection)
    started = timezone.now()
    taken_at, tasks = client.export_snapshot(project_id)
    annotators_refresh(client=client)
    documents = _documents_for_tasks(collection, tasks)
    result = StoreResult()
    with transaction.atomic():
        _save_task_ids(
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


# --- status -------------------------------------------------------------------


def status(*, collection: Collection, client: LabelStudioClient) -> dict[str, Any]:
    documents = collection.documents
    report: dict[str, Any] = {
        "collection": collection.name,
        "label_studio": client.url,
        "healthy": client.health(),
        "project": collection.ls_project_id,
        "documents": documents.count(),
        "pushed": documents.filter(ls_task_id__isnull=False).count(),
        "annotations_from_label_studio": Annotation.objects.filter(
            document__collection=collection, ls_annotation_id__isnull=False
        ).count(),
        "flagged": Annotation.objects.filter(document__collection=collection)
        .exclude(problems=[])
        .count(),
        "last_pull": collection.ls_pulled_at.isoformat() if collection.ls_pulled_at else None,
    }
    if report["healthy"] and collection.ls_project_id:
        try:
            project = client.project_get(collection.ls_project_id)
        except LabelStudioError as error:
            report["error"] = str(error)
        else:
            report["project_exists"] = project is not None
            if project:
                report["tasks"] = project.get("task_number")
                report["webhook"] = any(
                    h.get("url") == webhook_url() for h in client.webhooks(collection.ls_project_id)
                )
    return report
