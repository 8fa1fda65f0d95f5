"""The collection's Label Studio project: config, guidelines, webhook, ML backend, status."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import markdown
from django.conf import settings

from annotations.labelstudio.client import LabelStudioClient, LabelStudioError
from annotations.labelstudio.sync.annotators import (
    annotators_refresh,
)
from annotations.labelstudio.sync.common import (
    WEBHOOK_ACTIONS,
    WEBHOOK_HEADER,
    SyncError,
    ml_backend_url,
    webhook_url,
)
from annotations.models import (
    Annotation,
    Attribution,
    Collection,
    Span,
)
from annotations.scheme import (
    Scheme,
    get_scheme,
    render_label_config,
)


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


def _ml_backend_setup(client: LabelStudioClient, project_id: int) -> str:
    connected = "unchanged"
    if not any(b.get("url") == ml_backend_url() for b in client.ml_backends(project_id)):
        client.ml_backend_create(
            project=project_id,
            url=ml_backend_url(),
            title="Quote rules",
            is_interactive=True,
            auth_method="BASIC_AUTH",
            basic_auth_user="labelstudio",
            basic_auth_pass=settings.LABEL_STUDIO_WEBHOOK_SECRET,
        )
        connected = "connected"
    # Connecting a backend, Label Studio subscribes its `/webhook` to every event of the
    # project, without the backend's credentials: each event would be refused (401).
    # Training reaches the backend by Label Studio's own authenticated call, and the
    # events by the project's webhook, so the subscription goes.
    unauthenticated = ml_backend_url().rstrip("/") + "/webhook"
    for hook in client.webhooks(project_id):
        if hook.get("url") == unauthenticated:
            client.webhook_delete(hook["id"])
    return connected


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
