"""What a Label Studio webhook changes: annotations stored or deleted, tasks unlinked.

Label Studio waits at most a second and never retries, so this is quick, and
takes duplicates and late (out-of-order) deliveries harmlessly; `pull`
repairs whatever never arrived.
"""

from __future__ import annotations

import logging

from annotations.labelstudio.client import LabelStudioError
from annotations.labelstudio.sync.annotators import annotators_learn
from annotations.labelstudio.sync.common import client_from_settings
from annotations.labelstudio.sync.pull import (
    StoreResult,
    annotations_delete,
    store_annotations,
    tasks_unlink,
)
from annotations.labelstudio.sync.push import task_ids_save
from annotations.models import Annotator, Collection
from annotations.services.documents import documents_refresh_status

log = logging.getLogger(__name__)
# Label Studio gives up on a webhook after a second; asking it who a user is must be quicker.
WHO_TIMEOUT = 0.5


def webhook_apply(*, payload: dict) -> dict:
    """Apply one webhook payload (an object with an `action`); what it did, as data."""
    project = payload.get("project")
    project_id = project.get("id") if isinstance(project, dict) else project
    if not isinstance(project_id, int):
        return {"ignored": f"project {project_id!r} is not a Label Studio project id"}
    collection = Collection.objects.filter(ls_project_id=project_id).first()
    if collection is None:
        return {"ignored": f"project {project_id!r} belongs to no collection"}
    return handle(collection, payload)


def handle(collection: Collection, payload: dict) -> dict:
    action = payload["action"]
    if action in ("ANNOTATION_CREATED", "ANNOTATION_UPDATED"):
        return _annotation_changed(collection, payload)
    if action == "ANNOTATIONS_DELETED":
        ids = [
            item.get("id") for item in payload.get("annotations") or [] if isinstance(item, dict)
        ]
        return {"deleted": annotations_delete(ls_annotation_ids=ids)}
    if action == "TASKS_DELETED":
        ids = [item.get("id") for item in payload.get("tasks") or [] if isinstance(item, dict)]
        return {"unlinked": tasks_unlink(collection=collection, ls_task_ids=ids)}
    return {"ignored": action}


def _learn_annotator(user_id: int) -> None:
    """A new annotator: learn their email now (Label Studio waits for us, briefly)."""
    try:
        with client_from_settings(timeout=WHO_TIMEOUT, retries=0) as client:
            annotators_learn(user_ids=[user_id], client=client)
    except LabelStudioError as error:
        log.warning("cannot ask Label Studio who user %s is: %s", user_id, error)


def _annotation_changed(collection: Collection, payload: dict) -> dict:
    annotation, task = payload.get("annotation"), payload.get("task")
    if not isinstance(annotation, dict) or not isinstance(task, dict):
        return {"ignored": "no annotation or task in the payload"}
    document_id = (task.get("data") or {}).get("document_id")
    documents = collection.documents.only("pk", "collection_id", "text", "ls_task_id", "status")
    document = (
        documents.filter(pk=document_id).first() if isinstance(document_id, int) else None
    ) or documents.filter(ls_task_id=task.get("id")).first()
    if document is None:
        log.warning("Label Studio task %s matches no document of %s", task.get("id"), collection)
        return {"ignored": f"task {task.get('id')} matches no document"}
    user_id = annotation.get("completed_by")
    if (
        isinstance(user_id, int)
        and not Annotator.objects.filter(ls_user_id=user_id, email__gt="").exists()
    ):
        _learn_annotator(user_id)
    result = StoreResult()
    store_annotations(collection=collection, items=[(document, annotation)], result=result)
    documents_refresh_status(document_ids=[document.pk])
    if document.ls_task_id is None and isinstance(task.get("id"), int):
        task_ids_save({document.pk: task["id"]})
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged + result.stale,
        "flagged": result.flagged,
    }
