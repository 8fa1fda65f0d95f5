"""Keeping a collection and its Label Studio project in step: setup, push, pull.

These are services: they write to the database (atomically, batch by batch)
and call Label Studio through the client.

- `project`: the project, its config, guidelines, webhook and ML backend; status;
- `push`: documents become tasks with their predictions;
- `pull`: annotations from Label Studio (webhook or reconciling pull), deletions;
- `annotators`: Label Studio users as named annotators;
- `webhook`: what a webhook from Label Studio changes;
- `inbox`: webhooks kept as they arrive, applied in order by the worker.
"""

from annotations.labelstudio.sync.annotators import annotators_learn, annotators_refresh
from annotations.labelstudio.sync.common import (
    SOURCE_PREFIX,
    WEBHOOK_ACTIONS,
    WEBHOOK_HEADER,
    SyncError,
    client_from_settings,
    ml_backend_url,
    webhook_url,
)
from annotations.labelstudio.sync.inbox import (
    inbox_apply,
    inbox_prune,
    inbox_retry,
    webhook_receive,
    worker_alive,
    worker_beat,
    workers_alive,
)
from annotations.labelstudio.sync.project import SetupResult, project_setup, status
from annotations.labelstudio.sync.pull import (
    StoreResult,
    annotations_delete,
    parse_timestamp,
    pull,
    store_annotations,
    tasks_unlink,
)
from annotations.labelstudio.sync.push import PushResult, push
from annotations.labelstudio.sync.webhook import webhook_apply

__all__ = [
    "SOURCE_PREFIX",
    "WEBHOOK_ACTIONS",
    "WEBHOOK_HEADER",
    "PushResult",
    "SetupResult",
    "StoreResult",
    "SyncError",
    "annotations_delete",
    "annotators_learn",
    "annotators_refresh",
    "client_from_settings",
    "ml_backend_url",
    "parse_timestamp",
    "project_setup",
    "pull",
    "push",
    "status",
    "store_annotations",
    "tasks_unlink",
    "inbox_apply",
    "inbox_prune",
    "inbox_retry",
    "webhook_apply",
    "webhook_receive",
    "worker_alive",
    "worker_beat",
    "workers_alive",
    "webhook_url",
]
