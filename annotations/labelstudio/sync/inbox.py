"""The webhook inbox: Label Studio's webhooks kept as they arrive, applied in order.

Label Studio waits a second for a webhook and never sends it again. So receiving
one only appends it to the inbox (its own database on SQLite, where a long
import holds the main database's write lock; its own connection on
PostgreSQL), and answers at once. The background worker applies what waits,
oldest first (the request does it when no worker runs); applying is idempotent
(newer wins, deletions are remembered), so an event applied twice, or copies
of one, change nothing more. `pull` stays the repair for what never arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from annotations.labelstudio.sync.webhook import webhook_apply
from annotations.models import WebhookEvent, WorkerBeat
from annotations.routers import INBOX

log = logging.getLogger(__name__)
# An event that fails this often (a bug, never Label Studio being away) is set aside.
MAX_ATTEMPTS = 5


@dataclass
class Applied:
    applied: int = 0
    failed: int = 0


def webhook_receive(*, payload: dict) -> WebhookEvent:
    """Keep one webhook payload (an object with an `action`) in the inbox."""
    action = str(payload.get("action", ""))[:60]
    return WebhookEvent.objects.using(INBOX).create(action=action, payload=payload)


def worker_alive() -> bool:
    """Whether a background worker has shown a sign of life lately (it applies the inbox)."""
    since = timezone.now() - timedelta(seconds=settings.WORKER_GONE_AFTER / 2)
    return WorkerBeat.objects.using(INBOX).filter(beat_at__gte=since).exists()


def inbox_apply(*, limit: int = 200, patience: float | None = None) -> Applied:
    """Apply the waiting events, oldest first; each is applied in a transaction of its own.

    With `patience` (seconds), an event that would wait longer for the main
    database's locks is left for later, so a request applying it stays quick.
    Where the database can (PostgreSQL), the events are claimed first, so
    several workers never apply the same one at once.
    """
    inbox = connections[INBOX]
    claim = inbox.features.has_select_for_update_skip_locked
    with transaction.atomic(using=INBOX) if claim else nullcontext(), _lock_wait(patience):
        pending = WebhookEvent.objects.using(INBOX).filter(applied_at__isnull=True)
        if claim:
            pending = pending.select_for_update(skip_locked=True)
        return _apply_all(list(pending.order_by("id")[:limit]), stop_when_busy=patience is not None)


def _apply_all(events: list[WebhookEvent], *, stop_when_busy: bool) -> Applied:
    done = Applied()
    for event in events:
        if _apply(event):
            done.applied += 1
        else:
            done.failed += 1
            if stop_when_busy:
                break  # the database is busy: the worker or a later request goes on
    return done


@contextmanager
def _lock_wait(patience: float | None) -> Iterator[None]:
    """Wait at most `patience` seconds for a lock on the main database (None: as configured)."""
    if patience is None:
        yield
        return
    connection = connections["default"]
    if connection.vendor == "sqlite":
        configured = int(settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5) * 1000)
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(patience * 1000)}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {configured}")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = %s", [f"{int(patience * 1000)}ms"])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    else:
        yield


def _apply(event: WebhookEvent) -> bool:
    try:
        with transaction.atomic():
            result = webhook_apply(payload=event.payload)
    except DatabaseError as error:
        # The main database is busy or away: the event waits for the next round.
        log.warning("webhook event %s waits: %s", event.pk, error)
        return False
    except Exception as error:  # noqa: BLE001 - an event that breaks applying is set aside
        log.exception("webhook event %s could not be applied", event.pk)
        attempts = event.attempts + 1
        done = timezone.now() if attempts >= MAX_ATTEMPTS else None
        WebhookEvent.objects.using(INBOX).filter(pk=event.pk).update(
            attempts=attempts, error=f"{type(error).__name__}: {error}"[:2000], applied_at=done
        )
        return False
    WebhookEvent.objects.using(INBOX).filter(pk=event.pk).update(
        applied_at=timezone.now(), attempts=event.attempts + 1, result=result, error=""
    )
    return True


def inbox_retry(*, event_ids: list[int]) -> int:
    """Put events that were set aside (failed too often) back in the queue; how many."""
    failed = WebhookEvent.objects.using(INBOX).filter(pk__in=event_ids).exclude(error="")
    return failed.update(applied_at=None, attempts=0, error="")


def worker_beat(*, worker_id: str, host: str, pid: int) -> None:
    """A worker's sign of life."""
    WorkerBeat.objects.using(INBOX).update_or_create(
        worker_id=worker_id, defaults={"host": host[:200], "pid": pid, "beat_at": timezone.now()}
    )


def workers_alive(*, worker_ids: list[str]) -> set[str]:
    """Which of these workers showed a sign of life lately (settings.WORKER_GONE_AFTER)."""
    since = timezone.now() - timedelta(seconds=settings.WORKER_GONE_AFTER)
    beats = WorkerBeat.objects.using(INBOX).filter(worker_id__in=worker_ids, beat_at__gte=since)
    return set(beats.values_list("worker_id", flat=True))


def inbox_prune(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Forget applied events older than this (the annotations keep their raw JSON)."""
    cutoff = timezone.now() - older_than
    applied = WebhookEvent.objects.using(INBOX).filter(applied_at__lt=cutoff)
    deleted, _ = applied.delete()
    return deleted
