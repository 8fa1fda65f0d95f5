"""What setup, push and pull share: names, errors and the way to reach Label Studio."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.urls import reverse

from annotations.errors import Conflict
from annotations.labelstudio.client import LabelStudioClient
from annotations.models import (
    Collection,
)

WEBHOOK_HEADER = "X-Quotes-Webhook-Secret"
WEBHOOK_ACTIONS = [
    "ANNOTATION_CREATED",
    "ANNOTATION_UPDATED",
    "ANNOTATIONS_DELETED",
    "TASKS_DELETED",
]
SOURCE_PREFIX = "ls:annotation:"


class SyncError(Conflict):
    """The collection and Label Studio cannot be brought in step; the message says why."""


def client_from_settings(timeout: float | None = None, retries: int = 0) -> LabelStudioClient:
    return LabelStudioClient(
        settings.LABEL_STUDIO_URL,
        settings.LABEL_STUDIO_API_KEY,
        timeout=timeout or settings.LABEL_STUDIO_TIMEOUT,
        retries=retries,
    )


def webhook_url() -> str:
    return settings.PUBLIC_URL + reverse("labelstudio-webhook")


def ml_backend_url() -> str:
    return settings.PUBLIC_URL + "/ml"


def project_id_of(collection: Collection) -> int:
    if not collection.ls_project_id:
        raise SyncError(
            f"collection {collection.name!r} has no Label Studio project yet; "
            f"run `manage.py labelstudio setup --collection {collection.name}` first"
        )
    return collection.ls_project_id


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held back while a batch is built and stored.

    A batch of tasks is a few hundred thousand small objects (regions, spans, rows), let
    go by reference counting; while they were alive the collector walked them all again
    and again: a third of a push's own time. Once the batch is done it collects what
    the batch left in cycles (an HTTP response and its request hold each other, and
    so a whole import's body).
    """
    if not gc.isenabled():  # paused already, by the caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)
